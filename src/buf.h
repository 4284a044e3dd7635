/*
 * Growable byte buffer for the renderers and listings.  Allocation failure
 * is sticky: after one failed append every later append is a no-op and
 * buf_failed() says so, so a renderer checks once at the end.
 */
#ifndef YURT_BUF_H
#define YURT_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* 0: unbounded; else appends past it fail */
	int	 failed;
};

void	buf_init(struct buf *, size_t max);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);
int	buf_append(struct buf *, const void *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_putc(struct buf *, int);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_failed(const struct buf *);
/*
 * Appends everything fd has until end of file.  -1 on a read error, or
 * with errno EFBIG when it would go past the buffer's max.
 */
int	buf_read(struct buf *, int fd);

#endif
