#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "pace.h"
#include "proxy.h"
#include "ratelimit.h"
#include "site.h"
#include "tls.h"

/*
 * One TLS record's worth: a small reply (header and body) leaves in a
 * single record and a single write.
 */
#define CONN_CHUNK	(16 * 1024)
/* Writes per wakeup before yielding to other connections. */
#define CONN_BURST	16
/* Bytes per sendfile(2) call. */
#define CONN_SENDFILE	(4 * 1024 * 1024)

/* a whole PROXY header must fit where the request will go */
_Static_assert(PROXY_V2_MAX <= CONN_REQ_MAX, "PROXY header buffer");

static void	conn_event(struct ev_loop *, void *, uint32_t);
static void	conn_timeout(struct ev_loop *, void *);
static void	conn_rate(struct ev_loop *, void *);
static void	conn_step(struct conn *);

/* TLS's results pass through unchanged: the codes are the same. */
_Static_assert(TLS_WANT_READ == CONN_WANT_READ &&
    TLS_WANT_WRITE == CONN_WANT_WRITE && TLS_EOF == CONN_EOF &&
    TLS_ERR == CONN_ERR, "TLS and connection I/O codes");

/*
 * Which timer runs in each state.  Reading the request (however it
 * starts: PROXY header, detection, handshake) has one deadline from the
 * accept; the reply's writing has the idle timeout, renewed as it makes
 * progress; a connection dropped without a reply and a lingering close
 * get a short one.  KEEP: the timer of the state before goes on (the
 * close_notify after a reply is still the reply's).  fresh: armed anew
 * on entry even when the list is the same.
 */
enum conn_timer { CONN_T_KEEP, CONN_T_REQUEST, CONN_T_IDLE, CONN_T_LINGER };
static const struct {
	enum conn_timer	 t;
	int		 fresh;
} conn_timers[] = {
	[CONN_PROXY] = { CONN_T_REQUEST, 0 },
	[CONN_DETECT] = { CONN_T_REQUEST, 0 },
	[CONN_HANDSHAKE] = { CONN_T_REQUEST, 0 },
	[CONN_READ] = { CONN_T_REQUEST, 0 },
	[CONN_WRITE] = { CONN_T_IDLE, 1 },
	[CONN_SHUTDOWN] = { CONN_T_KEEP, 0 },
	[CONN_DROP] = { CONN_T_LINGER, 1 },
	[CONN_FLUSH] = { CONN_T_KEEP, 0 },
	[CONN_LINGER] = { CONN_T_LINGER, 1 },
};

static struct ev_tlist *
conn_tlist(const struct conn *c, enum conn_timer t)
{
	switch (t) {
	case CONN_T_REQUEST:
		return c->pool->t_request;
	case CONN_T_IDLE:
		return c->pool->t_idle;
	case CONN_T_LINGER:
		return c->pool->t_linger;
	default:
		return NULL;
	}
}

/* Every state change goes through here, and gets its state's timer. */
static void
conn_enter(struct conn *c, enum conn_state state)
{
	struct ev_tlist *l = conn_tlist(c, conn_timers[state].t);

	if (c->state == CONN_WRITE && state != CONN_WRITE) {
		ev_timer_cancel(&c->rate);
		ev_timer_cancel(&c->reply);
	}
	c->state = state;
	if (l != NULL && (conn_timers[state].fresh || c->timer.list != l))
		ev_timer_arm(c->pool->loop, &c->timer, l);
	/* a program's pace is the program's, bounded by cgi-timeout */
	if (state != CONN_WRITE || c->prog != NULL)
		return;
	pace_start(&c->pace, ev_now(c->pool->loop));
	if (c->site->cfg.min_rate > 0 && c->pool->t_rate != NULL)
		ev_timer_arm(c->pool->loop, &c->rate, c->pool->t_rate);
	if (c->pool->t_reply != NULL)
		ev_timer_arm(c->pool->loop, &c->reply, c->pool->t_reply);
}

/* reply-timeout, or a window of min-rate's: the reply is cut (pace.c). */
static void
conn_cut(struct ev_loop *l, void *arg)
{
	struct conn *c = arg;

	pace_reset(c->io.fd);
	conn_free(c);
}

