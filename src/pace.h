#ifndef YURT_PACE_H
#define YURT_PACE_H

#include <stdint.h>

/*
 * A reply's pace (min-rate): what its reader had taken at the start of
 * the window, and when.
 */
struct pace {
	unsigned long long	 taken;
	uint64_t		 start;	/* ms */
};

/* A window opens at the reply's start, nothing taken yet. */
void	pace_start(struct pace *, uint64_t now);
/*
 * What the reader of socket fd has taken of the out bytes that went to
 * it: out less what waits in the socket's send queue.
 */
unsigned long long pace_taken(int fd, unsigned long long out);
/*
 * At a window's end: 1 if the reader took less than min bytes a second
 * over it (taken: pace_taken's, now), else 0 and the next window opens.
 */
int	pace_slow(struct pace *, unsigned long long taken, uint64_t now,
	    unsigned long long min);
/* The socket's close becomes a reset: what waits in it is dropped. */
void	pace_reset(int fd);

#endif
