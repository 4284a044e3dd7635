/*
 * The connection state machine over a socketpair, with a fake protocol
 * and a clock the test moves: a request read whole or in parts, the
 * reply written and the connection closed, the timer of each state (the
 * request deadline, the reply's idle timeout, a drop's short one), and
 * the pool's counts and its callback.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "site.h"
#include "tap.h"

static uint64_t		 fake_now = 5000000;
static struct conn_pool	 pool;
static struct site	 site;
static atomic_int	 total;
static int		 closed, inputs, drop, big;
static struct ev_tlist	*armed_with;	/* the timer's list after replying */

static uint64_t
fake_clock(void *arg)
{
	return fake_now;
}

static void
on_closed(struct conn_pool *p)
{
	closed++;
}

/* Replies "20 ok" and a body once a line is in; drops if told to. */
static int
fake_input(struct conn *c)
{
	struct buf body;

	inputs++;
	if (memchr(c->req, '\n', c->reqlen) == NULL)
		return 0;
	if (drop) {
		conn_drop(c);
		armed_with = c->timer.list;
		return 1;
	}
	buf_init(&body, 0);
	if (big) {
		char	 block[4096];
		int	 i;

		memset(block, 'b', sizeof(block));
		for (i = 0; i < big; i++)
			(void)buf_append(&body, block, sizeof(block));
	} else
		(void)buf_puts(&body, "BODY");
	conn_respond(c, 20, "20 ok\r\n", 7, &body, -1, 0);
	armed_with = c->timer.list;
	return 1;
}

static const struct proto fake_proto = { "fake", fake_input };

/* Everything the client end can read now, and whether it saw EOF. */
static size_t
drain(int fd, char *out, size_t cap, int *eof)
{
	size_t	 n = 0;
	ssize_t	 r;

	/* past cap, what is read is counted, not kept */
	*eof = 0;
	while ((r = read(fd, out + (n < cap ? n : 0), n < cap ? cap - n :
	    cap)) > 0)
		n += (size_t)r;
	if (r == 0)
		*eof = 1;
	return n;
}

static int
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return -1;
	atomic_fetch_add(&total, 1);	/* the caller's reservation */
	return 0;
}

static void
start(int fd)
{
	struct sockaddr sa = { .sa_family = AF_UNIX };

	conn_new(&pool, fd, &fake_proto, CONN_IO_PLAIN, 0, &sa, sizeof(sa));
}

