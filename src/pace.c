#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include "pace.h"

/*
 * A reader that takes a byte now and then renews the idle timeout each
 * time and would hold its connection (and what it holds) for ever; so a
 * reply still being written is measured once a window, and cut below
 * min-rate.  What the reader took is not what was written: the kernel
 * takes megabytes of a large file at once (sendfile fills the send buffer
 * it grows), so the socket's send queue (SIOCOUTQ: not yet acknowledged,
 * sent or not) is taken off.
 */
void
pace_start(struct pace *p, uint64_t now)
{
	p->taken = 0;
	p->start = now;
}

unsigned long long
pace_taken(int fd, unsigned long long out)
{
	int queued = 0;

	if (ioctl(fd, SIOCOUTQ, &queued) == -1 || queued < 0)
		queued = 0;
	return out > (unsigned long long)queued ?
	    out - (unsigned long long)queued : 0;
}

int
pace_slow(struct pace *p, unsigned long long taken, uint64_t now,
    unsigned long long min)
{
	uint64_t ms = now > p->start ? now - p->start : 0;

	if (taken < p->taken || (taken - p->taken) * 1000 < min * ms)
		return 1;
	p->taken = taken;
	p->start = now;
	return 0;
}

/*
 * A reader cut for its pace is reset, not closed: a close leaves what the
 * kernel still holds for it (megabytes, above) going out at its pace
 * after the descriptor is gone, and the reader, which sees no end, keeps
 * the connection and that memory as long as before.
 */
void
pace_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}