/* Over TLS what went to the socket is records, as its queue counts. */
static void
conn_rate(struct ev_loop *l, void *arg)
{
	struct conn *c = arg;

	if (pace_slow(&c->pace, pace_taken(c->io.fd, c->tls != NULL ?
	    tls_conn_sent(c->tls) : c->bytes), ev_now(l),
	    (unsigned long long)c->site->cfg.min_rate))
		conn_cut(l, c);
	else
		ev_timer_arm(l, &c->rate, c->pool->t_rate);
}

/* n bytes of the reply went out: the reader is still reading. */
static void
conn_progress(struct conn *c, size_t n)
{
	c->bytes += (unsigned long long)n;
	ev_timer_arm(c->pool->loop, &c->timer, c->pool->t_idle);
}

/*
 * The client's address as the rate limiter keys it: an IPv4 address, or
 * the /64 of an IPv6 one (a host gets a whole /64 to roam in).
 */
static size_t
conn_addr_key(const struct sockaddr *sa, unsigned char key[8])
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	if (sa->sa_family == AF_INET) {
		memcpy(key, &s4->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(key, s6->sin6_addr.s6_addr + 12, 4);
		return 4;
	}
	memcpy(key, s6->sin6_addr.s6_addr, 8);
	return 8;
}

/*
 * Who the client is: counted against its rate, named only if opted in.
 * An IPv6 /64 also draws on its /48's budget (CONN_SHARE48 hosts' worth),
 * or one site could take 65,536 fresh bursts.  -1 closes the connection:
 * an error, or a client that kept asking long after "slow down", closed
 * before it costs a TLS handshake.  Not counted: a trusted balancer's
 * own health check (PROXY LOCAL), whose budget is not a reader's.
 */
#define CONN_SHARE48	16
static int
conn_client(struct conn *c, const struct sockaddr *sa, socklen_t salen,
    int counted)
{
	char		 host[NI_MAXHOST];
	unsigned char	 key[8];
	size_t		 keylen;
	uint64_t	 now = ev_now(c->pool->loop);
	int		 far = 0;

	if ((keylen = counted ? conn_addr_key(sa, key) : 0) > 0)
		c->limited = ratelimit_take(c->pool->rl, key, keylen, 1, now,
		    &far);
	if (keylen == 8 && c->limited == 0)
		c->limited = ratelimit_take(c->pool->rl, key, 6,
		    CONN_SHARE48, now, &far);
	explicit_bzero(key, sizeof(key));
	if (far)
		return -1;
	if (!c->site->cfg.log_clients)
		return 0;
	free(c->client);
	c->client = NULL;
	if (getnameinfo(sa, salen, host, sizeof(host), NULL, 0,
	    NI_NUMERICHOST) == 0 && (c->client = strdup(host)) == NULL)
		return -1;
	return 0;
}

/* The TLS layer, when the connection speaks TLS from here on. */
static int
conn_start(struct conn *c, enum conn_io io)
{
	switch (io) {
	case CONN_IO_PLAIN:
		conn_enter(c, CONN_READ);
		break;
	case CONN_IO_TLS:
		if ((c->tls = tls_conn_new(c->site->tls, c->io.fd, NULL, 0)) ==
		    NULL)
			return -1;
		conn_enter(c, CONN_HANDSHAKE);
		break;
	case CONN_IO_DETECT:
		conn_enter(c, CONN_DETECT);
		break;
	}
	return 0;
}

