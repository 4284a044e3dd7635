/*
 * gg: a small Gemini client for the black-box tests (after gmid's
 * regress/gg).  It speaks real TLS, never verifies the certificate, prints
 * the response as it arrives and says through its exit status how the
 * connection ended, which is what most protocol tests need to know:
 *
 *	0  the server sent close_notify after the response
 *	1  usage or local error
 *	3  EOF (or reset) without close_notify: a truncated response
 *	4  timeout: nothing arrived for -t seconds (handshake included)
 *	5  connect or handshake failure
 *	6  any other TLS error
 *
 * usage: gg [-Bfhnqrv] [-b RCVBUF] [-c CERT -k KEY] [-d MS] [-l ADDR]
 *	     [-p BYTES] [-P SEC] [-S N] [-s SNI] [-t SEC] [-x 1.0|1.1|1.2|1.3] HOST PORT [URL]
 *
 * Without -r the request is "URL\r\n"; the URL defaults to gemini://HOST/.
 * -r sends standard input as it is (no CRLF added).  -d sleeps MS
 * milliseconds between request bytes, -S sends only the first N bytes and
 * then stalls (still reading), -P pauses SEC seconds before reading, -p
 * reads at most BYTES a second (a quarter of it every 250 ms; a reset is
 * seen at once, not once what is buffered has been read: exit 3), -b
 * shrinks the receive buffer (so a paused reader really stalls the
 * server), -l connects from the local address ADDR.  -h prints only the header line, -B only the body, -q nothing.
 * -v and -f report the negotiated TLS version and the SHA-256 fingerprint
 * of the peer certificate on stderr, as "gg: version ..." and
 * "gg: sha256 AB:CD:...".  SNI is -s, or the URL's host, or HOST when it
 * is a name; -n sends none.  -c and -k present a client certificate
 * (PEM files) when the server asks for one.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
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
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tool/tool.h"

enum {
	GG_OK = 0,
	GG_ERR = 1,
	GG_TRUNC = 3,
	GG_TIMEOUT = 4,
	GG_CONNECT = 5,
	GG_TLS = 6
};

enum out_mode { OUT_ALL, OUT_HEADER, OUT_BODY, OUT_NONE };

struct opts {
	const char	*host;
	const char	*port;
	const char	*url;
	const char	*sni;
	const char	*local;		/* -l: the address to connect from */
	int		 no_sni;
	int		 timeout_ms;
	int		 raw;
	int		 verbose;
	int		 fingerprint;
	long		 delay_ms;
	long		 send_max;	/* -1: everything */
	long		 pause_s;
	long		 pace;		/* -p: bytes a second; 0: at once */
	int		 rcvbuf;
	int		 version;	/* 0: any >= TLS 1.2 */
	enum out_mode	 out;
	const char	*cert, *key;	/* client certificate, PEM */
};

static void	usage(void) __attribute__((noreturn));
static void	warnx_(const char *, ...) __attribute__((format(printf, 1, 2)));
static long	number(const char *, long, long, const char *);
static int	tls_version(const char *);
static char	*url_host(const char *);
static int	is_ip_literal(const char *);
static int	dial(const struct opts *);
static int	wait_fd(int, short, int);
static int	tls_wait(SSL *, int, int, int);
static int	handshake(SSL *, int, int);
static int	send_request(SSL *, int, const struct opts *,
		    const unsigned char *, size_t);
static int	read_response(SSL *, int, const struct opts *);
static int	read_error(SSL *, int);
static void	report_peer(SSL *, const struct opts *);

static void
usage(void)
{
	fprintf(stderr, "usage: gg [-Bfhnqrv] [-b RCVBUF] [-c CERT -k KEY] "
	    "[-d MS] [-l ADDR] [-p BYTES] [-P SEC] [-S N] [-s SNI] [-t SEC]\n"
	    "          [-x 1.0|1.1|1.2|1.3] HOST PORT [URL]\n");
	exit(GG_ERR);
}

