#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "conn.h"
#include "log.h"
#include "mime.h"
#include "server.h"
#include "site.h"

/* Accepts per wakeup, so one busy listener cannot starve the loop. */
#define SERVER_ACCEPT_BURST	64
/* A lingering close waits this long for the client's FIN. */
#define SERVER_LINGER_MS	2000
/* A worker with no connection for this long gives memory back. */
#define SERVER_QUIET_MS		1000
/* Rendered Gopher pages kept per worker. */
#define SERVER_CACHE_BYTES	(1024 * 1024)
/* Bursts of new connections must never overflow the accept queue. */
#define SERVER_BACKLOG		4096
/*
 * A connection is accepted once its first bytes are there (or after this
 * many seconds without): the request is read at once, without a round
 * through epoll.  Clients speak first in both protocols.
 */
#define SERVER_DEFER_S		1
/*
 * Out of descriptors, a worker's listeners leave its loop for this long
 * (as nginx does): level-triggered epoll would wake it on the queue for
 * ever, and the next tries find descriptors that closing ones gave back.
 */
#define SERVER_EMFILE_MS	100

/*
 * Takes a listening socket, ours or systemd's.  What it sets is inherited
 * by every connection accepted from it: no system call per connection.
 */
static void
server_listener_add(struct server *s, int fd, const struct proto *proto,
    enum conn_io io, int activated)
{
	int one = 1, defer = SERVER_DEFER_S;

	/* replies leave whole: no Nagle delay after a short final write */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer,
	    sizeof(defer));
	s->l[s->nl].fd = fd;
	s->l[s->nl].proto = proto;
	s->l[s->nl].io = io;
	s->l[s->nl].proxy = s->proxy;
	s->l[s->nl].activated = activated;
	s->nl++;
}

static int
server_bind(struct server *s, const struct proto *proto, enum conn_io io,
    const char *addr, int port, int quiet, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 portstr[16], host[NI_MAXHOST];
	int		 fd, one = 1, rc, bound = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((rc = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (s->nl == SERVER_MAX_LISTEN) {
			snprintf(err, errlen, "too many listening sockets");
			goto fail;
		}
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			if (quiet && errno == EAFNOSUPPORT)
				continue;
			snprintf(err, errlen, "socket: %s", strerror(errno));
			goto fail;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		/* "::" and "0.0.0.0" are bound separately */
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(host, sizeof(host), "%s", addr);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, SERVER_BACKLOG) == -1) {
			rc = errno;	/* before snprintf and close touch it */
			snprintf(err, errlen, "%s%s%s port %d: %s",
			    ai->ai_family == AF_INET6 ? "[" : "", host,
			    ai->ai_family == AF_INET6 ? "]" : "", port,
			    strerror(rc));
			close(fd);
			/* no IPv6 on this machine: the default can do without */
			if (quiet && rc == EADDRNOTAVAIL)
				continue;
			goto fail;
		}
		server_listener_add(s, fd, proto, io, 0);
		bound++;
		log_info("listening on %s%s%s port %d (%s)",
		    ai->ai_family == AF_INET6 ? "[" : "", host,
		    ai->ai_family == AF_INET6 ? "]" : "", port, proto->name);
	}
	freeaddrinfo(res);
	if (!bound) {
		snprintf(err, errlen, "%s: no usable address", addr);
		return -1;
	}
	return 0;
fail:
	freeaddrinfo(res);
	return -1;
}

int
server_listen(struct server *s, const struct config *cfg,
    const struct proto *proto, enum conn_io io, int port, char *err,
    size_t errlen)
{
	size_t i;

	if (cfg->naddrs == 0) {
		/* all addresses: IPv6 where the machine has it, and IPv4 */
		if (server_bind(s, proto, io, "::", port, 1, err, errlen) == -1)
			log_warn("not listening on IPv6: %s", err);
		return server_bind(s, proto, io, "0.0.0.0", port, 0, err,
		    errlen);
	}
	for (i = 0; i < cfg->naddrs; i++)
		if (server_bind(s, proto, io, cfg->addrs[i], port, 0, err,
		    errlen) == -1)
			return -1;
	return 0;
}

int
server_adopt(struct server *s, int fd, const struct proto *proto,
    enum conn_io io, char *err, size_t errlen)
{
	int fl;

	if (s->nl == SERVER_MAX_LISTEN) {
		snprintf(err, errlen, "too many listening sockets");
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "socket %d: %s", fd, strerror(errno));
		return -1;
	}
	server_listener_add(s, fd, proto, io, 1);
	log_info("listening on socket %d from systemd (%s)", fd, proto->name);
	return 0;
}

