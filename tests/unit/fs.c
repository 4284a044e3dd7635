/*
 * File lookup against a real directory tree: the root, a symlink that
 * points out of it, dot-files, index files, listings.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "tap.h"

static char top[] = "/tmp/yurt-fs-XXXXXX";
static char path[512];

static const char *
at(const char *rel)
{
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	return path;
}

static void
put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	if (f == NULL) {
		perror(at(rel));
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static enum fs_kind
look(int rootfd, const char *p, int dir, int listing, struct buf *out,
    struct fs_result *r)
{
	buf_reset(out);
	fs_open(rootfd, p, dir, listing, out, r);
	return r->kind;
}

int
main(void)
{
	struct fs_result r;
	struct buf	 out;
	int		 rootfd;
	char		 got[64];
	ssize_t		 n;

	if (mkdtemp(top) == NULL)
		return 2;
	mkdir(at("root"), 0755);
	mkdir(at("root/dir"), 0755);
	mkdir(at("root/empty"), 0755);
	mkdir(at("root/.git"), 0755);
	put("secret.txt", "outside\n");
	put("root/index.gmi", "# home\n");
	put("root/dir/index.gmi", "# dir\n");
	put("root/dir/.hidden", "no\n");
	put("root/.git/config", "no\n");
	put("root/empty/b.txt", "b\n");
	put("root/empty/a b.gmi", "a\n");
	put("root/empty/.dot", "no\n");
	(void)!symlink("../secret.txt", at("root/out"));
	(void)!symlink(at("secret.txt"), at("root/abs"));
	(void)!symlink("/", at("root/slash"));
	(void)!symlink("index.gmi", at("root/in"));
	mkfifo(at("root/fifo"), 0644);

	rootfd = open(at("root"), O_RDONLY | O_DIRECTORY);
	buf_init(&out, 0);

	tap_ok(look(rootfd, "", 1, 1, &out, &r) == FS_FILE &&
	    strcmp(r.name, "index.gmi") == 0, "root serves index.gmi");
	n = r.kind == FS_FILE ? pread(r.fd, got, sizeof(got) - 1, 0) : -1;
	got[n > 0 ? n : 0] = '\0';
	tap_streq(got, "# home\n", "  with the index's content");
	if (r.fd != -1)
		close(r.fd);
	tap_ok(look(rootfd, "", 0, 1, &out, &r) == FS_FILE,
	    "empty path is the root, without a redirect");
	close(r.fd);
	tap_ok(look(rootfd, "dir", 0, 1, &out, &r) == FS_REDIRECT,
	    "directory without slash -> redirect");
	tap_ok(look(rootfd, "dir", 1, 1, &out, &r) == FS_FILE,
	    "directory with slash serves its index");
	close(r.fd);
	tap_ok(look(rootfd, "index.gmi", 1, 1, &out, &r) == FS_NOTFOUND,
	    "a file named with a trailing slash is not found");

	tap_ok(look(rootfd, "out", 0, 1, &out, &r) == FS_NOTFOUND,
	    "relative symlink out of the root is not followed");
	tap_ok(look(rootfd, "abs", 0, 1, &out, &r) == FS_NOTFOUND,
	    "absolute symlink out of the root is not followed");
	tap_ok(look(rootfd, "slash/etc/passwd", 0, 1, &out, &r) ==
	    FS_NOTFOUND, "symlink to / is not followed");
	tap_ok(look(rootfd, "in", 0, 1, &out, &r) == FS_FILE,
	    "symlink within the root is followed");
	if (r.kind == FS_FILE)
		close(r.fd);
	tap_ok(look(rootfd, "../secret.txt", 0, 1, &out, &r) == FS_NOTFOUND,
	    "a raw .. never reaches outside (defence in depth)");

	tap_ok(look(rootfd, ".git/config", 0, 1, &out, &r) == FS_NOTFOUND,
	    "dot-directory hidden");
	tap_ok(look(rootfd, "dir/.hidden", 0, 1, &out, &r) == FS_NOTFOUND,
	    "dot-file hidden");
	tap_ok(look(rootfd, "fifo", 0, 1, &out, &r) == FS_NOTFOUND,
	    "a FIFO is never served");
	tap_ok(look(rootfd, "nope", 0, 1, &out, &r) == FS_NOTFOUND,
	    "missing file not found");

	tap_ok(look(rootfd, "empty", 1, 1, &out, &r) == FS_LISTING,
	    "directory without index is listed");
	tap_ok(out.data && strstr(out.data, "=> ./a%20b.gmi a b.gmi\n") &&
	    strstr(out.data, "=> ./b.txt b.txt\n") &&
	    strstr(out.data, "a%20b") < strstr(out.data, "b.txt"),
	    "  listing links are encoded and sorted");
	tap_ok(out.data && strstr(out.data, ".dot") == NULL,
	    "  listing hides dot-files");
	tap_ok(look(rootfd, "empty", 1, 0, &out, &r) == FS_NOTFOUND,
	    "with listings off it is not found");

	buf_free(&out);
	close(rootfd);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		(void)!system(cmd);
	}
	return tap_done();
}