void
conn_new(struct conn_pool *pool, int fd, const struct proto *proto,
    enum conn_io io, int proxy, const struct sockaddr *peer,
    socklen_t peerlen)
{
	struct conn *c;

	/* a PROXY header is believed only from the balancers named */
	if (proxy && !proxy_net_match(pool->proxy_from, pool->nproxy_from,
	    peer)) {
		atomic_fetch_sub(pool->total, 1);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		atomic_fetch_sub(pool->total, 1);
		close(fd);
		return;
	}
	c->pool = pool;
	c->site = site_ref(pool->site);
	c->proto = proto;
	c->kind = io;
	c->fd = -1;
	c->sni = -1;
	c->io.fd = fd;
	c->io.cb = conn_event;
	c->io.arg = c;
	c->timer.cb = conn_timeout;
	c->timer.arg = c;
	c->rate.cb = conn_rate;
	c->rate.arg = c;
	c->reply.cb = conn_cut;
	c->reply.arg = c;
	c->start = ev_now(pool->loop);
	buf_init(&c->body, 0);
	/* behind a balancer, the real client is named in the PROXY header */
	if (proxy)
		conn_enter(c, CONN_PROXY);
	else if (conn_client(c, peer, peerlen, 1) == -1 ||
	    conn_start(c, io) == -1)
		goto fail;
	c->next = pool->conns;
	if (pool->conns)
		pool->conns->prev = c;
	pool->conns = c;
	pool->nconns++;	/* the server-wide count was taken by the caller */
	/*
	 * Accepted once data came (TCP_DEFER_ACCEPT): the request, or the
	 * ClientHello, is read now.  Epoll hears of the connection only if
	 * it has to wait.
	 */
	conn_step(c);
	return;
fail:
	ev_timer_cancel(&c->timer);
	atomic_fetch_sub(pool->total, 1);
	tls_conn_free(c->tls);
	site_unref(c->site);
	free(c->client);
	free(c);
	close(fd);
}

void
conn_free(struct conn *c)
{
	struct conn_pool	*pool = c->pool;
	struct log_request	 lr;

	if (c->status != 0) {
		memset(&lr, 0, sizeof(lr));
		lr.proto = c->proto->name;
		lr.host = c->host;
		lr.path = c->path;
		lr.client = c->client;
		lr.status = c->status;
		lr.bytes = c->bytes;
		lr.ms = (double)(ev_now(pool->loop) - c->start);
		log_req(&lr);
	}
	ev_timer_cancel(&c->timer);
	ev_timer_cancel(&c->rate);
	ev_timer_cancel(&c->reply);
	if (c->prog != NULL)
		c->src->detach(c);
	/*
	 * No EPOLL_CTL_DEL, one system call less a request: closing the
	 * socket takes it out of the epoll set, as it is never duplicated,
	 * but for the moment a CGI child holds a copy (pool->spawns).
	 */
	if (pool->spawns && c->io.events != 0)
		ev_del(pool->loop, &c->io);
	tls_conn_free(c->tls);	/* before its socket goes */
	close(c->io.fd);
	if (c->fd != -1)
		close(c->fd);
	buf_free(&c->body);
	free(c->chunk);
	free(c->client);
	site_unref(c->site);
	if (c->prev)
		c->prev->next = c->next;
	else
		pool->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pool->nconns--;
	atomic_fetch_sub(pool->total, 1);
	free(c);
	if (pool->closed != NULL)
		pool->closed(pool);
}

void
conn_pool_hurry(struct conn_pool *pool)
{
	struct conn *c;

	/* a program's reply would hold the stop up to its time limit */
	for (c = pool->conns; c != NULL; c = c->next)
		if (c->prog != NULL)
			c->src->hurry(c);
}

void
conn_pool_close(struct conn_pool *pool)
{
	pool->closed = NULL;	/* the owner is going too */
	while (pool->conns != NULL)
		conn_free(pool->conns);
}

/*
 * A request that never completed is closed without a reply, but after
 * close_notify when TLS is up; a stalled reader or a lingering close
 * just ends.
 */
static void
conn_timeout(struct ev_loop *l, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_READ && c->tls != NULL) {
		conn_drop(c);
		conn_step(c);
	} else
		conn_free(c);
}

/* Asks epoll for what the TLS or socket layer is waiting on. */
static void
conn_want(struct conn *c, int want)
{
	if (ev_set(c->pool->loop, &c->io, want == CONN_WANT_WRITE ? EPOLLOUT :
	    EPOLLIN) == -1)
		conn_free(c);
}

static void
conn_event(struct ev_loop *l, void *arg, uint32_t events)
{
	conn_step(arg);
}

/*
 * The first byte on a port that speaks both: 0x16 opens a TLS handshake.
 * What is read is the request, or the ClientHello handed to TLS.
 */
