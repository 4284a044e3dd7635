#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

#define EV_BATCH	64

struct ev_loop {
	int		 epfd;
	int		 stop;
	uint64_t	 now;
	struct ev_tlist	 lists[EV_TLISTS];
	int		 nlists;
	void		(*wait)(void);
	uint64_t	(*clock)(void *);
	void		*clockarg;
};

static uint64_t
ev_clock(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ev_loop *
ev_new(void)
{
	struct ev_loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	l->clock = ev_clock;
	l->now = ev_clock(NULL);
	return l;
}

void
ev_free(struct ev_loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l);
}

int
ev_add(struct ev_loop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev);
}

int
ev_set(struct ev_loop *l, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	int op = io->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;

	if (io->events == events)
		return 0;
	io->events = events;
	return epoll_ctl(l->epfd, op, io->fd, &ev);
}

void
ev_del(struct ev_loop *l, struct ev_io *io)
{
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

struct ev_tlist *
ev_tlist(struct ev_loop *l, uint64_t ms)
{
	int i;

	for (i = 0; i < l->nlists; i++)
		if (l->lists[i].ms == ms)
			return &l->lists[i];
	if (l->nlists == EV_TLISTS)
		abort();	/* a programming error: lists are fixed */
	l->lists[l->nlists].ms = ms;
	return &l->lists[l->nlists++];
}

void
ev_timer_cancel(struct ev_timer *t)
{
	struct ev_tlist *tl = t->list;

	if (tl == NULL)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		tl->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		tl->tail = t->prev;
	t->prev = t->next = NULL;
	t->list = NULL;
}

void
ev_timer_arm(struct ev_loop *l, struct ev_timer *t, struct ev_tlist *tl)
{
	ev_timer_cancel(t);
	t->deadline = l->now + tl->ms;
	t->list = tl;
	t->prev = tl->tail;
	if (tl->tail)
		tl->tail->next = t;
	else
		tl->head = t;
	tl->tail = t;
}

uint64_t
ev_now(struct ev_loop *l)
{
	return l->now;
}

void
ev_on_wait(struct ev_loop *l, void (*fn)(void))
{
	l->wait = fn;
}

void
ev_break(struct ev_loop *l)
{
	l->stop = 1;
}

/* Milliseconds until the earliest deadline, or -1 for none. */
static int
ev_next_timeout(struct ev_loop *l)
{
	uint64_t	 min = UINT64_MAX;
	int		 i;

	for (i = 0; i < l->nlists; i++)
		if (l->lists[i].head && l->lists[i].head->deadline < min)
			min = l->lists[i].head->deadline;
	if (min == UINT64_MAX)
		return -1;
	return min <= l->now ? 0 : (int)(min - l->now);
}

static void
ev_expire(struct ev_loop *l)
{
	struct ev_timer	*t;
	int		 i;

	for (i = 0; i < l->nlists; i++) {
		while ((t = l->lists[i].head) != NULL &&
		    t->deadline <= l->now) {
			ev_timer_cancel(t);
			t->cb(l, t->arg);
		}
	}
}

void
ev_set_clock(struct ev_loop *l, uint64_t (*clock)(void *), void *arg)
{
	l->clock = clock != NULL ? clock : ev_clock;
	l->clockarg = arg;
	l->now = l->clock(l->clockarg);
}

int
ev_turn(struct ev_loop *l, int block)
{
	struct epoll_event	 evs[EV_BATCH];
	struct ev_io		*io;
	int			 i, n;

	if (l->wait != NULL)
		l->wait();
	n = epoll_wait(l->epfd, evs, EV_BATCH, block ? ev_next_timeout(l) : 0);
	l->now = l->clock(l->clockarg);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		io = evs[i].data.ptr;
		io->cb(l, io->arg, evs[i].events);
	}
	ev_expire(l);
	return n;
}

int
ev_run(struct ev_loop *l)
{
	while (!l->stop)
		if (ev_turn(l, 1) == -1)
			return -1;
	return 0;
}
