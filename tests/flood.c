/*
 * flood: the hostile clients of tests/abuse.t.  One program, four modes:
 *
 *   flood slow [-T] [-n N] [-i MS] [-d SEC] HOST PORT
 *	N connections that each send one byte, then one more every MS to
 *	2*MS milliseconds (a TLS record header and a handshake that never
 *	ends with -T, otherwise 'a's without a newline), for at most SEC
 *	seconds.  Records when the server closes each one.
 *   flood hold [-n N] [-d SEC] [-x HDR] HOST PORT
 *	N connections opened as fast as possible (each sends HDR, if any)
 *	and held for SEC seconds without a word; counts those the server
 *	closed, those it answered, those still open.  (In both modes a
 *	connection not made within SEC seconds of the first counts as
 *	failed; -t bounds each connect, 10 s by default.)
 *   flood raw [-IkqR] [-H full|half] [-x HDR] [-b RCVBUF] [-D MS] [-P MS]
 *	[-c BYTES] [-t SEC] HOST PORT
 *	One plain TCP connection: sends HDR, then (with -H) all or half of
 *	a real TLS ClientHello, then (with -I) standard input, byte by byte
 *	with -D MS between bytes; -k closes right after sending.  Then,
 *	after a pause of -P MS, prints what comes back, closing after
 *	-c BYTES.  -R closes with a reset (SO_LINGER 0) instead of a FIN.
 *   flood tls [-Rq] [-x HDR] [-S N] [-b RCVBUF] [-P MS] [-c BYTES]
 *	[-t SEC] [-s SNI] HOST PORT URL
 *	A Gemini request over TLS after HDR sent in the clear (a PROXY
 *	header): only the first N bytes of "URL\r\n" with -S, then close;
 *	otherwise the response on standard output, cut after -c BYTES.
 *
 * -l ADDR (every mode) connects from the local address ADDR.
 *
 * HDR takes C escapes: \r \n \t \\ \0 and \xHH.  slow and hold print one
 * line "flood: connected N failed N in N ms" on standard error once every
 * connection is made, and their results on standard output as key=value
 * pairs.  raw and tls exit with (the same codes as tests/gg where they
 * overlap):
 *	0  the server closed the connection (tls: after close_notify)
 *	1  usage or local error
 *	2  we closed it on purpose (-k, -S or -c reached)
 *	3  reset, or (tls) EOF without close_notify
 *	4  timeout: nothing for -t seconds
 *	5  connect (tls: or handshake) failure
 *	6  any other TLS error
 * and say on standard error how many bytes came back and when.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tool/tool.h"
#include "url.h"

enum {
	FL_OK = 0,
	FL_ERR = 1,
	FL_CUT = 2,
	FL_RESET = 3,
	FL_TIMEOUT = 4,
	FL_CONNECT = 5,
	FL_TLS = 6
};

struct opts {
	const char	*host;
	const char	*port;
	const char	*url;
	const char	*sni;
	const char	*local;		/* -l: the address to connect from */
	unsigned char	*hdr;
	size_t		 hdrlen;
	const char	*hello;		/* "full", "half" or NULL */
	long		 n;
	long		 interval_ms;
	long		 duration_s;
	long		 delay_ms;
	long		 pause_ms;
	long		 cut;		/* -1: read everything */
	long		 send_max;	/* -1: everything */
	int		 timeout_ms;
	int		 rcvbuf;
	int		 tlsbytes;
	int		 rst;
	int		 kill_after_send;
	int		 use_stdin;
	int		 quiet;
};

struct slot {
	int		 fd;
	int		 open;
	long long	 t0;
	long long	 next;
	long long	 closed_ms;	/* after t0, when the server closed */
	size_t		 sent;
	size_t		 got;
};