static int
conn_detect(struct conn *c)
{
	ssize_t n;

	n = read(c->io.fd, c->req, CONN_REQ_MAX);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return CONN_WANT_READ;
	if (n <= 0)
		return CONN_ERR;
	if ((unsigned char)c->req[0] == 0x16) {
		if ((c->tls = tls_conn_new(c->site->tls, c->io.fd, c->req,
		    (size_t)n)) == NULL)
			return CONN_ERR;
		conn_enter(c, CONN_HANDSHAKE);
		return 0;
	}
	c->reqlen = (size_t)n;
	c->req[n] = '\0';
	conn_enter(c, CONN_READ);
	return 0;
}

/*
 * A PROXY header, v1 or v2.  Bytes are peeked, and only the header's own
 * are consumed: what follows belongs to TLS or to the request.  While the
 * header is incomplete every byte seen is part of it, so those are
 * consumed too (or level-triggered epoll would report them forever).
 */
static int
conn_proxy(struct conn *c)
{
	struct proxy_hdr	 h;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	ssize_t			 n;
	size_t			 want;

	want = PROXY_V2_MAX - c->reqlen;
	n = recv(c->io.fd, c->req + c->reqlen, want, MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return CONN_WANT_READ;
	if (n <= 0)
		return CONN_ERR;
	switch (proxy_parse(c->req, c->reqlen + (size_t)n, &h)) {
	case PROXY_MORE:
		if (recv(c->io.fd, c->req + c->reqlen, (size_t)n, 0) != n)
			return CONN_ERR;
		c->reqlen += (size_t)n;
		return CONN_WANT_READ;
	case PROXY_OK:
		want = h.len - c->reqlen;
		if (recv(c->io.fd, c->req + c->reqlen, want, 0) != (ssize_t)want)
			return CONN_ERR;
		c->reqlen = 0;
		/* LOCAL (a health check): the balancer is the client */
		if (h.local && getpeername(c->io.fd, (struct sockaddr *)&ss,
		    &sslen) == 0) {
			memcpy(&h.src, &ss, sizeof(ss));
			h.srclen = sslen;
		}
		if (conn_client(c, (struct sockaddr *)&h.src, h.srclen,
		    !h.local) == -1 ||
		    conn_start(c, c->kind) == -1)
			return CONN_ERR;
		return 0;
	default:
		return CONN_ERR;	/* malformed: closed without a word */
	}
}

static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	if (c->tls)
		return tls_conn_read(c->tls, p, n);
	if ((r = read(c->io.fd, p, n)) > 0)
		return r;
	if (r == 0)
		return CONN_EOF;
	return errno == EAGAIN || errno == EINTR ? CONN_WANT_READ : CONN_ERR;
}

static ssize_t
conn_write(struct conn *c, const void *p, size_t n)
{
	ssize_t r;

	if (c->tls)
		return tls_conn_write(c->tls, p, n);
	if ((r = send(c->io.fd, p, n, MSG_NOSIGNAL)) >= 0)
		return r;
	return errno == EAGAIN || errno == EINTR ? CONN_WANT_WRITE : CONN_ERR;
}

/* Reads what has arrived of the request and lets the protocol look. */
static int
conn_input(struct conn *c)
{
	ssize_t n;

	for (;;) {
		/* what came with the first read may be the whole request */
		if (c->reqlen > 0 && c->proto->input(c))
			return 0;
		if (c->reqlen == CONN_REQ_MAX)
			return CONN_ERR;
		n = conn_read(c, c->req + c->reqlen, CONN_REQ_MAX - c->reqlen);
		if (n < 0)
			return (int)n;
		c->reqlen += (size_t)n;
		c->req[c->reqlen] = '\0';
	}
}

