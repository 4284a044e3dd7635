/*
 * trivial: the Gopher ceiling for `make bench`.  The least a server can
 * do: accept on 127.0.0.1:PORT, read a request line, send the same file
 * whatever was asked (sendfile), close.  No parsing, no TLS, no logging.
 *
 * usage: trivial [-w WORKERS] [-T SECONDS] PORT FILE
 *
 * -w threads, each with its own epoll loop and SO_REUSEPORT socket
 * (default: one per core); -T exits after SECONDS (default 1800) so a
 * forgotten one never lingers.  Says "listening" on stderr when ready.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS	64
#define REQ_MAX		1024

struct tconn {
	off_t	 off;		/* -1: still reading the request */
	size_t	 got;
};

static int		 port;
static int		 filefd;
static off_t		 filesize;
static struct tconn	*conns;		/* by descriptor */
static rlim_t		 maxfd;

static void fail(const char *) __attribute__((noreturn));

static void
fail(const char *what)
{
	fprintf(stderr, "trivial: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
listener(void)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fail("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		fail("SO_REUSEPORT");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("bind 127.0.0.1");
	if (listen(fd, 4096) == -1)
		fail("listen");
	return fd;
}

static void
drop(int ep, int fd)
{
	(void)epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

/* Sends what the socket takes; closes when the file is out. */
static void
send_reply(int ep, int fd)
{
	struct tconn		*c = &conns[fd];
	struct epoll_event	 e;
	ssize_t			 n;

	while (c->off < filesize) {
		n = sendfile(fd, filefd, &c->off, (size_t)(filesize - c->off));
		if (n > 0)
			continue;
		if (n == -1 && errno == EAGAIN) {
			memset(&e, 0, sizeof(e));
			e.events = EPOLLOUT;
			e.data.fd = fd;
			(void)epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
			return;
		}
		break;
	}
	drop(ep, fd);
}

static void
on_readable(int ep, int fd)
{
	struct tconn	*c = &conns[fd];
	char		 buf[REQ_MAX];
	ssize_t		 n;

	n = read(fd, buf, sizeof(buf));
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		drop(ep, fd);
		return;
	}
	c->got += (size_t)n;
	if (memchr(buf, '\n', (size_t)n) == NULL && c->got < REQ_MAX)
		return;
	c->off = 0;
	send_reply(ep, fd);
}

static void *
worker(void *arg)
{
	struct epoll_event	 e, evs[256];
	int			 lfd = (int)(long)arg, ep, fd, i, n;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fail("epoll_create1");
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e) == -1)
		fail("epoll_ctl");
	for (;;) {
		if ((n = epoll_wait(ep, evs, 256, -1)) == -1) {
			if (errno == EINTR)
				continue;
			fail("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd != lfd) {
				if (conns[fd].off < 0)
					on_readable(ep, fd);
				else
					send_reply(ep, fd);
				continue;
			}
			while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK |
			    SOCK_CLOEXEC)) != -1) {
				if ((rlim_t)fd >= maxfd) {
					close(fd);
					continue;
				}
				conns[fd].off = -1;
				conns[fd].got = 0;
				e.events = EPOLLIN;
				e.data.fd = fd;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == -1)
					close(fd);
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t	 t[MAX_WORKERS];
	int		 lfds[MAX_WORKERS];
	struct rlimit	 rl;
	struct stat	 st;
	long		 nworkers, lifetime = 1800;
	int		 ch, i;

	nworkers = sysconf(_SC_NPROCESSORS_ONLN);
	while ((ch = getopt(argc, argv, "T:w:")) != -1) {
		switch (ch) {
		case 'T':
			lifetime = atol(optarg);
			break;
		case 'w':
			nworkers = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	port = atoi(argv[optind]);
	if (port < 1 || port > 65535 || lifetime < 1 || lifetime > 86400)
		goto usage;
	if (nworkers < 1)
		nworkers = 1;
	if (nworkers > MAX_WORKERS)
		nworkers = MAX_WORKERS;
	if ((filefd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(filefd, &st) == -1)
		fail(argv[optind + 1]);
	filesize = st.st_size;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fail("getrlimit");
	maxfd = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576 ?
	    1048576 : rl.rlim_cur;
	if ((conns = calloc(maxfd, sizeof(*conns))) == NULL)
		fail("calloc");
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)lifetime);

	for (i = 0; i < nworkers; i++)
		lfds[i] = listener();
	for (i = 0; i < nworkers; i++)
		if ((errno = pthread_create(&t[i], NULL, worker,
		    (void *)(long)lfds[i])) != 0)
			fail("pthread_create");
	fprintf(stderr, "trivial: listening on 127.0.0.1 port %d, %ld "
	    "worker%s, %lld bytes per reply\n", port, nworkers,
	    nworkers == 1 ? "" : "s", (long long)filesize);
	for (i = 0; i < nworkers; i++)
		pthread_join(t[i], NULL);
	return 0;
usage:
	fprintf(stderr, "usage: trivial [-w WORKERS] [-T SECONDS] PORT FILE\n");
	return 2;
}