static void	usage(void) __attribute__((noreturn));
static void	fail(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long	number(const char *, long, long, const char *);
static unsigned char *unescape(const char *, size_t *);
static int	dial(const struct opts *);
static void	nonblock(int);
static void	hard_close(int, int);
static int	send_all(int, const unsigned char *, size_t, long);
static unsigned char *client_hello(const char *, size_t *);
static void	raise_nofile(long);
static int	mode_slow(const struct opts *);
static int	mode_hold(const struct opts *);
static int	mode_raw(const struct opts *);
static int	mode_tls(const struct opts *);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: flood slow [-T] [-n N] [-i MS] [-d SEC] HOST PORT\n"
	    "       flood hold [-n N] [-d SEC] [-x HDR] HOST PORT\n"
	    "       flood raw [-IkqR] [-H full|half] [-x HDR] [-b RCVBUF] "
	    "[-D MS] [-P MS]\n"
	    "                 [-c BYTES] [-t SEC] HOST PORT\n"
	    "       flood tls [-Rq] [-x HDR] [-S N] [-b RCVBUF] [-P MS] "
	    "[-c BYTES]\n"
	    "                 [-t SEC] [-s SNI] HOST PORT URL\n");
	exit(FL_ERR);
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("flood: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(FL_ERR);
}

static long
number(const char *s, long min, long max, const char *what)
{
	long n;

	if (tool_number(s, min, max, &n) == -1)
		fail("bad %s: %s", what, s);
	return n;
}

static unsigned char *
unescape(const char *s, size_t *lenp)
{
	unsigned char	*out;
	size_t		 len = 0;
	int		 hi, lo;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		fail("out of memory");
	while (*s != '\0') {
		if (*s != '\\') {
			out[len++] = (unsigned char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r':
			out[len++] = '\r';
			break;
		case 'n':
			out[len++] = '\n';
			break;
		case 't':
			out[len++] = '\t';
			break;
		case '0':
			out[len++] = '\0';
			break;
		case '\\':
			out[len++] = '\\';
			break;
		case 'x':
			if ((hi = url_hexval(s[1])) == -1 ||
			    (lo = url_hexval(s[2])) == -1)
				fail("bad \\x escape");
			out[len++] = (unsigned char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			fail("bad escape \\%c", *s ? *s : '0');
		}
		s++;
	}
	*lenp = len;
	return out;
}

/*
 * A blocking connection whose connect, send and receive give up after
 * the timeout (Linux applies SO_SNDTIMEO to connect).  -1 on failure.
 */
static int
dial(const struct opts *o)
{
	struct addrinfo	 hints, *res, *ai;
	struct timeval	 tv;
	int		 fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &res)) != 0)
		fail("%s port %s: %s", o->host, o->port, gai_strerror(rc));
	tv.tv_sec = o->timeout_ms / 1000;
	tv.tv_usec = (o->timeout_ms % 1000) * 1000;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol)) == -1)
			continue;
		if (o->rcvbuf > 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf,
			    sizeof(o->rcvbuf));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if ((o->local == NULL || tool_bind(fd, ai->ai_family,
		    o->local) == 0) &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void
nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fail("fcntl: %s", strerror(errno));
}

