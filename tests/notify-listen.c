/*
 * notify-listen: a stand-in for systemd's notification socket, for the
 * black-box tests of sd_notify (tests/systemd.t).
 *
 * usage: notify-listen PATH SECONDS
 *
 * Binds an AF_UNIX datagram socket at PATH (replacing a stale one) and
 * prints every datagram received as it is, newlines included, followed by
 * a line "--"; stdout is flushed after each.  It exits 0 after SECONDS
 * (or on SIGTERM/SIGINT), removing PATH.  Exit status 1: usage or local
 * error.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool/tool.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	static char		 buf[65536];
	const char		*path;
	char			*end;
	long			 secs;
	long long		 deadline, left;
	ssize_t			 n;
	int			 fd, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: notify-listen PATH SECONDS\n");
		return 1;
	}
	path = argv[1];
	errno = 0;
	secs = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || errno || secs < 0 ||
	    secs > 86400) {
		fprintf(stderr, "notify-listen: bad SECONDS \"%s\"\n", argv[2]);
		return 1;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "notify-listen: path too long\n");
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "notify-listen: socket: %s\n", strerror(errno));
		return 1;
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "notify-listen: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	/* a service started as root may drop privileges and still notify */
	(void)chmod(path, 0666);

	deadline = tool_now_ms() + secs * 1000;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop && (left = deadline - tool_now_ms()) > 0) {
		rc = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "notify-listen: poll: %s\n",
			    strerror(errno));
			break;
		}
		if (rc == 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "notify-listen: recv: %s\n",
			    strerror(errno));
			break;
		}
		(void)fwrite(buf, 1, (size_t)n, stdout);
		if (n > 0 && buf[n - 1] != '\n')
			(void)fputc('\n', stdout);
		(void)fputs("--\n", stdout);
		(void)fflush(stdout);
	}
	close(fd);
	(void)unlink(path);
	return 0;
}
