/*
 * loadgen: a load generator for Gemini and Gopher servers, for `make bench`
 * and the smoke test tests/loadgen.t.  One thread, epoll, non-blocking
 * sockets; every request is a new connection (and a new TLS handshake,
 * unless -r resumes a session) whose response is read to EOF.
 *
 * usage: loadgen [-qrz] [-c CONC] [-j THREADS] [-n COUNT] [-d SECONDS]
 *		  [-t SECONDS] [-R LINE] [-k N] URL
 *
 *	gemini://HOST:PORT/PATH		request "URL\r\n" over TLS
 *	gopher://HOST:PORT/TSELECTOR	request "SELECTOR\r\n" over TCP
 *	gophers://HOST:PORT/TSELECTOR	the same over TLS
 *	tls://HOST:PORT, tcp://HOST:PORT	raw: the request is -R
 *
 * -c connections in flight (default 16), shared by -j threads (default
 * 1), each with its own loop, so that the client is not the bottleneck
 * of a TLS server on a machine of several cores; -n requests in all (also
 * shared); -d seconds
 * at most (a duration run abandons what is in flight at the end: those
 * are "aborted", neither ok nor errors); -t seconds one request may take
 * (default 10); -r resumes TLS sessions (each ticket is offered once,
 * newest first; when none is left, the newest again);
 * -R sends LINE instead of the URL, with \r \n \t \\ \xHH interpreted;
 * -k N opens N connections (handshake done, nothing sent), prints
 * "ESTABLISHED ..." once all are tried, holds them -d seconds and
 * measures nothing else; -q prints only the RESULT line; -z (plain TCP)
 * has the kernel count and drop a response after its first HEAD_KEEP
 * bytes (recv MSG_TRUNC) instead of copying it out: a large file then
 * measures the server's sending, not the client's copying, which on a
 * machine of two cores is the slower of the two.
 *
 * It talks to loopback only (127.0.0.0/8, ::1): any other address is
 * refused, exit status 2, before a socket is made.  Everything is capped:
 * -d 600, -n 10,000,000, -c and -k 20,000.
 *
 * The last line is for scripts:
 *	RESULT rps=... p50_ms=... p90_ms=... p99_ms=... max_ms=... ok=...
 *	errors=... bytes=... status_20=... (one per code seen)
 * and more (ok_bytes: in complete responses; err_*: errors by kind).
 * A response is an error when connect or handshake fails, the connection
 * resets or times out, a Gemini header is not "DD META\r\n", or (any
 * other protocol) EOF comes before a single byte.  Exit status: 0 when
 * there was no error, 1 when there was, 2 on a usage or set-up error.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_DURATION	600
#define MAX_COUNT	10000000L
#define MAX_CONC	20000
#define MAX_THREADS	16
#define MAX_REQ		4096
#define HEAD_KEEP	1040	/* a Gemini header: 2 + 1 + 1024 + 2 */
#define READ_BUF	(256 * 1024)
#define READ_AHEAD	(128 * 1024)	/* TLS records read at once */
#define DISCARD_MAX	(4 * 1024 * 1024)	/* -z: dropped per recv */
#define NSTATUS		1000
#define NTICKETS	256	/* unused session tickets kept for -r */

/* Latency histogram: exact below 1024 µs, then 512 steps per octave. */
#define HIST_SUB	512
#define HIST_LINEAR	1024
#define HIST_OCTAVES	40
#define HIST_N		(HIST_LINEAR + HIST_OCTAVES * HIST_SUB)

enum scheme { SCH_GEMINI, SCH_GOPHER, SCH_GOPHERS, SCH_TLS, SCH_TCP };

enum cstate { C_FREE, C_CONNECT, C_HANDSHAKE, C_WRITE, C_READ, C_IDLE };

enum outcome {
	OUT_OK,
	OUT_CONNECT,	/* connect failed */
	OUT_TLS,		/* handshake or other TLS failure */
	OUT_RESET,	/* connection reset */
	OUT_TIMEOUT,	/* longer than -t */
	OUT_HEADER,	/* not a Gemini header */
	OUT_EMPTY,	/* EOF before any byte */
	OUT_NOUTCOME
};

static const char *const outcome_name[OUT_NOUTCOME] = {
	"ok", "connect", "tls", "reset", "timeout", "header", "empty"
};

struct conn {
	int		 fd;
	SSL		*ssl;
	enum cstate	 st;
	uint32_t	 events;	/* registered with epoll, 0: none */
	uint64_t	 start;		/* µs */
	size_t		 woff;
	uint64_t	 bytes;
	size_t		 hlen;
	int		 noclose;	/* EOF without close_notify */
	char		 head[HEAD_KEEP];
};