/* Close; with rst, as a reset (SO_LINGER 0) rather than a FIN. */
static void
hard_close(int fd, int rst)
{
	struct linger lg;

	if (rst) {
		lg.l_onoff = 1;
		lg.l_linger = 0;
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(fd);
}

/*
 * Sends everything, byte by byte with delay_ms between bytes.  0 when all
 * went out, else the errno: the server may have closed already, which
 * is not an error for us (its reply is read anyway).
 */
static int
send_all(int fd, const unsigned char *p, size_t len, long delay_ms)
{
	size_t	 off = 0, chunk;
	ssize_t	 n;

	while (off < len) {
		chunk = delay_ms > 0 ? 1 : len - off;
		n = send(fd, p + off, chunk, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		off += (size_t)n;
		if (delay_ms > 0 && off < len)
			tool_msleep(delay_ms);
	}
	return 0;
}

/* The first flight of a real TLS client (SNI localhost), or its half. */
static unsigned char *
client_hello(const char *how, size_t *lenp)
{
	SSL_CTX		*ctx;
	SSL		*ssl;
	BIO		*rb, *wb;
	unsigned char	*out;
	char		*data;
	long		 len;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (ssl = SSL_new(ctx)) == NULL ||
	    (rb = BIO_new(BIO_s_mem())) == NULL ||
	    (wb = BIO_new(BIO_s_mem())) == NULL)
		fail("TLS set-up failed");
	SSL_set_bio(ssl, rb, wb);
	SSL_set_connect_state(ssl);
	(void)SSL_set_tlsext_host_name(ssl, "localhost");
	(void)SSL_do_handshake(ssl);	/* wants to read: the hello is out */
	if ((len = BIO_get_mem_data(wb, &data)) <= 0)
		fail("no ClientHello");
	if ((out = malloc((size_t)len)) == NULL)
		fail("out of memory");
	memcpy(out, data, (size_t)len);
	*lenp = strcmp(how, "half") == 0 ? (size_t)len / 2 : (size_t)len;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	return out;
}

static void
raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if ((rlim_t)want > rl.rlim_cur) {
		rl.rlim_cur = (rlim_t)want > rl.rlim_max ? rl.rlim_max :
		    (rlim_t)want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Reads what is there; 1 when the server has closed the connection. */
static int
drain(struct slot *s)
{
	char	 buf[4096];
	ssize_t	 n;

	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n > 0) {
			s->got += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return 1;	/* EOF or reset */
	}
}

/* Connects n slots; prints the "connected" line. */
static struct slot *
connect_all(const struct opts *o, int ep, int *nok)
{
	struct epoll_event	 ev;
	struct slot		*s;
	long long		 t0 = tool_now_ms();
	long			 i;
	int			 ok = 0, failed = 0;

	if ((s = calloc((size_t)o->n, sizeof(*s))) == NULL)
		fail("out of memory");
	for (i = 0; i < o->n; i++) {
		/* a server that stops accepting must not keep us here */
		s[i].fd = tool_now_ms() - t0 < o->duration_s * 1000 ?
		    dial(o) : -1;
		s[i].t0 = tool_now_ms();
		if (s[i].fd == -1) {
			failed++;
			continue;
		}
		if (o->hdrlen > 0)
			(void)send_all(s[i].fd, o->hdr, o->hdrlen, 0);
		nonblock(s[i].fd);
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.u64 = (uint64_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev) == -1)
			fail("epoll_ctl: %s", strerror(errno));
		s[i].open = 1;
		ok++;
	}
	fprintf(stderr, "flood: connected %d failed %d in %lld ms\n", ok,
	    failed, tool_now_ms() - t0);
	fflush(stderr);
	*nok = ok;
	return s;
}

/*
 * Waits for events until the deadline or until every slot is closed;
 * with a send schedule (slow mode) sends the bytes that are due.
 */
static void
run_slots(const struct opts *o, int ep, struct slot *s, long long deadline,
    const unsigned char *payload, size_t paylen)
{
	struct epoll_event	 evs[256];
	long long		 t, next;
	long			 i;
	int			 n, k, open = 0, wait;
	ssize_t			 r;

	for (i = 0; i < o->n; i++)
		open += s[i].open;
	while (open > 0 && (t = tool_now_ms()) < deadline) {
		next = deadline;
		if (payload != NULL) {
			for (i = 0; i < o->n; i++) {
				if (!s[i].open)
					continue;
				if (s[i].next <= t) {
					r = send(s[i].fd, payload +
					    s[i].sent % paylen, 1,
					    MSG_NOSIGNAL);
					if (r == 1)
						s[i].sent++;
					else if (r == -1 && errno != EAGAIN &&
					    errno != EINTR) {
						s[i].open = 0;
						s[i].closed_ms = t - s[i].t0;
						close(s[i].fd);
						open--;
						continue;
					}
					s[i].next = t + o->interval_ms +
					    random() % (o->interval_ms + 1);
				}
				if (s[i].next < next)
					next = s[i].next;
			}
		}
		wait = (int)(next - t);
		if (wait < 0)
			wait = 0;
		if (wait > 200)
			wait = 200;
		n = epoll_wait(ep, evs, 256, wait);
		for (k = 0; k < n; k++) {
			i = (long)evs[k].data.u64;
			if (!s[i].open || !drain(&s[i]))
				continue;
			s[i].open = 0;
			s[i].closed_ms = tool_now_ms() - s[i].t0;
			close(s[i].fd);
			open--;
		}
	}
}

