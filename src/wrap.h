/*
 * Word wrapping of UTF-8 text at a width in columns.
 *
 * Columns are counted per code point: combining marks and zero-width
 * characters take none, East Asian wide characters two, invalid bytes one
 * each.  Lines break at spaces and tabs, after a hyphen inside a word, and
 * around wide characters (CJK has no spaces); a word longer than the width
 * is broken hard.  Lines never end in a space.
 *
 * The iterator hands back slices of the input, so it allocates nothing:
 *
 *	wrap_init(&w, s, len, 67, "* ", "  ");
 *	while (wrap_next(&w, &l))
 *		emit(l.prefix, l.prefixlen, l.text, l.len);
 */
#ifndef YURT_WRAP_H
#define YURT_WRAP_H

#include <stddef.h>
#include <stdint.h>

struct wrap {
	const char	*s;
	size_t		 len;
	size_t		 off;
	size_t		 width;		/* columns, prefix included */
	const char	*first;		/* prefix of the first line */
	const char	*rest;		/* prefix of the other lines */
	size_t		 nlines;
	int		 done;
};

struct wrap_line {
	const char	*prefix;
	size_t		 prefixlen;	/* no trailing blank on an empty line */
	const char	*text;		/* a slice of the input */
	size_t		 len;
	size_t		 cols;		/* width of prefix and text together */
};

int	wrap_cpwidth(uint32_t);
size_t	wrap_width(const char *, size_t);
size_t	wrap_cut(const char *, size_t, size_t);
void	wrap_init(struct wrap *, const char *, size_t, size_t, const char *,
	    const char *);
int	wrap_next(struct wrap *, struct wrap_line *);

#endif
