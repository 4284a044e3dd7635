/*
 * The event loop: one per worker thread, epoll underneath, level-triggered.
 * Timers come in lists that share one duration (the request timeout, the
 * idle timeout...): re-arming a timer moves it to the tail of its list, so
 * every list stays sorted by deadline and arming, cancelling and finding
 * the next expiry are all O(1), however many connections there are.
 */
#ifndef YURT_EV_H
#define YURT_EV_H

#include <stdint.h>

struct ev_loop;

typedef void ev_io_cb(struct ev_loop *, void *arg, uint32_t events);
typedef void ev_timer_cb(struct ev_loop *, void *arg);

struct ev_io {
	int		 fd;
	uint32_t	 events;	/* what epoll is asked for now; 0: not yet */
	ev_io_cb	*cb;
	void		*arg;
};

struct ev_tlist;

struct ev_timer {
	struct ev_timer	*prev, *next;
	struct ev_tlist	*list;		/* NULL when not armed */
	uint64_t	 deadline;	/* ms, CLOCK_MONOTONIC */
	ev_timer_cb	*cb;
	void		*arg;
};

struct ev_tlist {
	struct ev_timer	*head, *tail;
	uint64_t	 ms;
};

#define EV_TLISTS	12	/* a worker uses 6, programs 2: room to grow */

struct ev_loop *ev_new(void);
void	ev_free(struct ev_loop *);
int	ev_add(struct ev_loop *, struct ev_io *, uint32_t events);
/*
 * Sets what epoll waits for; the first call adds the descriptor, so one
 * that is served at once (its data already there) never enters the set.
 */
int	ev_set(struct ev_loop *, struct ev_io *, uint32_t events);
void	ev_del(struct ev_loop *, struct ev_io *);
/* A timer list whose timers all fire ms after they are armed. */
struct ev_tlist *ev_tlist(struct ev_loop *, uint64_t ms);
void	ev_timer_arm(struct ev_loop *, struct ev_timer *, struct ev_tlist *);
void	ev_timer_cancel(struct ev_timer *);
uint64_t ev_now(struct ev_loop *);
/*
 * Called before each wait for events: work batched over a round of events
 * (log lines) is done there.
 */
void	ev_on_wait(struct ev_loop *, void (*)(void));
/* Runs until ev_break(); returns -1 if epoll fails. */
int	ev_run(struct ev_loop *);
/*
 * One turn: waits for events (up to the next deadline if block, else not
 * at all), serves them and the timers due.  The events served, or -1.
 */
int	ev_turn(struct ev_loop *, int block);
/*
 * The clock the loop reads after each wait, in ms (NULL: CLOCK_MONOTONIC).
 * For tests, which move time themselves.
 */
void	ev_set_clock(struct ev_loop *, uint64_t (*)(void *), void *arg);
void	ev_break(struct ev_loop *);

#endif
