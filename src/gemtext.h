/*
 * Gemtext parser: an iterator over the lines of a (buf, len), typed as
 * the gemtext specification says.  It allocates nothing; the strings it
 * returns point into the input and are not NUL-terminated.
 *
 *	gemtext_init(&g, data, len);
 *	while (gemtext_next(&g, &l))
 *		switch (l.type) ...
 *
 * Line ends are LF or CRLF; a last line without one still counts.  A UTF-8
 * byte order mark at the very start is skipped.  Bytes are not validated:
 * invalid UTF-8 or control characters pass through for the renderer (and
 * charset.c) to deal with.
 */
#ifndef YURT_GEMTEXT_H
#define YURT_GEMTEXT_H

#include <stddef.h>

enum gemtext_type {
	GEMTEXT_TEXT,		/* text: the line as written */
	GEMTEXT_LINK,		/* url, and text: the label (may be empty) */
	GEMTEXT_HEADING,	/* level 1 to 3, text: the heading */
	GEMTEXT_LIST,		/* text: the item */
	GEMTEXT_QUOTE,		/* text: the quotation */
	GEMTEXT_PRE_TOGGLE,	/* level 1 opens, 0 closes; text: alt text */
	GEMTEXT_PRE		/* text: the preformatted line, untouched */
};

struct gemtext_line {
	enum gemtext_type	 type;
	int			 level;
	const char		*text;
	size_t			 textlen;
	const char		*url;	/* GEMTEXT_LINK only, else NULL */
	size_t			 urllen;
};

struct gemtext {
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 pre;		/* inside a preformatted block */
};

void	gemtext_init(struct gemtext *, const char *, size_t);
int	gemtext_next(struct gemtext *, struct gemtext_line *);

#endif