struct lg {
	/* settings */
	enum scheme		 scheme;
	const char		*url;
	char			 host[256];
	char			 port[8];
	char			 sni[256];	/* empty: none */
	char			 req[MAX_REQ];
	size_t			 reqlen;
	int			 raw;
	int			 tls;
	int			 resume;
	int			 quiet;
	int			 discard;	/* -z */
	long			 conc;		/* requests (handshakes) in flight */
	long			 slots;		/* connections at once */
	long			 count;		/* 0: none */
	long			 duration;	/* s, 0: none */
	long			 timeout;	/* s */
	long			 idle;		/* -k N, 0: off */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 addrstr[INET6_ADDRSTRLEN];

	/* machinery */
	SSL_CTX			*ctx;
	SSL_SESSION		*tickets[NTICKETS];	/* unused, for -r */
	int			 ntickets;
	SSL_SESSION		*session;	/* the newest ticket */
	int			 ep;
	struct conn		*conns;
	long			*freelist;
	long			 nfree;
	long			 active;
	unsigned char		*rbuf;

	/* results */
	long			 started;
	long			 finished;	/* ok + errors */
	long			 outcome[OUT_NOUTCOME];
	long			 aborted;
	long			 resumed;
	long			 handshakes;
	long			 noclose;
	uint64_t		 bytes;		/* all received */
	uint64_t		 ok_bytes;	/* in complete responses */
	long			 status[NSTATUS];
	uint64_t		*hist;
	uint64_t		 maxlat;
	long			 idle_open;
	long			 idle_closed;
	uint64_t		 t0, t1;
};

static volatile sig_atomic_t stop_signal;

static void usage(void) __attribute__((noreturn));
static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void conn_finish(struct lg *, struct conn *, enum outcome);
static void conn_step(struct lg *, struct conn *);

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen [-qrz] [-c CONC] [-j THREADS] "
	    "[-n COUNT] [-d SECONDS] [-t SECONDS] [-R LINE] [-k N] URL\n"
	    "  URL: gemini://HOST:PORT/PATH, gopher[s]://HOST:PORT/TSELECTOR,"
	    "\n       tls://HOST:PORT or tcp://HOST:PORT (with -R); "
	    "loopback only\n");
	exit(2);
}

/* A set-up failure: one message, exit status 2. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static long
num_arg(const char *s, long min, long max, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		die("%s must be a number from %ld to %ld: %s", what, min, max,
		    s);
	return v;
}

/* --- histogram ------------------------------------------------------- */

static size_t
hist_index(uint64_t v)
{
	int	 e;

	if (v < HIST_LINEAR)
		return (size_t)v;
	e = 63 - __builtin_clzll(v);	/* v in [2^e, 2^(e+1)), e >= 10 */
	if (e - 10 >= HIST_OCTAVES)
		return HIST_N - 1;
	return HIST_LINEAR + (size_t)(e - 10) * HIST_SUB +
	    (size_t)((v >> (e - 9)) - HIST_SUB);
}

/* The middle of bucket i, in µs. */
static double
hist_value(size_t i)
{
	size_t	 o, s;
	double	 lo, step;

	if (i < HIST_LINEAR)
		return (double)i;
	o = (i - HIST_LINEAR) / HIST_SUB;
	s = (i - HIST_LINEAR) % HIST_SUB;
	step = (double)(1ULL << (o + 1));
	lo = (double)(1ULL << (o + 10)) + (double)s * step;
	return lo + step / 2;
}

/* The p-th percentile of the ok requests, in ms. */
static double
percentile(const struct lg *g, double p)
{
	uint64_t	 n = (uint64_t)g->outcome[OUT_OK], want, seen = 0;
	size_t		 i;
	double		 v;

	if (n == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)n + 0.999999);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_N; i++) {
		seen += g->hist[i];
		if (seen >= want) {
			v = hist_value(i);
			if (v > (double)g->maxlat)
				v = (double)g->maxlat;
			return v / 1000.0;
		}
	}
	return (double)g->maxlat / 1000.0;
}

/* --- set-up ---------------------------------------------------------- */

/* \r \n \t \\ \xHH in s; the result in out, its length returned. */
static size_t
unescape(const char *s, char *out, size_t outlen)
{
	size_t	 n = 0;
	char	 hex[3];
	char	*end;

	while (*s != '\0') {
		if (n + 1 >= outlen)
			die("-R: request longer than %zu bytes", outlen - 1);
		if (*s != '\\') {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'r':
			out[n++] = '\r';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case '\\':
			out[n++] = '\\';
			break;
		case 'x':
			if (s[1] == '\0' || s[2] == '\0')
				die("-R: \\x needs two hex digits");
			hex[0] = s[1];
			hex[1] = s[2];
			hex[2] = '\0';
			out[n++] = (char)strtol(hex, &end, 16);
			if (*end != '\0')
				die("-R: \\x needs two hex digits");
			s += 2;
			break;
		default:
			die("-R: unknown escape \\%c", *s ? *s : '0');
		}
		s++;
	}
	out[n] = '\0';
	return n;
}

static int
addr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
		    sin6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

/*
 * SCHEME://HOST[:PORT][/REST]: host, port, SNI and the request bytes.
 * Gopher's path is /T<selector>: the type character is not sent.
 */
