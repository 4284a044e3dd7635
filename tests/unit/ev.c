/*
 * The event loop with a clock the test moves: timer lists keep their
 * order when re-armed, fire at their deadline and not before, and a
 * socket's readiness reaches its callback.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <stdint.h>
#include <unistd.h>

#include "ev.h"
#include "tap.h"

static uint64_t	 fake_now = 1000000;
static int	 fired[4], order[8], norder;

static uint64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void
on_timer(struct ev_loop *l, void *arg)
{
	int i = (int)(intptr_t)arg;

	fired[i]++;
	order[norder++] = i;
}

static int	 readable;

static void
on_io(struct ev_loop *l, void *arg, uint32_t events)
{
	char c;

	if (events & EPOLLIN && read(*(int *)arg, &c, 1) == 1)
		readable++;
}

int
main(void)
{
	struct ev_loop	*l = ev_new();
	struct ev_tlist	*t100, *t500;
	struct ev_timer	 t[4] = { 0 };
	struct ev_io	 io = { 0 };
	int		 i, sv[2];

	ev_set_clock(l, fake_clock, NULL);
	tap_ok(ev_now(l) == 1000000, "the loop reads the injected clock");
	t100 = ev_tlist(l, 100);
	t500 = ev_tlist(l, 500);
	tap_ok(ev_tlist(l, 100) == t100, "one list per duration");
	for (i = 0; i < 4; i++) {
		t[i].cb = on_timer;
		t[i].arg = (void *)(intptr_t)i;
	}
	ev_timer_arm(l, &t[0], t100);
	ev_timer_arm(l, &t[1], t100);
	ev_timer_arm(l, &t[2], t500);
	fake_now += 99;
	ev_turn(l, 0);
	tap_ok(fired[0] + fired[1] + fired[2] == 0,
	    "nothing fires a millisecond before its deadline");
	/* re-armed: t[0] moves behind t[1], 100 ms from now */
	ev_timer_arm(l, &t[0], t100);
	fake_now += 1;
	ev_turn(l, 0);
	tap_ok(fired[1] == 1 && fired[0] == 0,
	    "at its deadline the timer fires; the re-armed one waits");
	fake_now += 99;
	ev_turn(l, 0);
	tap_ok(fired[0] == 1 && norder == 2 && order[0] == 1 && order[1] == 0,
	    "the re-armed timer fires 100 ms after its re-arming");
	tap_ok(fired[2] == 0, "the 500 ms list is not due yet");
	ev_timer_arm(l, &t[3], t500);
	ev_timer_cancel(&t[3]);
	tap_ok(t[3].list == NULL, "a cancelled timer is in no list");
	fake_now += 301;
	ev_turn(l, 0);
	tap_ok(fired[2] == 1 && fired[3] == 0,
	    "the 500 ms timer fires at 500 ms, the cancelled one never");
	ev_turn(l, 0);
	tap_ok(fired[2] == 1, "a timer fires once");

	/* a socket ready to read reaches its callback */
	tap_ok(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0,
	    "socketpair");
	io.fd = sv[0];
	io.cb = on_io;
	io.arg = &sv[0];
	tap_ok(ev_set(l, &io, EPOLLIN) == 0, "ev_set adds the descriptor");
	tap_ok(ev_turn(l, 0) == 0 && readable == 0, "nothing to read: no call");
	(void)!write(sv[1], "x", 1);
	tap_ok(ev_turn(l, 0) == 1 && readable == 1,
	    "a byte to read: one call");
	ev_del(l, &io);
	(void)!write(sv[1], "y", 1);
	tap_ok(ev_turn(l, 0) == 0 && readable == 1,
	    "after ev_del: no call");
	close(sv[0]);
	close(sv[1]);
	ev_free(l);
	return tap_done();
}