static void
report(const struct opts *o, struct slot *s, int connected)
{
	long long	 first = -1, last = -1;
	long		 i;
	int		 closed = 0, replied = 0, open = 0;

	for (i = 0; i < o->n; i++) {
		if (s[i].fd == -1)
			continue;
		if (s[i].got > 0)
			replied++;
		if (s[i].open) {
			open++;
			close(s[i].fd);
			continue;
		}
		closed++;
		if (first == -1 || s[i].closed_ms < first)
			first = s[i].closed_ms;
		if (s[i].closed_ms > last)
			last = s[i].closed_ms;
	}
	printf("connected=%d failed=%ld closed=%d replied=%d open=%d "
	    "first_ms=%lld last_ms=%lld\n", connected, o->n - connected,
	    closed, replied, open, first, last);
	fflush(stdout);
}

static int
mode_slow(const struct opts *o)
{
	/* a TLS record of 16 KiB whose handshake message never ends */
	static const unsigned char tls[] = {
		0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc,
		0x03, 0x03
	};
	unsigned char	 payload[64];
	struct slot	*s;
	long		 i;
	int		 ep, connected;

	memset(payload, 'a', sizeof(payload));
	if (o->tlsbytes)
		memcpy(payload, tls, sizeof(tls));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fail("epoll: %s", strerror(errno));
	s = connect_all(o, ep, &connected);
	for (i = 0; i < o->n; i++)
		s[i].next = s[i].t0;	/* the first byte at once */
	run_slots(o, ep, s, tool_now_ms() + o->duration_s * 1000, payload,
	    sizeof(payload));
	report(o, s, connected);
	free(s);
	close(ep);
	return 0;
}

static int
mode_hold(const struct opts *o)
{
	struct slot	*s;
	int		 ep, connected;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fail("epoll: %s", strerror(errno));
	s = connect_all(o, ep, &connected);
	run_slots(o, ep, s, tool_now_ms() + o->duration_s * 1000, NULL, 0);
	/* held to the end even if all were closed: the same duration */
	report(o, s, connected);
	free(s);
	close(ep);
	return 0;
}

static int
finish(unsigned long long total, long long t0, int rc)
{
	static const char *what[] = {
		"closed by the server", "error", "closed by us", "reset",
		"timeout", "connect failed", "TLS error"
	};

	fprintf(stderr, "flood: %llu bytes in %lld ms (%s)\n", total,
	    tool_now_ms() - t0, what[rc]);
	return rc;
}

