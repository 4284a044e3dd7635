/*
 * UTF-8 decoding and the output charset for Gopher clients.
 *
 * Text is kept in UTF-8 until the last moment.  charset_fold() maps it to
 * UTF-8 that only holds characters the target charset can show
 * (transliterating the others), so the renderer can count columns and wrap
 * on text that will look exactly like that on the client; charset_encode()
 * then writes the final bytes.  Both drop control characters, so nothing
 * they emit can break a Gopher menu line.
 */
#ifndef YURT_CHARSET_H
#define YURT_CHARSET_H

#include <stddef.h>
#include <stdint.h>

struct buf;

enum charset {
	CHARSET_UTF8,		/* the default: pass-through */
	CHARSET_LATIN1,		/* ISO-8859-1 */
	CHARSET_ASCII		/* US-ASCII */
};

/* What charset_decode() stores for a byte that does not start valid UTF-8. */
#define CHARSET_INVALID	0xFFFFFFFFu

size_t		 charset_decode(const char *, size_t, uint32_t *);
/* C0, DEL or C1: never shown, logged or let into a request. */
int		 charset_is_control(uint32_t);
int		 charset_parse(const char *, enum charset *);
const char	*charset_name(enum charset);
const char	*charset_translit(uint32_t);
int		 charset_fold(struct buf *, enum charset, const char *, size_t);
int		 charset_encode(struct buf *, enum charset, const char *,
		    size_t);

#endif
