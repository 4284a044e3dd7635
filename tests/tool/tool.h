/*
 * What the test tools (gg, flood, nagle, notify-listen...) share.  The load
 * generator does not: it stands alone (see the Makefile).
 */
#ifndef YURT_TOOL_H
#define YURT_TOOL_H

#include <stddef.h>

/* A whole decimal number within [min, max] into *out; -1 otherwise. */
int		 tool_number(const char *, long min, long max, long *out);
/* The monotonic clock, in microseconds and in milliseconds. */
long long	 tool_now_us(void);
long long	 tool_now_ms(void);
/* Sleeps ms milliseconds, through signals. */
void		 tool_msleep(long ms);
/* All of standard input, NUL-terminated (not counted); NULL on error. */
unsigned char	*tool_read_stdin(size_t *lenp);

/*
 * Binds the socket to the numeric local address (the reader's own, e.g.
 * 127.0.0.2, so that tests can tell readers apart on loopback); -1 when
 * the address is not of the socket's family or cannot be bound.
 */
int		 tool_bind(int fd, int family, const char *addr);

#endif