static int
mode_raw(const struct opts *o)
{
	unsigned char		 buf[16384], *req, *part, *in;
	unsigned long long	 total = 0;
	size_t			 reqlen, partlen = 0, inlen = 0;
	long long		 t0 = tool_now_ms();
	ssize_t			 n;
	int			 fd, pr;

	if (o->use_stdin) {
		if ((in = tool_read_stdin(&inlen)) == NULL)
			fail("stdin: %s", strerror(errno));
	} else
		in = NULL;
	part = o->hello ? client_hello(o->hello, &partlen) : NULL;
	reqlen = o->hdrlen + partlen + inlen;
	if ((req = malloc(reqlen + 1)) == NULL)
		fail("out of memory");
	if (o->hdrlen)
		memcpy(req, o->hdr, o->hdrlen);
	if (partlen)
		memcpy(req + o->hdrlen, part, partlen);
	if (inlen)
		memcpy(req + o->hdrlen + partlen, in, inlen);
	free(part);
	free(in);
	if ((fd = dial(o)) == -1) {
		free(req);
		return finish(0, t0, FL_CONNECT);
	}
	(void)send_all(fd, req, reqlen, o->delay_ms);
	free(req);
	if (o->kill_after_send) {
		hard_close(fd, o->rst);
		return finish(0, t0, FL_CUT);
	}
	if (o->pause_ms > 0)
		tool_msleep(o->pause_ms);
	for (;;) {
		size_t want = sizeof(buf);

		if (o->cut >= 0 && total >= (unsigned long long)o->cut) {
			hard_close(fd, o->rst);
			return finish(total, t0, FL_CUT);
		}
		if (o->cut >= 0 && (unsigned long long)o->cut - total < want)
			want = (size_t)((unsigned long long)o->cut - total);
		pr = poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1,
		    o->timeout_ms);
		if (pr == 0) {
			close(fd);
			return finish(total, t0, FL_TIMEOUT);
		}
		if (pr == -1 && errno == EINTR)
			continue;
		n = recv(fd, buf, want, 0);
		if (n == 0) {
			close(fd);
			return finish(total, t0, FL_OK);
		}
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			close(fd);
			return finish(total, t0,
			    errno == ECONNRESET ? FL_RESET : FL_ERR);
		}
		total += (unsigned long long)n;
		if (!o->quiet)
			(void)!fwrite(buf, 1, (size_t)n, stdout);
	}
}

static int
tls_read_error(SSL *ssl, int ret, int saved)
{
	unsigned long e;

	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_ZERO_RETURN:
		return FL_OK;
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return FL_TIMEOUT;	/* SO_RCVTIMEO ran out */
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && (ret == 0 || saved == 0 ||
		    saved == ECONNRESET || saved == EPIPE))
			return FL_RESET;
		if (saved == EAGAIN)
			return FL_TIMEOUT;
		return FL_TLS;
	case SSL_ERROR_SSL:
		e = ERR_peek_error();
		if (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return FL_RESET;
		return FL_TLS;
	default:
		return FL_TLS;
	}
}

static int
mode_tls(const struct opts *o)
{
	char			 buf[16384], *req;
	unsigned long long	 total = 0;
	size_t			 reqlen;
	long long		 t0 = tool_now_ms();
	SSL_CTX			*ctx;
	SSL			*ssl;
	int			 fd, ret, rc, saved;

	reqlen = strlen(o->url) + 2;
	if ((req = malloc(reqlen + 1)) == NULL)
		fail("out of memory");
	snprintf(req, reqlen + 1, "%s\r\n", o->url);
	if (o->send_max >= 0 && (size_t)o->send_max < reqlen)
		reqlen = (size_t)o->send_max;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		fail("SSL_CTX_new failed");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if ((fd = dial(o)) == -1 ||
	    (o->hdrlen > 0 && send_all(fd, o->hdr, o->hdrlen, 0) != 0)) {
		if (fd != -1)
			close(fd);
		free(req);
		SSL_CTX_free(ctx);
		return finish(0, t0, FL_CONNECT);
	}
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		fail("SSL_new failed");
	(void)SSL_set_tlsext_host_name(ssl, o->sni);
	ERR_clear_error();
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "flood: handshake failed\n");
		SSL_free(ssl);
		hard_close(fd, 0);
		free(req);
		SSL_CTX_free(ctx);
		return finish(0, t0, FL_CONNECT);
	}
	if (reqlen > 0 && SSL_write(ssl, req, (int)reqlen) <= 0)
		fprintf(stderr, "flood: write failed\n");
	free(req);
	if (o->send_max >= 0) {
		SSL_free(ssl);
		hard_close(fd, o->rst);
		SSL_CTX_free(ctx);
		return finish(0, t0, FL_CUT);
	}
	if (o->pause_ms > 0)
		tool_msleep(o->pause_ms);
	for (;;) {
		int want = (int)sizeof(buf);

		if (o->cut >= 0 && total >= (unsigned long long)o->cut) {
			rc = FL_CUT;
			break;
		}
		if (o->cut >= 0 && (unsigned long long)o->cut - total <
		    (unsigned long long)want)
			want = (int)((unsigned long long)o->cut - total);
		ERR_clear_error();
		errno = 0;
		ret = SSL_read(ssl, buf, want);
		saved = errno;
		if (ret <= 0) {
			rc = tls_read_error(ssl, ret, saved);
			break;
		}
		total += (unsigned long long)ret;
		if (!o->quiet)
			(void)!fwrite(buf, 1, (size_t)ret, stdout);
	}
	fflush(stdout);
	SSL_free(ssl);
	hard_close(fd, rc == FL_CUT && o->rst);
	SSL_CTX_free(ctx);
	return finish(total, t0, rc);
}