/* Fills the chunk buffer from the generated body or the file. */
static void
conn_fill(struct conn *c)
{
	size_t	 room, n;
	ssize_t	 r;

	if (c->chunkoff == c->chunklen)
		c->chunkoff = c->chunklen = 0;
	room = CONN_CHUNK - c->chunklen;
	if (c->bodyoff < c->body.len && room > 0) {
		n = c->body.len - c->bodyoff;
		if (n > room)
			n = room;
		memcpy(c->chunk + c->chunklen, c->body.data + c->bodyoff, n);
		c->chunklen += n;
		c->bodyoff += n;
		room -= n;
	}
	/* plain TCP sends the file with sendfile(2), not through here */
	if (c->tls != NULL && c->fd != -1 && c->fileleft > 0 && room > 0) {
		n = (off_t)room < c->fileleft ? room : (size_t)c->fileleft;
		r = pread(c->fd, c->chunk + c->chunklen, n, c->fileoff);
		if (r <= 0) {
			/*
			 * The file shrank (or broke) while being sent: end
			 * the reply cleanly with what went out.
			 */
			c->fileleft = 0;
			return;
		}
		c->chunklen += (size_t)r;
		c->fileoff += r;
		c->fileleft -= r;
	}
}

/* A file over plain TCP: straight from the page cache to the socket. */
static ssize_t
conn_sendfile(struct conn *c)
{
	size_t	 want = c->fileleft < CONN_SENDFILE ? (size_t)c->fileleft :
		    CONN_SENDFILE;
	ssize_t	 n;

	n = sendfile(c->io.fd, c->fd, &c->fileoff, want);
	if (n > 0) {
		c->fileleft -= n;
		conn_progress(c, (size_t)n);
		return n;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return CONN_WANT_WRITE;
	if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
		return CONN_ERR;
	/* the file shrank or broke: the reply ends with what went out */
	c->fileleft = 0;
	return 0;
}

static int
conn_output(struct conn *c)
{
	ssize_t	 n;
	int	 burst;

	if (c->chunk == NULL && (c->chunk = malloc(CONN_CHUNK)) == NULL)
		return CONN_ERR;
	for (burst = 0; burst < CONN_BURST; burst++) {
		if (c->chunkoff == c->chunklen)
			conn_fill(c);
		if (c->chunkoff == c->chunklen && c->prog != NULL) {
			/* a program's output, a chunk at a time */
			if ((n = c->src->fill(c, c->chunk, CONN_CHUNK)) <= 0)
				return (int)n;
			c->chunkoff = 0;
			c->chunklen = (size_t)n;
		}
		if (c->chunkoff == c->chunklen) {
			if (c->tls != NULL || c->fd == -1 || c->fileleft == 0)
				return 0;	/* all sent */
			if ((n = conn_sendfile(c)) < 0)
				return (int)n;
			continue;
		}
		n = conn_write(c, c->chunk + c->chunkoff,
		    c->chunklen - c->chunkoff);
		if (n < 0)
			return (int)n;
		c->chunkoff += (size_t)n;
		conn_progress(c, (size_t)n);
	}
	/*
	 * More to send: come back next round, but what TLS gathered goes to
	 * the socket now (what it cannot take waits with us, and is all a
	 * reader that does not read costs beyond the kernel's buffers).
	 */
	if (c->tls != NULL && tls_conn_flush(c->tls) == CONN_ERR)
		return CONN_ERR;
	if (c->chunkoff == c->chunklen) {
		free(c->chunk);		/* nothing in it while we wait */
		c->chunk = NULL;
		c->chunkoff = c->chunklen = 0;
	}
	return CONN_WANT_WRITE;
}

/*
 * After the reply (and close_notify): whatever the client still sends is
 * read and dropped until it closes, since closing a socket with unread
 * bytes resets the connection and can destroy the reply in flight.
 * CONN_WANT_READ while the client is open and quiet.
 */
static int
conn_linger(struct conn *c, int *heard)
{
	char	 scratch[4096];
	ssize_t	 n;

	while ((n = read(c->io.fd, scratch, sizeof(scratch))) > 0)
		*heard = 1;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return CONN_WANT_READ;
	return CONN_EOF;
}

/*
 * Waiting for a program's output: what is buffered goes to the reader
 * first (a program that writes a line a second is seen a line a second),
 * then only the program is watched, never the socket with it.
 */
static void
conn_wait_program(struct conn *c)
{
	int r;

	if (c->tls != NULL && (r = tls_conn_flush(c->tls)) != 0) {
		if (r == CONN_WANT_WRITE)
			conn_want(c, r);
		else
			conn_free(c);
		return;
	}
	if (c->io.events != 0)
		ev_del(c->pool->loop, &c->io);
	c->io.events = 0;
	if (c->src->watch(c) == -1)
		conn_free(c);
}

void
conn_resume(struct conn *c)
{
	conn_step(c);
}

/*
 * The handshake is over and the request is not there yet.  In TLS 1.3 the
 * client's Finished is the last handshake message, and we answer nothing
 * (the session ticket leaves with the reply): a client that leaves Nagle
 * on holds its request until that Finished is acknowledged, and the
 * kernel's delayed ACK makes it wait 40 ms.  So it is acknowledged now,
 * once per connection, and only when the request did not come with it.
 */
static void
conn_quickack(struct conn *c)
{
	int one = 1;

	c->acked = 1;
	(void)setsockopt(c->io.fd, IPPROTO_TCP, TCP_QUICKACK, &one,
	    sizeof(one));
}

static void
conn_step(struct conn *c)
{
	int r = 0, heard;

	for (;;) {
		switch (c->state) {
		case CONN_PROXY:
			r = conn_proxy(c);
			break;
		case CONN_DETECT:
			r = conn_detect(c);
			break;
		case CONN_HANDSHAKE:
			if ((r = tls_conn_handshake(c->tls)) == 0) {
				c->sni = tls_conn_sni(c->tls);
				conn_enter(c, CONN_READ);
			}
			break;
		case CONN_READ:
			r = conn_input(c);
			if (r == CONN_EOF || r == CONN_ERR) {
				conn_free(c);	/* the client went away */
				return;
			}
			if (r == CONN_WANT_READ && c->tls != NULL && !c->acked)
				conn_quickack(c);
			break;
		case CONN_WRITE:
			if ((r = conn_output(c)) == 0)
				conn_enter(c, CONN_SHUTDOWN);
			break;
		case CONN_DROP:
		case CONN_SHUTDOWN:
			if (c->tls == NULL ||
			    (r = tls_conn_shutdown(c->tls)) == 0)
				conn_enter(c, CONN_FLUSH);
			break;
		case CONN_FLUSH:
			/* the last records and close_notify leave together */
			if (c->tls != NULL && (r = tls_conn_flush(c->tls)) != 0)
				break;
			/*
			 * A client that has said all it had to say is closed
			 * at once, with a FIN (as nginx does): nothing unread
			 * means no reset.  One that is still sending gets the
			 * lingering close.
			 */
			heard = 0;
			if (conn_linger(c, &heard) != CONN_WANT_READ || !heard) {
				conn_free(c);
				return;
			}
			r = 0;
			(void)shutdown(c->io.fd, SHUT_WR);
			conn_enter(c, CONN_LINGER);
			break;
		case CONN_LINGER:
			r = conn_linger(c, &heard);
			break;
		}
		if (r == CONN_WAIT) {
			conn_wait_program(c);
			return;
		}
		if (r == CONN_WANT_READ || r == CONN_WANT_WRITE) {
			conn_want(c, r);
			return;
		}
		if (r != 0) {
			conn_free(c);
			return;
		}
	}
}

void
conn_respond(struct conn *c, int status, const char *head, size_t headlen,
    struct buf *body, int fd, off_t size)
{
	c->status = status;
	if (body != NULL) {
		buf_free(&c->body);
		c->body = *body;
		buf_init(body, 0);
	}
	c->fd = fd;
	c->fileleft = fd != -1 ? size : 0;
	if ((c->chunk = malloc(CONN_CHUNK)) == NULL || headlen > CONN_CHUNK) {
		conn_drop(c);
		return;
	}
	if (c->tls != NULL && tls_conn_buffer(c->tls) == -1) {
		conn_drop(c);
		return;
	}
	memcpy(c->chunk, head, headlen);
	c->chunklen = headlen;
	c->chunkoff = 0;
	/* the header and the start of the body share one record */
	conn_fill(c);
	conn_enter(c, CONN_WRITE);
}

void
conn_drop(struct conn *c)
{
	conn_enter(c, CONN_DROP);
}