/* Refusals are counted, and told at most every 10 s per worker. */
static void
server_refused(struct worker *w)
{
	w->refused++;
	if (ev_now(w->pool.loop) - w->refused_log < 10000 && w->refused_log != 0)
		return;
	log_warn("%d connections open, the bound: refused %lu new one%s",
	    w->srv->maxconns, w->refused, w->refused == 1 ? "" : "s");
	w->refused_log = ev_now(w->pool.loop);
	w->refused = 0;
}

/*
 * The reserve descriptor, taken again once one is free: a refusal closes
 * it for a moment, and another worker's accept may take the slot.
 */
static void
server_spare(struct worker *w)
{
	if (w->spare == -1 && w->srv->nl > 0)
		w->spare = fcntl(w->srv->l[0].fd, F_DUPFD_CLOEXEC, 0);
}

/* Out of descriptors: the listeners rest, and are tried again soon. */
static void
server_accept_pause(struct worker *w)
{
	int i;

	if (w->accept_off || w->stopping)
		return;
	for (i = 0; i < w->srv->nl; i++)
		ev_del(w->pool.loop, &w->wl[i].io);
	w->accept_off = 1;
	ev_timer_arm(w->pool.loop, &w->accept, w->t_accept);
}

static void
server_accept_resume(struct ev_loop *loop, void *arg)
{
	struct worker	*w = arg;
	int		 i;

	server_spare(w);
	if (w->stopping)
		return;
	/* until the reserve is back, it is looked for again */
	if (w->spare == -1)
		ev_timer_arm(loop, &w->accept, w->t_accept);
	if (!w->accept_off)
		return;
	w->accept_off = 0;
	for (i = 0; i < w->srv->nl; i++)
		if (ev_add(loop, &w->wl[i].io, EPOLLIN | EPOLLEXCLUSIVE) == -1)
			log_err("epoll_ctl: %s", strerror(errno));
}

/*
 * A place under the bound, taken before the connection is made: checked
 * and counted in one step, so workers accepting at once cannot overshoot.
 */
static int
server_reserve(struct server *s)
{
	if (atomic_fetch_add(&s->nconns, 1) < s->maxconns)
		return 0;
	atomic_fetch_sub(&s->nconns, 1);
	return -1;
}

/*
 * Takes up to a burst of connections; 1 when the burst was used up (more
 * may wait), 0 when the queue is empty or cannot be taken now.
 */
static int
server_accept_burst(struct worker_listener *wl)
{
	struct worker		*w = wl->w;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 fd, i;

	for (i = 0; i < SERVER_ACCEPT_BURST; i++) {
		sslen = sizeof(ss);
		fd = accept4(wl->l->fd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EMFILE && errno != ENFILE)
				return 0;	/* EAGAIN: another worker took it */
			if (w->spare != -1) {
				/*
				 * Out of descriptors: take the connection
				 * with the spare one and refuse it, so the
				 * queue drains instead of hanging.
				 */
				close(w->spare);
				w->spare = -1;
				fd = accept(wl->l->fd, NULL, NULL);
				if (fd != -1)
					close(fd);
				server_spare(w);
				if (w->spare != -1)
					continue;
			}
			server_accept_pause(w);
			return 0;
		}
		if (w->stopping || server_reserve(w->srv) == -1) {
			close(fd);	/* over the bound: refused */
			server_refused(w);
			continue;
		}
		conn_new(&w->pool, fd, wl->l->proto, wl->l->io, wl->l->proxy,
		    (struct sockaddr *)&ss, sslen);
	}
	return 1;
}

static void
server_accept(struct ev_loop *loop, void *arg, uint32_t events)
{
	(void)server_accept_burst(arg);
}

/*
 * A stop: what the kernel has queued is taken and served before the
 * socket stops listening, for closing a listener resets every connection
 * still in its queue, and a balancer without health checks (nginx
 * stream) retries only connections refused, not reset.  Sockets from
 * systemd keep listening: systemd queues what arrives for the next start.
 */
static void
server_accept_last(struct worker *w)
{
	int i;

	for (i = 0; i < w->srv->nl; i++) {
		if (!w->accept_off)
			while (server_accept_burst(&w->wl[i]) == 1)
				;
		if (!w->srv->l[i].activated)
			(void)shutdown(w->srv->l[i].fd, SHUT_RDWR);
	}
	atomic_store(&w->drained, 1);
}

/* A worker's heartbeat, for the watchdog: its loop still turns. */
static void
server_beat(struct ev_loop *loop, void *arg)
{
	struct worker *w = arg;

	atomic_fetch_add(&w->beats, 1);
	ev_timer_arm(loop, &w->beat, w->t_beat);
}