static void
parse_url(struct lg *g, const char *url)
{
	const char	*p, *h, *hend, *path;
	size_t		 n;
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*defport;

	if (strncmp(url, "gemini://", 9) == 0) {
		g->scheme = SCH_GEMINI;
		p = url + 9;
		defport = "1965";
	} else if (strncmp(url, "gopher://", 9) == 0) {
		g->scheme = SCH_GOPHER;
		p = url + 9;
		defport = "70";
	} else if (strncmp(url, "gophers://", 10) == 0) {
		g->scheme = SCH_GOPHERS;
		p = url + 10;
		defport = "70";
	} else if (strncmp(url, "tls://", 6) == 0) {
		g->scheme = SCH_TLS;
		p = url + 6;
		defport = NULL;
	} else if (strncmp(url, "tcp://", 6) == 0) {
		g->scheme = SCH_TCP;
		p = url + 6;
		defport = NULL;
	} else
		die("%s: not a gemini://, gopher://, gophers://, tls:// or "
		    "tcp:// URL", url);
	g->tls = g->scheme == SCH_GEMINI || g->scheme == SCH_GOPHERS ||
	    g->scheme == SCH_TLS;

	if (*p == '[') {
		h = p + 1;
		if ((hend = strchr(h, ']')) == NULL)
			die("%s: unterminated [", url);
		p = hend + 1;
	} else {
		h = p;
		hend = p + strcspn(p, ":/?#");
		p = hend;
	}
	n = (size_t)(hend - h);
	if (n == 0 || n >= sizeof(g->host))
		die("%s: bad host", url);
	memcpy(g->host, h, n);
	g->host[n] = '\0';
	if (*p == ':') {
		p++;
		n = strspn(p, "0123456789");
		if (n == 0 || n >= sizeof(g->port))
			die("%s: bad port", url);
		memcpy(g->port, p, n);
		g->port[n] = '\0';
		p += n;
	} else if (defport != NULL)
		snprintf(g->port, sizeof(g->port), "%s", defport);
	else
		die("%s: a port is needed", url);
	num_arg(g->port, 1, 65535, "port");
	if (*p != '\0' && *p != '/' && *p != '?')
		die("%s: bad URL after the port", url);
	path = p;

	/* SNI: the URL's host when it is a name */
	if (inet_pton(AF_INET, g->host, &a4) != 1 &&
	    inet_pton(AF_INET6, g->host, &a6) != 1)
		snprintf(g->sni, sizeof(g->sni), "%s", g->host);

	if (g->raw)
		return;
	switch (g->scheme) {
	case SCH_GEMINI:
		n = strlen(url);
		if (n + 2 >= sizeof(g->req))
			die("%s: URL too long", url);
		memcpy(g->req, url, n);
		memcpy(g->req + n, "\r\n", 3);
		g->reqlen = n + 2;
		break;
	case SCH_GOPHER:
	case SCH_GOPHERS:
		if (*path == '/')
			path++;
		if (*path != '\0')
			path++;		/* the item type */
		n = strlen(path);
		if (n + 2 >= sizeof(g->req))
			die("%s: selector too long", url);
		memcpy(g->req, path, n);
		memcpy(g->req + n, "\r\n", 3);
		g->reqlen = n + 2;
		break;
	case SCH_TLS:
	case SCH_TCP:
		die("%s: tls:// and tcp:// need -R", url);
	}
}

/*
 * Resolve and pick a loopback address (IPv4 first).  Nothing else is
 * ever a target: this runs before any socket exists.
 */
static void
resolve(struct lg *g)
{
	struct addrinfo	 hints, *res, *ai, *pick = NULL;
	char		 other[INET6_ADDRSTRLEN] = "";
	int		 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(g->host, g->port, &hints, &res)) != 0)
		die("%s: %s", g->host, gai_strerror(e));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (!addr_is_loopback(ai->ai_addr)) {
			if (other[0] == '\0')
				(void)getnameinfo(ai->ai_addr, ai->ai_addrlen,
				    other, sizeof(other), NULL, 0,
				    NI_NUMERICHOST);
			continue;
		}
		if (pick == NULL || (pick->ai_family != AF_INET &&
		    ai->ai_family == AF_INET))
			pick = ai;
	}
	if (pick == NULL) {
		freeaddrinfo(res);
		fprintf(stderr, "loadgen: %s (%s) is not a loopback address: "
		    "refusing to send load anywhere but 127.0.0.0/8 or ::1\n",
		    g->host, other[0] ? other : "?");
		exit(2);
	}
	memcpy(&g->addr, pick->ai_addr, pick->ai_addrlen);
	g->addrlen = pick->ai_addrlen;
	(void)getnameinfo(pick->ai_addr, pick->ai_addrlen, g->addrstr,
	    sizeof(g->addrstr), NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
}

