/*
 * A small per-worker cache of rendered Gopher pages.  Rendering a page
 * costs several times what sending it does.  A page is found by the
 * request that asked for it and served only while the file it was
 * rendered from is the same (device, inode, size, modification time), so
 * an edit shows at once; checking that takes one stat, where opening the
 * file took six system calls.  A page lives a second at most, so that the
 * item types of the files it links to (which may change without the page
 * changing) are never stale for long.  One per worker thread: no locks.
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
	int		 variant;	/* menu, text... */
	const char	*name;		/* the request */
};

struct cache	*cache_new(size_t maxbytes);
void		 cache_free(struct cache *);
/*
 * The file (relative to the root) a fresh page for key was rendered from,
 * for the caller to stat; NULL when there is none.
 */
const char	*cache_source(struct cache *, const struct cache_key *,
		    uint64_t now_ms);
/*
 * Appends the page to out if st, the source's stat now, shows the file
 * unchanged; -1 (and the page is dropped) otherwise.
 */
int		 cache_get(struct cache *, const struct cache_key *,
		    uint64_t now_ms, const struct stat *st, struct buf *out);
/* Drops every page whose second is up. */
void		 cache_expire(struct cache *, uint64_t now_ms);
/* Keeps a page rendered from source, whose stat (when opened) was st. */
void		 cache_put(struct cache *, const struct cache_key *,
		    uint64_t now_ms, const char *source, const struct stat *st,
		    const char *, size_t);

#endif