int
main(int argc, char *argv[])
{
	struct opts	 o;
	const char	*mode;
	int		 ch, nargs, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	argc--;
	argv++;
	memset(&o, 0, sizeof(o));
	o.n = 1;
	o.interval_ms = 1000;
	o.duration_s = 10;
	o.cut = -1;
	o.send_max = -1;
	o.timeout_ms = 10000;
	o.sni = "localhost";
	while ((ch = getopt(argc, argv, "b:c:D:d:H:Ii:kl:n:P:qRS:s:Tt:x:")) !=
	    -1) {
		switch (ch) {
		case 'b':
			o.rcvbuf = (int)number(optarg, 1, INT_MAX, "buffer");
			break;
		case 'c':
			o.cut = number(optarg, 0, LONG_MAX, "byte count");
			break;
		case 'D':
			o.delay_ms = number(optarg, 0, 60000, "delay");
			break;
		case 'd':
			o.duration_s = number(optarg, 1, 3600, "duration");
			break;
		case 'H':
			if (strcmp(optarg, "full") != 0 &&
			    strcmp(optarg, "half") != 0)
				usage();
			o.hello = optarg;
			break;
		case 'i':
			o.interval_ms = number(optarg, 1, 60000, "interval");
			break;
		case 'l':
			o.local = optarg;
			break;
		case 'k':
			o.kill_after_send = 1;
			break;
		case 'n':
			o.n = number(optarg, 1, 100000, "count");
			break;
		case 'P':
			o.pause_ms = number(optarg, 0, 3600000, "pause");
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'R':
			o.rst = 1;
			break;
		case 'S':
			o.send_max = number(optarg, 0, LONG_MAX, "byte count");
			break;
		case 's':
			o.sni = optarg;
			break;
		case 'I':
			o.use_stdin = 1;
			break;
		case 'T':
			o.tlsbytes = 1;
			break;
		case 't':
			o.timeout_ms = (int)number(optarg, 1, 3600,
			    "timeout") * 1000;
			break;
		case 'x':
			free(o.hdr);
			o.hdr = unescape(optarg, &o.hdrlen);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	nargs = strcmp(mode, "tls") == 0 ? 3 : 2;
	if (argc != nargs)
		usage();
	o.host = argv[0];
	o.port = argv[1];
	o.url = nargs == 3 ? argv[2] : NULL;
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned int)getpid());
	raise_nofile(o.n + 64);

	if (strcmp(mode, "slow") == 0)
		rc = mode_slow(&o);
	else if (strcmp(mode, "hold") == 0)
		rc = mode_hold(&o);
	else if (strcmp(mode, "raw") == 0)
		rc = mode_raw(&o);
	else if (strcmp(mode, "tls") == 0)
		rc = mode_tls(&o);
	else
		usage();
	free(o.hdr);
	return rc;
}