static void
raise_nofile(long need)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= (rlim_t)need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need)
		rl.rlim_max = (rlim_t)need;	/* works for root */
	rl.rlim_cur = (rlim_t)need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		(void)getrlimit(RLIMIT_NOFILE, &rl);
		die("%ld connections need %ld descriptors, RLIMIT_NOFILE "
		    "allows %llu", need - 64, need,
		    (unsigned long long)rl.rlim_max);
	}
}

/*
 * Every ticket received is offered once, newest first, as TLS 1.3 asks of
 * clients (RFC 8446, C.4), and servers may insist on (OpenSSL's do).
 * When none is left unused, the newest one is offered again.
 */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct lg *g = SSL_get_app_data(ssl);

	if (g->ntickets == NTICKETS) {
		SSL_SESSION_free(g->tickets[0]);
		memmove(g->tickets, g->tickets + 1,
		    (NTICKETS - 1) * sizeof(g->tickets[0]));
		g->ntickets--;
	}
	g->tickets[g->ntickets++] = sess;
	SSL_SESSION_up_ref(sess);
	if (g->session != NULL)
		SSL_SESSION_free(g->session);
	g->session = sess;
	return 1;	/* we keep the reference */
}

static void
offer_session(struct lg *g, SSL *ssl)
{
	SSL_SESSION	*sess;

	if (g->ntickets > 0) {
		sess = g->tickets[--g->ntickets];
		SSL_set_session(ssl, sess);	/* takes its own reference */
		SSL_SESSION_free(sess);
	} else if (g->session != NULL)
		SSL_set_session(ssl, g->session);
}

static void
tls_setup(struct lg *g)
{
	if ((g->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(g->ctx, TLS1_2_VERSION);
	/*
	 * Records are read as many as have come, not 5 bytes and then the
	 * rest: two reads a record would make the client, sharing the
	 * machine with the server, the slower of the two on large files.
	 */
	SSL_CTX_set_read_ahead(g->ctx, 1);
	SSL_CTX_set_default_read_buffer_len(g->ctx, READ_AHEAD);
	/* load, not identity: no certificate is checked */
	SSL_CTX_set_verify(g->ctx, SSL_VERIFY_NONE, NULL);
	if (g->resume) {
		SSL_CTX_set_session_cache_mode(g->ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(g->ctx, new_session);
	} else
		SSL_CTX_set_options(g->ctx, SSL_OP_NO_TICKET);
}

/* --- connections ----------------------------------------------------- */

static void
conn_want(struct lg *g, struct conn *c, uint32_t ev)
{
	struct epoll_event	 e;

	if (c->events == ev)
		return;
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(g->ep, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
	    c->fd, &e) == -1)
		die("epoll_ctl: %s", strerror(errno));
	c->events = ev;
}

static void
conn_close(struct lg *g, struct conn *c)
{
	if (c->ssl != NULL) {
		/*
		 * No close_notify is sent (the server closes first), but
		 * unless the connection says it was shut down, SSL_free
		 * marks its session, the newest ticket, not resumable.
		 */
		SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd != -1)
		close(c->fd);	/* leaves the epoll set too */
	c->fd = -1;
	c->events = 0;
	c->st = C_FREE;
	g->active--;
	g->freelist[g->nfree++] = c - g->conns;
	ERR_clear_error();
}

/* Is a Gemini header "DD\r\n" or "DD META\r\n"?  Its code, or -1. */
static int
gemini_status(const struct conn *c)
{
	const char	*h = c->head;
	size_t		 i;

	if (c->hlen < 4 || h[0] < '0' || h[0] > '9' || h[1] < '0' ||
	    h[1] > '9')
		return -1;
	if (h[2] == '\r')
		return h[3] == '\n' ? (h[0] - '0') * 10 + h[1] - '0' : -1;
	if (h[2] != ' ')
		return -1;
	for (i = 3; i + 1 < c->hlen && i < 3 + 1024 + 1; i++) {
		if (h[i] == '\r')
			return h[i + 1] == '\n' ?
			    (h[0] - '0') * 10 + h[1] - '0' : -1;
		if (h[i] == '\n')
			return -1;
	}
	return -1;
}

/* "HTTP/1.x NNN ...": the code, or -1 (the s_server -WWW reference). */
static int
http_status(const struct conn *c)
{
	const char	*h = c->head;

	if (c->hlen < 12 || strncmp(h, "HTTP/", 5) != 0 || h[8] != ' ' ||
	    h[9] < '1' || h[9] > '5' || h[10] < '0' || h[10] > '9' ||
	    h[11] < '0' || h[11] > '9')
		return -1;
	return (h[9] - '0') * 100 + (h[10] - '0') * 10 + h[11] - '0';
}

static void
conn_finish(struct lg *g, struct conn *c, enum outcome r)
{
	uint64_t	 lat;
	int		 code = -1;

	if (r == OUT_OK) {
		if (c->bytes == 0)
			r = OUT_EMPTY;
		else if (g->scheme == SCH_GEMINI &&
		    (code = gemini_status(c)) == -1)
			r = OUT_HEADER;
		else if (g->scheme == SCH_TLS || g->scheme == SCH_TCP)
			code = http_status(c);
	}
	g->outcome[r]++;
	g->finished++;
	if (r == OUT_OK) {
		lat = now_us() - c->start;
		g->hist[hist_index(lat)]++;
		if (lat > g->maxlat)
			g->maxlat = lat;
		if (code >= 0 && code < NSTATUS)
			g->status[code]++;
		g->ok_bytes += c->bytes;
		g->noclose += c->noclose;
	}
	conn_close(g, c);
}

/* Opens the connection; its outcome may be known at once. */
static void
conn_start(struct lg *g, struct conn *c)
{
	int	 one = 1;

	c->st = C_CONNECT;
	c->events = 0;
	c->ssl = NULL;
	c->woff = 0;
	c->bytes = 0;
	c->hlen = 0;
	c->noclose = 0;
	c->start = now_us();
	g->active++;
	g->started++;
	c->fd = socket(g->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		conn_finish(g, c, OUT_CONNECT);
		return;
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&g->addr, g->addrlen) == -1 &&
	    errno != EINPROGRESS) {
		conn_finish(g, c, OUT_CONNECT);
		return;
	}
	conn_want(g, c, EPOLLOUT);
}

/* What an SSL call's failure means: 1 wait, 0 done (EOF), -1 error. */
static int
tls_result(struct lg *g, struct conn *c, int ret, enum outcome *r)
{
	unsigned long	 e;
	int		 saved = errno;

	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		conn_want(g, c, EPOLLIN);
		return 1;
	case SSL_ERROR_WANT_WRITE:
		conn_want(g, c, EPOLLOUT);
		return 1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && ret == 0 && saved == 0) {
			c->noclose = 1;
			return 0;
		}
		*r = saved == ECONNRESET || saved == EPIPE ? OUT_RESET : OUT_TLS;
		return -1;
	case SSL_ERROR_SSL:
		e = ERR_peek_error();
		if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			c->noclose = 1;
			return 0;
		}
		*r = OUT_TLS;
		return -1;
	default:
		*r = OUT_TLS;
		return -1;
	}
}

