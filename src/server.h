/*
 * The server: listening sockets, worker threads (one event loop each),
 * accepting within the connection bound.  What the workers share is
 * read-only while they run.
 */
#ifndef YURT_SERVER_H
#define YURT_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "conn.h"
#include "ev.h"

#define SERVER_MAX_LISTEN	32

struct proto;
struct proxy_net;
struct ratelimit;
struct site;

struct server_listener {
	int			 fd;
	const struct proto	*proto;
	enum conn_io		 io;
	int			 proxy;		/* expects a PROXY header */
	int			 activated;	/* systemd's, not ours */
};

struct server {
	struct site		*site;		/* the main thread's current */
	struct ratelimit	*rl;		/* NULL: no limit */
	int			 proxy;		/* PROXY protocol expected */
	/* the peers whose PROXY headers are believed (proxy-from) */
	struct proxy_net	*proxy_from;
	size_t			 nproxy_from;
	struct server_listener	 l[SERVER_MAX_LISTEN];
	int			 nl;
	struct worker		*workers;
	int			 nworkers;
	/*
	 * Open connections, all workers together: the kernel does not
	 * spread them evenly, so a share per worker would refuse early.
	 */
	atomic_int		 nconns;
	int			 maxconns;
	int			 spawns;	/* CGI scripts are started */
	/* a worker's heartbeat period for the watchdog; 0: none */
	int			 beat_ms;
};

struct worker_listener {
	struct ev_io		 io;
	struct worker		*w;
	struct server_listener	*l;
};

struct worker {
	struct server		*srv;
	struct conn_pool	 pool;		/* its connections' world */
	_Atomic(struct site *)	 next_site;	/* a reload's, not yet taken */
	atomic_int		 stop_req;
	struct ev_tlist		*t_quiet;
	struct ev_tlist		*t_accept, *t_beat;
	struct ev_timer		 quiet;		/* armed when the last closes */
	struct ev_timer		 accept;	/* listeners off (EMFILE) */
	struct ev_timer		 beat;
	atomic_uint		 beats;		/* the loop turns: it is alive */
	unsigned int		 beats_seen;	/* the main thread's */
	struct worker_listener	 wl[SERVER_MAX_LISTEN];
	struct ev_io		 wake;
	uint64_t		 refused_log;	/* when refusals were last told */
	unsigned long		 refused;
	int			 spare;		/* reserve fd for EMFILE */
	int			 accept_off;	/* listeners out of the loop */
	int			 stopping;
	atomic_int		 drained;	/* took its last connections */
	pthread_t		 thread;
};

/* Binds every configured address for one protocol; fails with a message. */
int	server_listen(struct server *, const struct config *,
	    const struct proto *, enum conn_io, int port, char *err,
	    size_t errlen);
/* Adopts an already bound socket (socket activation). */
int	server_adopt(struct server *, int fd, const struct proto *,
	    enum conn_io, char *err, size_t errlen);
/* Event loops and per-worker state, made before any sandbox is applied. */
int	server_init(struct server *, int nworkers, char *err, size_t errlen);
int	server_run(struct server *, char *err, size_t errlen);
/* Hands a new site to every worker (a reload); takes over the reference. */
void	server_reload(struct server *, struct site *);
/*
 * Stops accepting, lets responses in flight finish, joins the workers.
 * -1 when a worker was still busy after the given time: then nothing is
 * freed, and the caller should just exit.
 */
int	server_stop(struct server *, int seconds);
/*
 * 1 when every worker's loop has turned since the last call that
 * returned 1 (the watchdog may be told all is well), else 0.  For the
 * main thread only.
 */
int	server_alive(struct server *);

#endif
