/*
 * How a page is rendered for Gopher: the options of gophermap.h, apart
 * so that gopherlink.c (inside the rendering) needs no more of it.
 */
#ifndef YURT_GOPHEROPTS_H
#define YURT_GOPHEROPTS_H

#include <stddef.h>

#include "charset.h"

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

#endif
