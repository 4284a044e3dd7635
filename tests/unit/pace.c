/*
 * min-rate's measure: a window's verdict from what the reader took and
 * when, and what a socket's reader took (written less its send queue),
 * over a real TCP connection on loopback whose reader reads nothing.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pace.h"
#include "tap.h"

static void
test_slow(void)
{
	struct pace p;

	pace_start(&p, 1000);
	tap_ok(!pace_slow(&p, 2048, 3000, 1024),
	    "2048 bytes in 2 s is 1024 a second: not slow");
	tap_ok(p.taken == 2048 && p.start == 3000, "the next window opens");
	tap_ok(pace_slow(&p, 2048 + 2047, 5000, 1024),
	    "2047 more in the next 2 s is slow");
	pace_start(&p, 0);
	tap_ok(pace_slow(&p, 0, 30000, 1), "nothing in 30 s is slow");
	pace_start(&p, 0);
	tap_ok(!pace_slow(&p, 7680, 30000, 256),
	    "7.5 KB in 30 s meets the default 256 B/s");
	p.taken = 100;
	tap_ok(pace_slow(&p, 50, 60000, 256), "a count that went back is slow");
	/* 100 MB/s over an hour: no overflow in the products */
	pace_start(&p, 0);
	tap_ok(!pace_slow(&p, 360000000000ULL, 3600000, 100000000),
	    "a large window and rate do not overflow");
}

/* A loopback TCP pair whose reader reads nothing: the queue stays. */
static void
test_taken(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	char			 buf[65536];
	unsigned long long	 out = 0, taken;
	int			 l, a, b, small = 4096;
	ssize_t			 n;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(buf, 'x', sizeof(buf));
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &len) == -1 ||
	    (b = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(b, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ==
	    -1 || connect(b, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (a = accept(l, NULL, NULL)) == -1) {
		tap_ok(0, "a loopback connection: %s", strerror(errno));
		return;
	}
	(void)fcntl(a, F_SETFL, O_NONBLOCK);
	while ((n = write(a, buf, sizeof(buf))) > 0)
		out += (unsigned long long)n;
	usleep(100000);		/* what loopback delivers is acknowledged */
	taken = pace_taken(a, out);
	tap_ok(out > 65536 && taken < out / 4,
	    "a reader that reads nothing took %llu of the %llu written", taken,
	    out);
	tap_ok(taken <= 64 * 1024,
	    "at most its receive buffer's worth (%llu)", taken);
	tap_ok(pace_taken(-1, 10) == 10, "no socket: all counted as taken");
	close(a);
	close(b);
	close(l);
}

int
main(void)
{
	test_slow();
	test_taken();
	return tap_done();
}
