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

#include "charset.h"

struct buf;

#define GOPHERMAP_WIDTH	67

struct gophermap_opts {
	const char	*host;		/* public host name, in every line */
	unsigned int	 port;		/* public port */
	/* NULL-terminated: gemini://<one of these>/ links are local */
	const char *const *gemini_hosts;
	unsigned int	 gemini_port;	/* 0: 1965 */
	size_t		 width;		/* columns; 0: GOPHERMAP_WIDTH */
	enum charset	 charset;
	/*
	 * Item type of a local selector ('0', '1', 'g', 'I', 'h', 's', 'd',
	 * '9'...), or 0 when there is nothing there: the link is then shown
	 * as plain text.  NULL: mime_item(), else '9'.
	 */
	char		(*item_type)(void *, const char *);
	void		*arg;
	/* put before every local selector written (a charset's, "/.ascii") */
	const char	*sel_prefix;
	/*
	 * Items offered after the text one: display, selector, display,
	 * selector..., NULL.  Type 1 (the page in another charset).
	 */
	const char *const *offers;
};

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
