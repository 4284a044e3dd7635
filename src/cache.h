/*
 * A small per-worker cache of rendered Gopher pages.  Rendering a page
 * costs several times what sending it does; a page is cached under its
 * file's identity and modification time, so an edit shows at once, and
 * for a second at most, so that the item types of the files it links to
 * (which may change without the page changing) are never stale for long.
 * One per worker thread: no locks.
 */
#ifndef YURT_CACHE_H
#define YURT_CACHE_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CACHE_TTL_MS	1000

struct cache;

struct cache_key {
	const void	*gen;		/* the site generation rendered for */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	int		 variant;	/* menu, text... */
	const char	*base;		/* the page's selector */
};

struct cache	*cache_new(size_t maxbytes);
void		 cache_free(struct cache *);
/* Appends a fresh cached copy to out; -1 when there is none. */
int		 cache_get(struct cache *, const struct cache_key *,
		    uint64_t now_ms, struct buf *out);
void		 cache_put(struct cache *, const struct cache_key *,
		    uint64_t now_ms, const char *, size_t);
void		 cache_key_stat(struct cache_key *, const struct stat *);

#endif