static void
warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("gg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static long
number(const char *s, long min, long max, const char *what)
{
	long n;

	if (tool_number(s, min, max, &n) == -1) {
		warnx_("bad %s: %s", what, s);
		exit(GG_ERR);
	}
	return n;
}

static int
tls_version(const char *s)
{
	if (strcmp(s, "1.0") == 0)
		return TLS1_VERSION;
	if (strcmp(s, "1.1") == 0)
		return TLS1_1_VERSION;
	if (strcmp(s, "1.2") == 0)
		return TLS1_2_VERSION;
	if (strcmp(s, "1.3") == 0)
		return TLS1_3_VERSION;
	warnx_("bad TLS version: %s", s);
	exit(GG_ERR);
}

/* The host of "scheme://[userinfo@]host[:port]/...", or NULL. */
static char *
url_host(const char *url)
{
	const char *p, *end, *at;
	char *host;
	size_t len;

	if ((p = strstr(url, "://")) == NULL)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return NULL;
		p++;
		end = rb;
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));

		if (colon != NULL)
			end = colon;
	}
	len = (size_t)(end - p);
	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0 || (host = strndup(p, len)) == NULL)
		return NULL;
	return host;
}

static int
is_ip_literal(const char *s)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, addr) == 1 ||
	    inet_pton(AF_INET6, s, addr) == 1;
}

/* 1 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd;
	int n;

	pfd.fd = fd;
	pfd.events = events;
	pfd.revents = 0;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n == -1 && errno == EINTR);
	return n;
}

/* Non-blocking connect to each address in turn; the socket stays O_NONBLOCK. */
static int
dial(const struct opts *o)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, rc, err;
	socklen_t len;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &res)) != 0) {
		warnx_("%s port %s: %s", o->host, o->port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd == -1)
			continue;
		if (o->rcvbuf > 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf,
			    sizeof(o->rcvbuf));
		if (o->local != NULL && tool_bind(fd, ai->ai_family,
		    o->local) == -1) {
			warnx_("bind %s: %s", o->local, strerror(errno));
			close(fd);
			fd = -1;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			rc = wait_fd(fd, POLLOUT, o->timeout_ms);
			len = sizeof(err);
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == 0 && err == 0)
				break;
			if (rc == 0)
				err = ETIMEDOUT;
		}
		warnx_("connect %s port %s: %s", o->host, o->port,
		    strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * After an SSL call returned ret: wait for the socket when OpenSSL wants
 * it.  Returns 1 to retry, 0 on timeout, -1 when the error is final.
 */
static int
tls_wait(SSL *ssl, int ret, int fd, int timeout_ms)
{
	int rc;

	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		rc = wait_fd(fd, POLLIN, timeout_ms);
		break;
	case SSL_ERROR_WANT_WRITE:
		rc = wait_fd(fd, POLLOUT, timeout_ms);
		break;
	default:
		return -1;
	}
	return rc == 0 ? 0 : 1;
}

static int
handshake(SSL *ssl, int fd, int timeout_ms)
{
	int ret, rc;
	unsigned long e;

	for (;;) {
		ERR_clear_error();
		if ((ret = SSL_connect(ssl)) == 1)
			return GG_OK;
		if ((rc = tls_wait(ssl, ret, fd, timeout_ms)) == 0) {
			warnx_("handshake: timeout");
			return GG_TIMEOUT;
		}
		if (rc == -1)
			break;
	}
	if ((e = ERR_peek_error()) != 0)
		warnx_("handshake: %s", ERR_reason_error_string(e));
	else
		warnx_("handshake: connection closed (%s)",
		    errno ? strerror(errno) : "EOF");
	return GG_CONNECT;
}

/*
 * Write the request, in one piece or byte by byte with -d.  A write error
 * is not final: the server may have answered and closed early (a request
 * that is too long), so the caller reads the reply anyway.
 */
static int
send_request(SSL *ssl, int fd, const struct opts *o,
    const unsigned char *req, size_t len)
{
	size_t off = 0, chunk;
	int ret, rc;

	if (o->send_max >= 0 && (size_t)o->send_max < len)
		len = (size_t)o->send_max;
	while (off < len) {
		chunk = o->delay_ms > 0 ? 1 : len - off;
		if (chunk > INT_MAX)
			chunk = INT_MAX;
		ERR_clear_error();
		ret = SSL_write(ssl, req + off, (int)chunk);
		if (ret > 0) {
			off += (size_t)ret;
			if (o->delay_ms > 0 && off < len)
				tool_msleep(o->delay_ms);
			continue;
		}
		if ((rc = tls_wait(ssl, ret, fd, o->timeout_ms)) == 0) {
			warnx_("write: timeout");
			return GG_TIMEOUT;
		}
		if (rc == -1) {
			warnx_("write failed after %zu of %zu bytes", off, len);
			return GG_TLS;
		}
	}
	return GG_OK;
}

