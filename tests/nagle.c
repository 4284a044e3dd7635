/*
 * nagle: how long a Gemini request takes for a client that leaves Nagle's
 * algorithm on, as many do (Python's ssl, most languages' defaults),
 * against one that sets TCP_NODELAY.
 *
 * usage: nagle [-D] [-n N] HOST PORT URL
 *
 * N requests (10 by default) one after another, each on a new connection
 * with TLS 1.3, the request written on its own after the handshake (the
 * client's Finished is one write, the request the next); -D sets
 * TCP_NODELAY first.  Prints the median time from connect to the end of
 * the reply, in microseconds, on standard output.  Exits 1 if a request
 * fails (no reply starting with a two-digit status).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tool/tool.h"

#define NAGLE_MAX	1000

static int
nagle_dial(const char *host, const char *port, int nodelay)
{
	struct addrinfo	 hints, *res;
	int		 fd, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd != -1 && nodelay)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (fd != -1 && connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* One request; its time in microseconds, or -1. */
static long long
nagle_one(SSL_CTX *ctx, const char *host, const char *port, const char *url,
    int nodelay)
{
	char		 req[1100], buf[4096];
	long long	 t0 = tool_now_us();
	size_t		 got = 0;
	SSL		*ssl;
	int		 fd, n, ok;

	if ((size_t)snprintf(req, sizeof(req), "%s\r\n", url) >= sizeof(req))
		return -1;
	if ((fd = nagle_dial(host, port, nodelay)) == -1)
		return -1;
	if ((ssl = SSL_new(ctx)) == NULL) {
		close(fd);
		return -1;
	}
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	ok = SSL_connect(ssl) == 1 &&
	    SSL_write(ssl, req, (int)strlen(req)) == (int)strlen(req);
	while (ok && (n = SSL_read(ssl, buf + (got < 2 ? got : 0),
	    got < 2 ? (int)(sizeof(buf) - got) : (int)sizeof(buf))) > 0) {
		if (got < 2 && got + (size_t)n >= 2 &&
		    (buf[0] < '1' || buf[0] > '6' || buf[1] < '0' ||
		    buf[1] > '9'))
			ok = 0;
		got += (size_t)n;
	}
	SSL_free(ssl);
	close(fd);
	return ok && got >= 2 ? tool_now_us() - t0 : -1;
}

static int
nagle_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	static long long	 t[NAGLE_MAX];
	SSL_CTX			*ctx;
	long			 n = 10, i;
	int			 ch, nodelay = 0;

	while ((ch = getopt(argc, argv, "Dn:")) != -1) {
		switch (ch) {
		case 'D':
			nodelay = 1;
			break;
		case 'n':
			if (tool_number(optarg, 1, NAGLE_MAX, &n) == 0)
				break;
			/* FALLTHROUGH */
		default:
			fprintf(stderr, "usage: nagle [-D] [-n N] HOST PORT "
			    "URL\n");
			return 1;
		}
	}
	if (argc - optind != 3)
		return 1;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION))
		return 1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	for (i = 0; i < n; i++)
		if ((t[i] = nagle_one(ctx, argv[optind], argv[optind + 1],
		    argv[optind + 2], nodelay)) < 0) {
			fprintf(stderr, "nagle: request %ld failed\n", i + 1);
			return 1;
		}
	qsort(t, (size_t)n, sizeof(t[0]), nagle_cmp);
	printf("%lld\n", t[n / 2]);
	SSL_CTX_free(ctx);
	return 0;
}