int
main(void)
{
	char	 out[65536];
	size_t	 n;
	int	 sv[2], eof, i;

	atomic_init(&site.refs, 1);	/* ours: never freed */
	pool.loop = ev_new();
	ev_set_clock(pool.loop, fake_clock, NULL);
	pool.site = &site;
	pool.t_request = ev_tlist(pool.loop, 10000);
	pool.t_idle = ev_tlist(pool.loop, 60000);
	pool.t_linger = ev_tlist(pool.loop, 2000);
	pool.total = &total;
	pool.closed = on_closed;

	/* the whole request already there: served at once */
	pair(sv);
	(void)!write(sv[1], "ping\n", 5);
	start(sv[0]);
	n = drain(sv[1], out, sizeof(out), &eof);
	tap_ok(n == 11 && memcmp(out, "20 ok\r\nBODY", 11) == 0 && eof,
	    "a whole request: the reply, then EOF (%zu bytes, eof %d)", n,
	    eof);
	tap_ok(pool.nconns == 0 && atomic_load(&total) == 0 && closed == 1,
	    "closed: the pool's and the server's counts back to 0, told once");
	tap_ok(armed_with == pool.t_idle, "replying arms the idle timer");
	close(sv[1]);

	/* a request in two parts, through the loop */
	pair(sv);
	inputs = 0;
	(void)!write(sv[1], "pi", 2);
	start(sv[0]);
	tap_ok(pool.nconns == 1 && inputs == 1,
	    "half a request: the connection waits (input called %d)", inputs);
	tap_ok(pool.conns->timer.list == pool.t_request,
	    "reading the request runs the request timer");
	(void)!write(sv[1], "ng\n", 3);
	ev_turn(pool.loop, 0);
	n = drain(sv[1], out, sizeof(out), &eof);
	tap_ok(n == 11 && eof && pool.nconns == 0,
	    "the rest of it: the reply and the close");
	close(sv[1]);

	/* a client that never finishes its request: the request timeout */
	pair(sv);
	(void)!write(sv[1], "p", 1);
	start(sv[0]);
	fake_now += 9999;
	ev_turn(pool.loop, 0);
	tap_ok(pool.nconns == 1, "open a millisecond before the deadline");
	fake_now += 1;
	ev_turn(pool.loop, 0);
	n = drain(sv[1], out, sizeof(out), &eof);
	tap_ok(pool.nconns == 0 && n == 0 && eof,
	    "closed at the request deadline, without a reply");
	close(sv[1]);

	/* a drop: no reply, the short timer */
	pair(sv);
	drop = 1;
	(void)!write(sv[1], "x\n", 2);
	start(sv[0]);
	n = drain(sv[1], out, sizeof(out), &eof);
	tap_ok(armed_with == pool.t_linger && n == 0 && eof &&
	    pool.nconns == 0, "a drop: the linger timer, no reply, closed");
	drop = 0;
	close(sv[1]);

	/*
	 * A reply larger than the socket takes, to a client that does not
	 * read: it waits on the idle timeout, renewed by what the client
	 * does read.
	 */
	pair(sv);
	big = 256;	/* 1 MB */
	(void)!write(sv[1], "big\n", 4);
	start(sv[0]);
	tap_ok(pool.nconns == 1 && pool.conns->state == CONN_WRITE,
	    "a large reply to a reader that does not read: still writing");
	fake_now += 59999;
	ev_turn(pool.loop, 0);
	n = drain(sv[1], out, sizeof(out), &eof);
	ev_turn(pool.loop, 0);
	fake_now += 59999;
	ev_turn(pool.loop, 0);
	tap_ok(pool.nconns == 1,
	    "reading part of it renews the idle timeout (read %zu)", n);
	fake_now += 60001;
	for (i = 0; i < 3; i++)
		ev_turn(pool.loop, 0);
	tap_ok(pool.nconns == 0 && atomic_load(&total) == 0,
	    "no reading for the idle timeout: closed");
	big = 0;
	close(sv[1]);

	/*
	 * min-rate 1000 B/s over 2 s windows: a reader that takes its
	 * share stays, one that stops taking is cut at the next window,
	 * long before the idle timeout.
	 */
	site.cfg.min_rate = 1000;
	pool.t_rate = ev_tlist(pool.loop, 2000);
	pair(sv);
	big = 256;
	(void)!write(sv[1], "big\n", 4);
	start(sv[0]);
	fake_now += 1000;
	n = drain(sv[1], out, sizeof(out), &eof);
	ev_turn(pool.loop, 0);
	fake_now += 1000;
	ev_turn(pool.loop, 0);
	tap_ok(pool.nconns == 1,
	    "min-rate: a reader that took %zu bytes in the window stays", n);
	fake_now += 2000;
	ev_turn(pool.loop, 0);
	tap_ok(pool.nconns == 0 && atomic_load(&total) == 0,
	    "min-rate: one that took nothing for a window is cut");
	close(sv[1]);

	/* reply-timeout 3 s: cut at the first window past it, reading or not */
	site.cfg.min_rate = 0;
	site.cfg.reply_timeout = 3;
	pool.t_reply = ev_tlist(pool.loop, 3000);
	pair(sv);
	(void)!write(sv[1], "big\n", 4);
	start(sv[0]);
	for (i = 0; i < 2; i++) {
		fake_now += 1000;
		(void)drain(sv[1], out, sizeof(out), &eof);
		ev_turn(pool.loop, 0);
	}
	tap_ok(pool.nconns == 1, "reply-timeout: open at 2 s");
	for (i = 0; i < 2; i++) {
		fake_now += 1000;
		(void)drain(sv[1], out, sizeof(out), &eof);
		ev_turn(pool.loop, 0);
	}
	tap_ok(pool.nconns == 0, "reply-timeout: cut past 3 s");
	site.cfg.reply_timeout = 0;
	pool.t_reply = NULL;
	big = 0;
	close(sv[1]);

	ev_free(pool.loop);
	return tap_done();
}
