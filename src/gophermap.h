/*
 * Gopher renderings: gemtext as a type-1 menu or as type-0 plain text,
 * single menu and error lines, and the "URL:" redirect page.
 *
 * Pure functions: no files, no sockets.  The caller answers the questions
 * that need the file system (the item type of a selector) through a
 * callback.  Output is appended to a struct buf; give it a max to bound
 * it.  On -1 the buffer holds a partial rendering to be thrown away.
 *
 * Selectors of capsule documents are absolute paths ("/", "/dir/",
 * "/profile.gmi"): links are resolved against the page's selector as
 * RFC 3986 resolves a reference against a base, so a directory's index
 * must be rendered with the directory's selector and its trailing slash.
 */
#ifndef YURT_GOPHERMAP_H
#define YURT_GOPHERMAP_H

#include <stddef.h>

#include "gopheropts.h"

struct buf;

int	gophermap_menu(struct buf *, const struct gophermap_opts *,
	    const char *selector, const char *textsel, const char *gmi,
	    size_t gmilen);
int	gophermap_text(struct buf *, const struct gophermap_opts *,
	    const char *selector, const char *gmi, size_t gmilen);
int	gophermap_item(struct buf *, const struct gophermap_opts *,
	    char type, const char *display, size_t displaylen,
	    const char *selector);
int	gophermap_error(struct buf *, const struct gophermap_opts *,
	    const char *message);
int	gophermap_urlpage(struct buf *, const char *url, size_t urllen);

#endif