static void
conn_consume(struct lg *g, struct conn *c, const unsigned char *p, size_t n)
{
	size_t	 room = sizeof(c->head) - c->hlen;

	c->bytes += n;
	g->bytes += n;
	if (room > 0) {
		if (room > n)
			room = n;
		memcpy(c->head + c->hlen, p, room);
		c->hlen += room;
	}
}

/* The connection is open (and the handshake done): hold it or ask. */
static void
conn_ready(struct lg *g, struct conn *c)
{
	if (g->idle) {
		c->st = C_IDLE;
		g->idle_open++;
		conn_want(g, c, EPOLLIN);
	} else
		c->st = C_WRITE;
}

/* Runs the connection as far as it goes without blocking. */
static void
conn_step(struct lg *g, struct conn *c)
{
	enum outcome	 r = OUT_TLS;
	ssize_t		 n;
	socklen_t	 len;
	int		 ret, err, i;

	switch (c->st) {
	case C_CONNECT:
		len = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			conn_finish(g, c, OUT_CONNECT);
			return;
		}
		if (!g->tls) {
			conn_ready(g, c);
			break;
		}
		if ((c->ssl = SSL_new(g->ctx)) == NULL ||
		    !SSL_set_fd(c->ssl, c->fd)) {
			conn_finish(g, c, OUT_TLS);
			return;
		}
		SSL_set_app_data(c->ssl, g);
		SSL_set_connect_state(c->ssl);
		if (g->sni[0] != '\0')
			SSL_set_tlsext_host_name(c->ssl, g->sni);
		if (g->resume)
			offer_session(g, c->ssl);
		c->st = C_HANDSHAKE;
		/* FALLTHROUGH */
	case C_HANDSHAKE:
		ERR_clear_error();
		errno = 0;
		if ((ret = SSL_do_handshake(c->ssl)) != 1) {
			switch (tls_result(g, c, ret, &r)) {
			case 1:
				return;
			case 0:
				r = OUT_TLS;	/* EOF in the handshake */
				/* FALLTHROUGH */
			default:
				conn_finish(g, c, r);
				return;
			}
		}
		g->handshakes++;
		if (SSL_session_reused(c->ssl))
			g->resumed++;
		conn_ready(g, c);
		break;
	default:
		break;
	}

	switch (c->st) {
	case C_WRITE:
		while (c->woff < g->reqlen) {
			if (c->ssl != NULL) {
				ERR_clear_error();
				errno = 0;
				ret = SSL_write(c->ssl, g->req + c->woff,
				    (int)(g->reqlen - c->woff));
				if (ret <= 0) {
					switch (tls_result(g, c, ret, &r)) {
					case 1:
						return;
					case 0:		/* closed first */
						r = OUT_RESET;
						break;
					}
					conn_finish(g, c, r);
					return;
				}
				c->woff += (size_t)ret;
			} else {
				n = write(c->fd, g->req + c->woff,
				    g->reqlen - c->woff);
				if (n == -1 && errno == EAGAIN) {
					conn_want(g, c, EPOLLOUT);
					return;
				}
				if (n <= 0) {
					conn_finish(g, c, OUT_RESET);
					return;
				}
				c->woff += (size_t)n;
			}
		}
		c->st = C_READ;
		/* FALLTHROUGH */
	case C_READ:
		/*
		 * Bounded: other connections get their turn, once the records
		 * read ahead are used (epoll would not tell of those).
		 */
		for (i = 0; i < 64 || (c->ssl != NULL &&
		    SSL_has_pending(c->ssl)); i++) {
			if (c->ssl != NULL) {
				ERR_clear_error();
				errno = 0;
				ret = SSL_read(c->ssl, g->rbuf, READ_BUF);
				if (ret > 0) {
					conn_consume(g, c, g->rbuf,
					    (size_t)ret);
					continue;
				}
				switch (tls_result(g, c, ret, &r)) {
				case 1:
					return;
				case 0:
					conn_finish(g, c, OUT_OK);
					return;
				default:
					conn_finish(g, c, r);
					return;
				}
			}
			if (g->discard && c->hlen == sizeof(c->head)) {
				/* counted and dropped, never copied out */
				n = recv(c->fd, NULL, DISCARD_MAX, MSG_TRUNC);
				if (n > 0) {
					c->bytes += (size_t)n;
					g->bytes += (size_t)n;
					continue;
				}
			} else
				n = read(c->fd, g->rbuf, READ_BUF);
			if (n > 0) {
				conn_consume(g, c, g->rbuf, (size_t)n);
				continue;
			}
			if (n == 0) {
				conn_finish(g, c, OUT_OK);
				return;
			}
			if (errno == EAGAIN || errno == EINTR) {
				conn_want(g, c, EPOLLIN);
				return;
			}
			conn_finish(g, c, OUT_RESET);
			return;
		}
		conn_want(g, c, EPOLLIN);
		return;
	case C_IDLE:
		/* the peer closed (or sent something): no longer held */
		if (!(c->events & EPOLLIN))
			return;
		if (c->ssl != NULL) {
			ERR_clear_error();
			errno = 0;
			ret = SSL_read(c->ssl, g->rbuf, READ_BUF);
			if (ret > 0 || tls_result(g, c, ret, &r) == 1)
				return;
		} else {
			n = read(c->fd, g->rbuf, READ_BUF);
			if (n > 0 || (n == -1 && errno == EAGAIN))
				return;
		}
		g->idle_open--;
		g->idle_closed++;
		conn_close(g, c);
		return;
	default:
		return;
	}
}

