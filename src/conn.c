#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "site.h"
#include "tls.h"

/*
 * One TLS record's worth: a small reply (header and body) leaves in a
 * single record and a single write.
 */
#define CONN_CHUNK	(16 * 1024)
/* Writes per wakeup before yielding to other connections. */
#define CONN_BURST	16

static void	conn_event(struct ev_loop *, void *, uint32_t);
static void	conn_timeout(struct ev_loop *, void *);
static void	conn_step(struct conn *);

struct conn *
conn_new(struct worker *w, int fd, const struct proto *proto,
    enum server_io io, const char *client)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	c->w = w;
	c->site = site_ref(w->site);
	c->proto = proto;
	c->fd = -1;
	c->sni = -1;
	c->io.fd = fd;
	c->io.cb = conn_event;
	c->io.arg = c;
	c->timer.cb = conn_timeout;
	c->timer.arg = c;
	c->start = ev_now(w->loop);
	buf_init(&c->body, 0);
	if (client != NULL && (c->client = strdup(client)) == NULL)
		goto fail;
	switch (io) {
	case SERVER_PLAIN:
		c->state = CONN_READ;
		break;
	case SERVER_TLS:
		if ((c->tls = tls_conn_new(c->site->tls, fd)) == NULL)
			goto fail;
		c->state = CONN_HANDSHAKE;
		break;
	case SERVER_DETECT:
		c->state = CONN_DETECT;
		break;
	}
	if (ev_add(w->loop, &c->io, EPOLLIN) == -1)
		goto fail;
	c->next = w->conns;
	if (w->conns)
		w->conns->prev = c;
	w->conns = c;
	w->nconns++;
	ev_timer_arm(w->loop, &c->timer, w->t_request);
	return c;
fail:
	tls_conn_free(c->tls);
	site_unref(c->site);
	free(c->client);
	free(c);
	close(fd);
	return NULL;
}

void
conn_free(struct conn *c)
{
	struct worker		*w = c->w;
	struct log_request	 lr;

	if (c->status != 0) {
		memset(&lr, 0, sizeof(lr));
		lr.proto = c->proto->name;
		lr.host = c->host;
		lr.path = c->path;
		lr.client = c->client;
		lr.status = c->status;
		lr.bytes = c->bytes;
		lr.ms = (double)(ev_now(w->loop) - c->start);
		log_req(&lr);
	}
	ev_timer_cancel(&c->timer);
	ev_del(w->loop, &c->io);
	close(c->io.fd);
	if (c->fd != -1)
		close(c->fd);
	tls_conn_free(c->tls);
	buf_free(&c->body);
	free(c->chunk);
	free(c->client);
	site_unref(c->site);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	free(c);
	server_worker_closed(w, NULL);
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
	if (ev_set(c->w->loop, &c->io, want == TLS_WANT_WRITE ? EPOLLOUT :
	    EPOLLIN) == -1)
		conn_free(c);
}

static void
conn_event(struct ev_loop *l, void *arg, uint32_t events)
{
	conn_step(arg);
}

/* The first byte on a port that speaks both: 0x16 opens a TLS handshake. */
static int
conn_detect(struct conn *c)
{
	unsigned char	 b;
	ssize_t		 n;

	n = recv(c->io.fd, &b, 1, MSG_PEEK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return TLS_WANT_READ;
	if (n <= 0)
		return TLS_ERR;
	if (b == 0x16) {
		if ((c->tls = tls_conn_new(c->site->tls, c->io.fd)) == NULL)
			return TLS_ERR;
		c->state = CONN_HANDSHAKE;
	} else
		c->state = CONN_READ;
	return 0;
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
		return TLS_EOF;
	return errno == EAGAIN || errno == EINTR ? TLS_WANT_READ : TLS_ERR;
}

static ssize_t
conn_write(struct conn *c, const void *p, size_t n)
{
	ssize_t r;

	if (c->tls)
		return tls_conn_write(c->tls, p, n);
	if ((r = send(c->io.fd, p, n, MSG_NOSIGNAL)) >= 0)
		return r;
	return errno == EAGAIN || errno == EINTR ? TLS_WANT_WRITE : TLS_ERR;
}

/* Reads what has arrived of the request and lets the protocol look. */
static int
conn_input(struct conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->reqlen == CONN_REQ_MAX)
			return c->proto->input(c) ? 0 : TLS_ERR;
		n = conn_read(c, c->req + c->reqlen, CONN_REQ_MAX - c->reqlen);
		if (n < 0)
			return (int)n;
		c->reqlen += (size_t)n;
		c->req[c->reqlen] = '\0';
		if (c->proto->input(c))
			return 0;
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
	if (c->fd != -1 && c->fileleft > 0 && room > 0) {
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

static int
conn_output(struct conn *c)
{
	ssize_t	 n;
	int	 burst;

	for (burst = 0; burst < CONN_BURST; burst++) {
		if (c->chunkoff == c->chunklen)
			conn_fill(c);
		if (c->chunkoff == c->chunklen)
			return 0;	/* all sent */
		n = conn_write(c, c->chunk + c->chunkoff,
		    c->chunklen - c->chunkoff);
		if (n < 0)
			return (int)n;
		c->chunkoff += (size_t)n;
		c->bytes += (unsigned long long)n;
		ev_timer_arm(c->w->loop, &c->timer, c->w->t_idle);
	}
	return TLS_WANT_WRITE;	/* more to send: come back next round */
}

/* After close_notify: half-close, then drain until the client closes. */
static int
conn_linger(struct conn *c)
{
	char	 scratch[4096];
	ssize_t	 n;

	while ((n = read(c->io.fd, scratch, sizeof(scratch))) > 0)
		;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return TLS_WANT_READ;
	return TLS_EOF;
}

static void
conn_step(struct conn *c)
{
	int r = 0;

	for (;;) {
		switch (c->state) {
		case CONN_DETECT:
			r = conn_detect(c);
			break;
		case CONN_HANDSHAKE:
			if ((r = tls_conn_handshake(c->tls)) == 0) {
				c->sni = tls_conn_sni(c->tls);
				c->state = CONN_READ;
			}
			break;
		case CONN_READ:
			r = conn_input(c);
			if (r == TLS_EOF || r == TLS_ERR) {
				conn_free(c);	/* the client went away */
				return;
			}
			break;
		case CONN_WRITE:
			if ((r = conn_output(c)) == 0)
				c->state = CONN_SHUTDOWN;
			break;
		case CONN_SHUTDOWN:
			if (c->tls == NULL ||
			    (r = tls_conn_shutdown(c->tls)) == 0) {
				r = 0;
				(void)shutdown(c->io.fd, SHUT_WR);
				c->state = CONN_LINGER;
				ev_timer_arm(c->w->loop, &c->timer,
				    c->w->t_linger);
			}
			break;
		case CONN_LINGER:
			r = conn_linger(c);
			break;
		}
		if (r == TLS_WANT_READ || r == TLS_WANT_WRITE) {
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
	memcpy(c->chunk, head, headlen);
	c->chunklen = headlen;
	c->chunkoff = 0;
	/* the header and the start of the body share one record */
	conn_fill(c);
	c->state = CONN_WRITE;
	ev_timer_arm(c->w->loop, &c->timer, c->w->t_idle);
}

void
conn_drop(struct conn *c)
{
	c->state = CONN_SHUTDOWN;
	ev_timer_arm(c->w->loop, &c->timer, c->w->t_linger);
}