/* Why SSL_read failed: a clean close, a truncation or a TLS error. */
static int
read_error(SSL *ssl, int ret)
{
	unsigned long e;
	int err = SSL_get_error(ssl, ret), saved = errno;

	switch (err) {
	case SSL_ERROR_ZERO_RETURN:
		return GG_OK;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (ret == 0 || saved == 0) {
				warnx_("EOF without close_notify");
				return GG_TRUNC;
			}
			if (saved == ECONNRESET || saved == EPIPE) {
				warnx_("connection reset without close_notify");
				return GG_TRUNC;
			}
			warnx_("read: %s", strerror(saved));
			return GG_TLS;
		}
		break;
	case SSL_ERROR_SSL:
		e = ERR_peek_error();
		if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			warnx_("EOF without close_notify");
			return GG_TRUNC;
		}
		break;
	default:
		break;
	}
	e = ERR_peek_error();
	warnx_("TLS error: %s", e ? ERR_reason_error_string(e) : "unknown");
	return GG_TLS;
}

/* Whether the server reset the connection (what it sent may wait unread). */
static int
paced_reset(int fd)
{
	struct tcp_info	 ti;
	socklen_t	 len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    ti.tcpi_state == TCP_CLOSE;
}

static int
read_response(SSL *ssl, int fd, const struct opts *o)
{
	char buf[16384];
	const char *p;
	size_t n, skip;
	int ret, rc, in_header = 1, out_ok = 1;
	unsigned long long total = 0;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if (o->pace > 0 && total > 0) {
			tool_msleep(250);
			if (paced_reset(fd)) {
				warnx_("connection reset after %llu bytes",
				    total);
				rc = GG_TRUNC;
				break;
			}
		}
		ret = SSL_read(ssl, buf, o->pace > 0 && o->pace / 4 <
		    (long)sizeof(buf) ? (int)(o->pace / 4) : (int)sizeof(buf));
		if (ret <= 0) {
			rc = tls_wait(ssl, ret, fd, o->timeout_ms);
			if (rc == 1)
				continue;
			if (rc == 0) {
				warnx_("timeout after %llu bytes", total);
				rc = GG_TIMEOUT;
			} else
				rc = read_error(ssl, ret);
			break;
		}
		n = (size_t)ret;
		total += n;
		p = buf;
		if (in_header) {
			const char *nl = memchr(buf, '\n', n);

			skip = nl ? (size_t)(nl - buf) + 1 : n;
			if (nl)
				in_header = 0;
			if (o->out == OUT_BODY) {
				p += skip;
				n -= skip;
			} else if (o->out == OUT_HEADER)
				n = skip;
		} else if (o->out == OUT_HEADER)
			n = 0;
		if (o->out != OUT_NONE && out_ok && n > 0 &&
		    fwrite(p, 1, n, stdout) != n)
			out_ok = 0;	/* keep reading: the status matters */
	}
	if (fflush(stdout) != 0)
		out_ok = 0;
	(void)out_ok;
	return rc;
}