/* --- the run --------------------------------------------------------- */

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static void
expire(struct lg *g, uint64_t now)
{
	uint64_t	 limit = (uint64_t)g->timeout * 1000000;
	long		 i;

	for (i = 0; i < g->slots; i++) {
		struct conn *c = &g->conns[i];

		if (c->st != C_FREE && c->st != C_IDLE &&
		    now - c->start > limit)
			conn_finish(g, c, OUT_TIMEOUT);
	}
}

static int
may_start(const struct lg *g, uint64_t now, uint64_t deadline)
{
	if (stop_signal)
		return 0;
	if (g->idle)	/* -c handshakes at a time */
		return g->started < g->idle &&
		    g->active - g->idle_open < g->conc;
	if (g->count && g->started >= g->count)
		return 0;
	return now < deadline;
}

static void
run(struct lg *g)
{
	struct epoll_event	*evs;
	uint64_t		 now, deadline, hold_end = 0, next_expire;
	long			 i, n, nev;
	int			 established = 0, ms;

	if ((g->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	if ((evs = calloc(1024, sizeof(*evs))) == NULL)
		die("out of memory");
	g->t0 = now = now_us();
	deadline = now + (uint64_t)g->duration * 1000000;
	next_expire = now + 200000;
	for (;;) {
		now = now_us();
		if (stop_signal)
			break;
		if (!g->idle && now >= deadline)
			break;
		if (!g->idle && g->count && g->finished >= g->count)
			break;
		if (g->idle && established && now >= hold_end)
			break;
		/* start what may start; a failure at once waits a turn */
		n = g->nfree;
		for (i = 0; i < n && may_start(g, now, deadline); i++)
			conn_start(g, &g->conns[g->freelist[--g->nfree]]);
		if (g->idle && !established && g->started >= g->idle &&
		    g->active == g->idle_open) {
			established = 1;
			hold_end = now_us() + (uint64_t)g->duration * 1000000;
			if (!g->quiet)
				printf("ESTABLISHED open=%ld failed=%ld "
				    "t=%.3f\n", g->idle_open,
				    g->finished, (double)(now_us() - g->t0) /
				    1e6);
			else
				printf("ESTABLISHED open=%ld failed=%ld\n",
				    g->idle_open, g->finished);
			fflush(stdout);
		}
		if (g->idle && !established &&
		    now - g->t0 > (uint64_t)(g->timeout + MAX_DURATION) *
		    1000000)
			break;
		ms = 100;
		if (!g->idle && deadline - now < 100000)
			ms = (int)((deadline - now) / 1000) + 1;
		if ((nev = epoll_wait(g->ep, evs, 1024, ms)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < nev; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->st != C_FREE)
				conn_step(g, c);
		}
		now = now_us();
		if (now >= next_expire) {
			expire(g, now);
			next_expire = now + 200000;
		}
	}
	g->t1 = now_us();
	/* what is still in flight (or held) is neither ok nor an error */
	for (i = 0; i < g->slots; i++)
		if (g->conns[i].st != C_FREE) {
			if (!g->idle)
				g->aborted++;
			conn_close(g, &g->conns[i]);
		}
	free(evs);
	close(g->ep);
}

static void
report(const struct lg *g)
{
	double	 secs = (double)(g->t1 - g->t0) / 1e6;
	double	 rps = secs > 0 ? (double)g->outcome[OUT_OK] / secs : 0;
	long	 errors = g->finished - g->outcome[OUT_OK];
	const char	*sep;
	int		 i, first;

	if (g->idle) {
		if (!g->quiet)
			printf("loadgen: %s held %ld of %ld connections, "
			    "%ld failed to open, %ld closed by the server\n",
			    g->url, g->idle_open, g->idle, errors,
			    g->idle_closed);
		printf("RESULT idle_open=%ld idle_closed=%ld errors=%ld "
		    "elapsed_s=%.3f", g->idle_open, g->idle_closed, errors,
		    secs);
		for (i = 1; i < OUT_NOUTCOME; i++)
			printf(" err_%s=%ld", outcome_name[i], g->outcome[i]);
		printf("\n");
		return;
	}
	if (!g->quiet) {
		printf("loadgen: %s (%s) concurrency %ld%s\n", g->url,
		    g->addrstr, g->conc, g->resume ? ", resuming sessions" :
		    "");
		printf("  requests  %ld ok, %ld errors", g->outcome[OUT_OK],
		    errors);
		sep = " (";
		for (i = 1; i < OUT_NOUTCOME; i++)
			if (g->outcome[i]) {
				printf("%s%s %ld", sep, outcome_name[i],
				    g->outcome[i]);
				sep = ", ";
			}
		printf("%s, %ld aborted at the end\n", sep[0] == ',' ? ")" :
		    "", g->aborted);
		printf("  time      %.3f s, %.1f requests/s, %.1f MB "
		    "(%.1f MB/s)\n", secs, rps, (double)g->bytes / 1e6,
		    secs > 0 ? (double)g->bytes / 1e6 / secs : 0);
		printf("  latency   p50 %.3f  p90 %.3f  p99 %.3f  max %.3f ms\n",
		    percentile(g, 50), percentile(g, 90), percentile(g, 99),
		    (double)g->maxlat / 1000.0);
		if (g->tls)
			printf("  tls       %ld handshakes, %ld resumed, %ld "
			    "responses ended without close_notify\n",
			    g->handshakes, g->resumed, g->noclose);
		first = 1;
		for (i = 0; i < NSTATUS; i++)
			if (g->status[i]) {
				printf("%s%02d: %ld", first ? "  status   " :
				    ", ", i, g->status[i]);
				first = 0;
			}
		if (!first)
			printf("\n");
	}
	printf("RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
	    "max_ms=%.3f ok=%ld errors=%ld bytes=%llu ok_bytes=%llu "
	    "elapsed_s=%.3f aborted=%ld resumed=%ld noclose=%ld", rps,
	    percentile(g, 50), percentile(g, 90), percentile(g, 99),
	    (double)g->maxlat / 1000.0, g->outcome[OUT_OK], errors,
	    (unsigned long long)g->bytes, (unsigned long long)g->ok_bytes,
	    secs, g->aborted, g->resumed, g->noclose);
	for (i = 1; i < OUT_NOUTCOME; i++)
		printf(" err_%s=%ld", outcome_name[i], g->outcome[i]);
	for (i = 0; i < NSTATUS; i++)
		if (g->status[i])
			printf(" status_%02d=%ld", i, g->status[i]);
	printf("\n");
}

/* Connections (or requests) of thread t of n: n shares, as even as can be. */
static long
share(long total, int n, int t)
{
	return total / n + (t < total % n ? 1 : 0);
}

static void
lg_setup(struct lg *g)
{
	long i;

	if (g->tls)
		tls_setup(g);
	g->conns = calloc((size_t)g->slots, sizeof(*g->conns));
	g->freelist = calloc((size_t)g->slots, sizeof(*g->freelist));
	g->hist = calloc(HIST_N, sizeof(*g->hist));
	g->rbuf = malloc(READ_BUF);
	if (g->conns == NULL || g->freelist == NULL || g->hist == NULL ||
	    g->rbuf == NULL)
		die("out of memory");
	for (i = g->slots - 1; i >= 0; i--) {
		g->conns[i].fd = -1;
		g->freelist[g->nfree++] = i;
	}
}

static void
lg_free(struct lg *g)
{
	if (g->session != NULL)
		SSL_SESSION_free(g->session);
	while (g->ntickets > 0)
		SSL_SESSION_free(g->tickets[--g->ntickets]);
	SSL_CTX_free(g->ctx);
	free(g->conns);
	free(g->freelist);
	free(g->hist);
	free(g->rbuf);
}

/* Adds a thread's results to the whole. */
static void
lg_merge(struct lg *to, const struct lg *from)
{
	size_t i;

	to->started += from->started;
	to->finished += from->finished;
	for (i = 0; i < OUT_NOUTCOME; i++)
		to->outcome[i] += from->outcome[i];
	for (i = 0; i < NSTATUS; i++)
		to->status[i] += from->status[i];
	for (i = 0; i < HIST_N; i++)
		to->hist[i] += from->hist[i];
	to->aborted += from->aborted;
	to->resumed += from->resumed;
	to->handshakes += from->handshakes;
	to->noclose += from->noclose;
	to->bytes += from->bytes;
	to->ok_bytes += from->ok_bytes;
	to->idle_open += from->idle_open;
	to->idle_closed += from->idle_closed;
	if (from->maxlat > to->maxlat)
		to->maxlat = from->maxlat;
	if (from->t0 < to->t0)
		to->t0 = from->t0;
	if (from->t1 > to->t1)
		to->t1 = from->t1;
}

static void *
run_thread(void *arg)
{
	run(arg);
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct lg	 lg;
	struct lg		*g = &lg;
	struct sigaction	 sa;
	const char		*rawline = NULL;
	struct lg		*w;
	pthread_t		*tids;
	long			 errors;
	int			 ch, t, threads = 1;

	g->conc = 16;
	g->timeout = 10;
	while ((ch = getopt(argc, argv, "c:d:hj:k:n:qR:rt:z")) != -1) {
		switch (ch) {
		case 'c':
			g->conc = num_arg(optarg, 1, MAX_CONC, "-c");
			break;
		case 'd':
			g->duration = num_arg(optarg, 1, MAX_DURATION, "-d");
			break;
		case 'j':
			threads = (int)num_arg(optarg, 1, MAX_THREADS, "-j");
			break;
		case 'k':
			g->idle = num_arg(optarg, 1, MAX_CONC, "-k");
			break;
		case 'n':
			g->count = num_arg(optarg, 1, MAX_COUNT, "-n");
			break;
		case 'q':
			g->quiet = 1;
			break;
		case 'R':
			rawline = optarg;
			break;
		case 'r':
			g->resume = 1;
			break;
		case 't':
			g->timeout = num_arg(optarg, 1, MAX_DURATION, "-t");
			break;
		case 'z':
			g->discard = 1;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	g->url = argv[optind];
	if (rawline != NULL) {
		g->raw = 1;
		g->reqlen = unescape(rawline, g->req, sizeof(g->req));
	}
	parse_url(g, g->url);
	resolve(g);	/* refuses anything but loopback: no socket yet */

	if (g->idle) {
		if (g->duration == 0)
			die("-k needs -d SECONDS to hold the connections");
		if (g->count)
			die("-k measures nothing else: no -n");
		g->slots = g->idle;
	} else {
		if (g->count == 0 && g->duration == 0)
			g->count = 1000;
		g->slots = g->conc;
	}
	if (g->duration == 0)
		g->duration = MAX_DURATION;
	raise_nofile(g->slots + 64);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* threads: each a loop of its own with its share of the load */
	if (g->idle || threads > g->conc)
		threads = g->idle ? 1 : (int)g->conc;
	if (g->count && threads > g->count)
		threads = (int)g->count;
	if ((w = calloc((size_t)threads, sizeof(*w))) == NULL ||
	    (tids = calloc((size_t)threads, sizeof(*tids))) == NULL)
		die("out of memory");
	for (t = 0; t < threads; t++) {
		w[t] = *g;
		w[t].conc = share(g->conc, threads, t);
		w[t].slots = g->idle ? g->slots : w[t].conc;
		w[t].count = g->count ? share(g->count, threads, t) : 0;
		lg_setup(&w[t]);
	}
	for (t = 1; t < threads; t++)
		if (pthread_create(&tids[t], NULL, run_thread, &w[t]) != 0)
			die("pthread_create failed");
	run(&w[0]);
	for (t = 1; t < threads; t++)
		pthread_join(tids[t], NULL);
	if ((g->hist = calloc(HIST_N, sizeof(*g->hist))) == NULL)
		die("out of memory");
	g->t0 = w[0].t0;
	for (t = 0; t < threads; t++) {
		lg_merge(g, &w[t]);
		lg_free(&w[t]);
	}
	report(g);
	errors = g->finished - g->outcome[OUT_OK];
	free(g->hist);
	free(w);
	free(tids);
	return errors ? 1 : 0;
}