int
server_alive(struct server *s)
{
	unsigned int	 b;
	int		 i;

	for (i = 0; i < s->nworkers; i++)
		if (atomic_load(&s->workers[i].beats) ==
		    s->workers[i].beats_seen)
			return 0;
	for (i = 0; i < s->nworkers; i++) {
		b = atomic_load(&s->workers[i].beats);
		s->workers[i].beats_seen = b;
	}
	return 1;
}

static void
server_worker_closed(struct worker *w)
{
	server_spare(w);	/* a descriptor was just given back */
	if (w->stopping && w->pool.nconns == 0)
		ev_break(w->pool.loop);
	if (w->pool.nconns == 0 && w->quiet.list == NULL)
		ev_timer_arm(w->pool.loop, &w->quiet, w->t_quiet);
}

static void
server_pool_closed(struct conn_pool *pool)
{
	server_worker_closed(pool->owner);
}

/*
 * A second after the worker's last connection closed, if none is open:
 * the pages cached for a second are dropped, and the heap's free pages go
 * back to the system.  Without it a burst of connections leaves the
 * process megabytes larger for good (freed, but kept by malloc).  Under
 * steady load this runs at most once a second, and only in a lull.
 */
static void
server_quiet(struct ev_loop *loop, void *arg)
{
	struct worker *w = arg;

	if (w->pool.nconns > 0)
		return;		/* armed again when the last one closes */
	cache_expire(w->pool.cache, ev_now(loop));
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

static void
server_wake(struct ev_loop *loop, void *arg, uint32_t events)
{
	struct worker	*w = arg;
	uint64_t	 v;
	int		 i;
	struct site	*next;

	(void)!read(w->wake.fd, &v, sizeof(v));
	if ((next = atomic_exchange(&w->next_site, NULL)) != NULL) {
		site_unref(w->pool.site);
		w->pool.site = next;
	}
	if (!atomic_load(&w->stop_req) || w->stopping)
		return;
	server_accept_last(w);
	w->stopping = 1;
	ev_timer_cancel(&w->accept);
	conn_pool_hurry(&w->pool);
	for (i = 0; i < w->srv->nl && !w->accept_off; i++)
		ev_del(loop, &w->wl[i].io);
	server_worker_closed(w);
}

static void *
server_worker_main(void *arg)
{
	struct worker *w = arg;

	if (ev_run(w->pool.loop) == -1)
		log_err("event loop failed: %s", strerror(errno));
	log_flush();
	return NULL;
}

static int
server_worker_init(struct server *s, struct worker *w, char *err,
    size_t errlen)
{
	const struct config	*cfg = &s->site->cfg;
	int			 i;

	w->srv = s;
	w->pool.site = site_ref(s->site);
	w->pool.rl = s->rl;
	w->pool.spawns = s->spawns;
	w->pool.proxy_from = s->proxy_from;
	w->pool.nproxy_from = s->nproxy_from;
	w->pool.total = &s->nconns;
	w->pool.closed = server_pool_closed;
	w->pool.owner = w;
	atomic_init(&w->next_site, NULL);
	atomic_init(&w->stop_req, 0);
	w->wake.fd = -1;
	if ((w->pool.loop = ev_new()) == NULL) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	ev_on_wait(w->pool.loop, log_flush);
	if ((w->pool.mime = mime_new(err, errlen)) == NULL)
		return -1;
	if ((w->pool.cache = cache_new(SERVER_CACHE_BYTES)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->pool.t_request = ev_tlist(w->pool.loop,
	    (uint64_t)cfg->request_timeout * 1000);
	w->pool.t_idle = ev_tlist(w->pool.loop, (uint64_t)cfg->idle_timeout * 1000);
	w->pool.t_linger = ev_tlist(w->pool.loop, SERVER_LINGER_MS);
	w->pool.t_rate = ev_tlist(w->pool.loop,
	    (uint64_t)cfg->min_rate_window * 1000);
	if (cfg->reply_timeout > 0)
		w->pool.t_reply = ev_tlist(w->pool.loop,
		    (uint64_t)cfg->reply_timeout * 1000);
	w->t_quiet = ev_tlist(w->pool.loop, SERVER_QUIET_MS);
	w->quiet.cb = server_quiet;
	w->quiet.arg = w;
	w->t_accept = ev_tlist(w->pool.loop, SERVER_EMFILE_MS);
	w->accept.cb = server_accept_resume;
	w->accept.arg = w;
	atomic_init(&w->beats, 0);
	if (s->beat_ms > 0) {
		w->t_beat = ev_tlist(w->pool.loop, (uint64_t)s->beat_ms);
		w->beat.cb = server_beat;
		w->beat.arg = w;
		ev_timer_arm(w->pool.loop, &w->beat, w->t_beat);
	}
	/* any descriptor will do as the reserve; a listener's dup is one */
	w->spare = s->nl > 0 ? fcntl(s->l[0].fd, F_DUPFD_CLOEXEC, 0) : -1;
	if ((w->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	w->wake.cb = server_wake;
	w->wake.arg = w;
	if (ev_add(w->pool.loop, &w->wake, EPOLLIN) == -1)
		goto fail;
	for (i = 0; i < s->nl; i++) {
		w->wl[i].w = w;
		w->wl[i].l = &s->l[i];
		w->wl[i].io.fd = s->l[i].fd;
		w->wl[i].io.cb = server_accept;
		w->wl[i].io.arg = &w->wl[i];
		/* EPOLLEXCLUSIVE: one worker wakes per new connection */
		if (ev_add(w->pool.loop, &w->wl[i].io, EPOLLIN | EPOLLEXCLUSIVE) ==
		    -1)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
	return -1;
}

int
server_init(struct server *s, int n, char *err, size_t errlen)
{
	int i;

	if ((s->workers = calloc((size_t)n, sizeof(*s->workers))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->nworkers = n;
	s->maxconns = s->site->cfg.max_conns;
	atomic_init(&s->nconns, 0);
	for (i = 0; i < n; i++)
		if (server_worker_init(s, &s->workers[i], err, errlen) == -1)
			return -1;
	return 0;
}

int
server_run(struct server *s, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < s->nworkers; i++) {
		if ((errno = pthread_create(&s->workers[i].thread, NULL,
		    server_worker_main, &s->workers[i])) != 0) {
			snprintf(err, errlen, "pthread_create: %s",
			    strerror(errno));
			return -1;
		}
		/* named, so an operator (or a test) can tell workers apart */
		(void)pthread_setname_np(s->workers[i].thread, "yurt-worker");
	}
	return 0;
}

static void
server_wakeup(struct worker *w)
{
	uint64_t one = 1;

	(void)!write(w->wake.fd, &one, sizeof(one));
}

void
server_reload(struct server *s, struct site *site)
{
	struct site	*old;
	int		 i;

	for (i = 0; i < s->nworkers; i++) {
		/* a site a worker never took is simply dropped */
		old = atomic_exchange(&s->workers[i].next_site,
		    site_ref(site));
		site_unref(old);
		server_wakeup(&s->workers[i]);
	}
	site_unref(s->site);
	s->site = site;
}

static int
server_drained(struct server *s)
{
	int i;

	for (i = 0; i < s->nworkers; i++)
		if (!atomic_load(&s->workers[i].drained))
			return 0;
	return 1;
}

int
server_stop(struct server *s, int seconds)
{
	struct worker	*w;
	struct timespec	 ts;
	int		 i, busy = 0;

	for (i = 0; i < s->nworkers; i++) {
		atomic_store(&s->workers[i].stop_req, 1);
		server_wakeup(&s->workers[i]);
	}
	/*
	 * Each worker takes what is queued, then stops the sockets we bound
	 * (server_accept_last).  A wedged worker must not keep them open:
	 * after a while they stop here, whatever is left in their queue.
	 */
	for (i = 0; i < 100 && !server_drained(s); i++)
		usleep(10 * 1000);
	for (i = 0; i < s->nl; i++)
		if (!s->l[i].activated)
			(void)shutdown(s->l[i].fd, SHUT_RDWR);
	/* replies in flight get a bounded time to finish */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	for (i = 0; i < s->nworkers; i++) {
		w = &s->workers[i];
		if (pthread_timedjoin_np(w->thread, NULL, &ts) != 0) {
			log_warn("worker %d still busy after %d s; exiting "
			    "anyway", i, seconds);
			busy = 1;
		}
	}
	/* a worker still running owns its state: leave everything be */
	if (busy)
		return -1;
	for (i = 0; i < s->nworkers; i++) {
		w = &s->workers[i];
		conn_pool_close(&w->pool);
		site_unref(w->pool.site);
		site_unref(atomic_exchange(&w->next_site, NULL));
		mime_free(w->pool.mime);
		cache_free(w->pool.cache);
		ev_free(w->pool.loop);
		close(w->wake.fd);
		if (w->spare != -1)
			close(w->spare);
	}
	for (i = 0; i < s->nl; i++)
		close(s->l[i].fd);
	free(s->workers);
	s->workers = NULL;
	return 0;
}