static void
report_peer(SSL *ssl, const struct opts *o)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	X509 *cert;

	if (o->verbose)
		fprintf(stderr, "gg: version %s\n", SSL_get_version(ssl));
	if (!o->fingerprint)
		return;
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		fprintf(stderr, "gg: sha256 none\n");
		return;
	}
	if (X509_digest(cert, EVP_sha256(), md, &len) == 1) {
		fprintf(stderr, "gg: sha256 ");
		for (i = 0; i < len; i++)
			fprintf(stderr, "%s%02X", i ? ":" : "", md[i]);
		fputc('\n', stderr);
	}
	X509_free(cert);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	SSL_CTX *ctx;
	SSL *ssl;
	unsigned char *req;
	char *sni = NULL, *def_url = NULL;
	size_t reqlen;
	int ch, fd, rc;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = 10000;
	o.send_max = -1;
	o.out = OUT_ALL;
	while ((ch = getopt(argc, argv, "Bb:c:d:fhk:l:np:P:qrS:s:t:vx:")) != -1) {
		switch (ch) {
		case 'B':
			o.out = OUT_BODY;
			break;
		case 'b':
			o.rcvbuf = (int)number(optarg, 1, INT_MAX, "buffer");
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'd':
			o.delay_ms = number(optarg, 0, 60000, "delay");
			break;
		case 'f':
			o.fingerprint = 1;
			break;
		case 'h':
			o.out = OUT_HEADER;
			break;
		case 'l':
			o.local = optarg;
			break;
		case 'n':
			o.no_sni = 1;
			break;
		case 'p':
			o.pace = number(optarg, 4, 1 << 24, "pace");
			break;
		case 'P':
			o.pause_s = number(optarg, 0, 3600, "pause");
			break;
		case 'q':
			o.out = OUT_NONE;
			break;
		case 'r':
			o.raw = 1;
			break;
		case 'S':
			o.send_max = number(optarg, 0, LONG_MAX, "byte count");
			break;
		case 's':
			o.sni = optarg;
			break;
		case 't':
			o.timeout_ms = (int)number(optarg, 1, 3600,
			    "timeout") * 1000;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'x':
			o.version = tls_version(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3 || (argc == 3 && o.raw) ||
	    (o.cert == NULL) != (o.key == NULL))
		usage();
	o.host = argv[0];
	o.port = argv[1];
	o.url = argc == 3 ? argv[2] : NULL;
	signal(SIGPIPE, SIG_IGN);

	if (o.raw) {
		if ((req = tool_read_stdin(&reqlen)) == NULL) {
			warnx_("cannot read standard input");
			return GG_ERR;
		}
	} else {
		if (o.url == NULL) {
			size_t len = strlen(o.host) + sizeof("gemini:///");

			if ((def_url = malloc(len)) == NULL)
				return GG_ERR;
			snprintf(def_url, len, "gemini://%s/", o.host);
			o.url = def_url;
		}
		reqlen = strlen(o.url) + 2;
		if ((req = malloc(reqlen)) == NULL)
			return GG_ERR;
		memcpy(req, o.url, reqlen - 2);
		memcpy(req + reqlen - 2, "\r\n", 2);
	}

	if (o.sni == NULL && !o.no_sni) {
		if (o.url != NULL && (sni = url_host(o.url)) != NULL &&
		    is_ip_literal(sni)) {
			free(sni);
			sni = NULL;
		}
		if (sni == NULL && !is_ip_literal(o.host))
			sni = strdup(o.host);
		o.sni = sni;
	}

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		warnx_("SSL_CTX_new failed");
		return GG_ERR;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (o.cert != NULL && (SSL_CTX_use_certificate_file(ctx, o.cert,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_use_PrivateKey_file(ctx, o.key,
	    SSL_FILETYPE_PEM) != 1)) {
		warnx_("cannot load %s and %s", o.cert, o.key);
		return GG_ERR;
	}
	if (o.version != 0) {
		if (o.version < TLS1_2_VERSION) {
			/* OpenSSL 3 refuses TLS < 1.2 at security level 1. */
			SSL_CTX_set_security_level(ctx, 0);
			(void)SSL_CTX_set_cipher_list(ctx,
			    "DEFAULT:@SECLEVEL=0");
		}
		SSL_CTX_set_min_proto_version(ctx, o.version);
		SSL_CTX_set_max_proto_version(ctx, o.version);
	} else
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);

	if ((fd = dial(&o)) == -1)
		return GG_CONNECT;
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		warnx_("SSL_new failed");
		return GG_ERR;
	}
	if (o.sni != NULL && !o.no_sni &&
	    SSL_set_tlsext_host_name(ssl, o.sni) != 1) {
		warnx_("bad SNI: %s", o.sni);
		return GG_ERR;
	}

	if ((rc = handshake(ssl, fd, o.timeout_ms)) == GG_OK) {
		report_peer(ssl, &o);
		rc = send_request(ssl, fd, &o, req, reqlen);
		if (rc != GG_TIMEOUT) {
			if (o.pause_s > 0)
				tool_msleep(o.pause_s * 1000);
			rc = read_response(ssl, fd, &o);
		}
	}

	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	free(req);
	free(sni);
	free(def_url);
	return rc;
}
