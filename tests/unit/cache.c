/* The rendered-page cache: found by request, kept only while its file is. */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "tap.h"

static struct stat
stat_of(dev_t dev, ino_t ino, off_t size, time_t sec, long nsec)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = dev;
	st.st_ino = ino;
	st.st_size = size;
	st.st_mtim.tv_sec = sec;
	st.st_mtim.tv_nsec = nsec;
	return st;
}

/* 1 when key's page is served for st, with exactly want in it. */
static int
served(struct cache *c, const struct cache_key *k, uint64_t now,
    const struct stat *st, const char *want)
{
	struct buf	 b;
	int		 ok;

	buf_init(&b, 0);
	ok = cache_get(c, k, now, st, &b) == 0 && b.len == strlen(want) &&
	    memcmp(b.data, want, b.len) == 0;
	buf_free(&b);
	return ok;
}

int
main(void)
{
	struct cache		*c;
	struct cache_key	 k = { (void *)1, 0, "ddocs" };
	struct cache_key	 text = { (void *)1, 1, "ddocs" };
	struct cache_key	 other = { (void *)2, 0, "ddocs" };
	struct cache_key	 f = { (void *)1, 0, "fdocs" };
	struct stat		 st = stat_of(1, 42, 5, 100, 7), st2;
	struct buf		 b;
	char			 name[16], big[300];
	int			 i, ok;

	c = cache_new(1024);
	tap_ok(c != NULL, "a cache");
	tap_ok(cache_source(c, &k, 0) == NULL, "empty: no source");
	tap_ok(cache_source(NULL, &k, 0) == NULL, "no cache: no source");
	cache_put(c, &k, 0, "docs/index.gmi", &st, "menu!", 5);
	tap_ok(cache_source(c, &k, 10) != NULL &&
	    strcmp(cache_source(c, &k, 10), "docs/index.gmi") == 0,
	    "the source is the file the page came from");
	tap_ok(served(c, &k, 10, &st, "menu!"), "an unchanged file: served");
	tap_ok(cache_source(c, &text, 10) == NULL,
	    "another variant (text) is another page");
	tap_ok(cache_source(c, &other, 10) == NULL,
	    "another site generation: not found");
	tap_ok(cache_source(c, &f, 10) == NULL,
	    "the same path asked without its slash: another request");

	st2 = stat_of(1, 42, 5, 100, 8);
	tap_ok(!served(c, &k, 20, &st2, "menu!"),
	    "a nanosecond of mtime: not served");
	tap_ok(cache_source(c, &k, 20) == NULL, "and the stale page is gone");

	cache_put(c, &k, 0, "docs/index.gmi", &st, "menu!", 5);
	st2 = stat_of(1, 43, 5, 100, 7);
	tap_ok(!served(c, &k, 20, &st2, "menu!"),
	    "another inode (the file replaced): not served");
	cache_put(c, &k, 0, "docs/index.gmi", &st, "menu!", 5);
	st2 = stat_of(1, 42, 6, 100, 7);
	tap_ok(!served(c, &k, 20, &st2, "menu!"), "another size: not served");
	cache_put(c, &k, 0, "docs/index.gmi", &st, "menu!", 5);
	st2 = stat_of(2, 42, 5, 100, 7);
	tap_ok(!served(c, &k, 20, &st2, "menu!"),
	    "another device: not served");

	cache_put(c, &k, 0, "docs/index.gmi", &st, "menu!", 5);
	tap_ok(served(c, &k, CACHE_TTL_MS - 1, &st, "menu!"),
	    "served until its time is up");
	tap_ok(cache_source(c, &k, CACHE_TTL_MS) == NULL,
	    "then gone, file unchanged or not");

	cache_put(c, &k, 0, "docs/index.gmi", &st, "old", 3);
	cache_put(c, &k, 5, "docs/index.gmi", &st, "new", 3);
	tap_ok(served(c, &k, 6, &st, "new"), "a page put again replaces it");

	memset(big, 'x', sizeof(big));
	cache_put(c, &f, 0, "docs", &st, big, sizeof(big));
	tap_ok(cache_source(c, &f, 1) == NULL,
	    "a page over a quarter of the cache is not kept");

	cache_free(c);

	/* 1000 bytes hold four pages of 250: the least recently used go */
	c = cache_new(1000);
	for (i = 0; i < 6; i++) {
		struct cache_key ki = { (void *)1, 0, name };

		snprintf(name, sizeof(name), "fp%d", i);
		cache_put(c, &ki, 100, name, &st, big, 250);
		if (i == 3) {	/* fp0 is used: fp1 and fp2 go first */
			snprintf(name, sizeof(name), "fp0");
			buf_init(&b, 0);
			(void)cache_get(c, &ki, 101, &st, &b);
			buf_free(&b);
		}
	}
	for (ok = 1, i = 0; i < 6; i++) {
		struct cache_key ki = { (void *)1, 0, name };

		snprintf(name, sizeof(name), "fp%d", i);
		ok &= (cache_source(c, &ki, 102) != NULL) ==
		    (i == 0 || i >= 3);
	}
	tap_ok(ok, "over the byte budget, the least recently used go");
	cache_free(c);
	cache_free(NULL);
	return tap_done();
}
