#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sd.h"

/* Set once by sd_init before any thread starts; read-only afterwards. */
static int		 sd_sock = -1;
static uint64_t		 sd_watchdog;
static int		 sd_nfds;
static struct sd_fd	 sd_fds[SD_MAX_FDS];

/* Parses a whole decimal number; -1 for anything else. */
static long long
sd_number(const char *s)
{
	char		*end;
	long long	 n;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	return errno || *end != '\0' || n < 0 ? -1 : n;
}

static void
sd_init_notify(void)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	size_t			 len;
	socklen_t		 slen;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')	/* an abstract socket */
		sun.sun_path[0] = '\0';
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if ((sd_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	/* connected now, so a sandbox applied later cannot get in the way */
	if (connect(sd_sock, (struct sockaddr *)&sun, slen) == -1) {
		close(sd_sock);
		sd_sock = -1;
	}
}

/* The port a socket was bound to: ListenStream= is the unit's to choose. */
static int
sd_port(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

void
sd_init(void)
{
	const char	*names;
	long long	 pid, n, usec;
	int		 i;
	size_t		 len;

	sd_init_notify();
	pid = sd_number(getenv("WATCHDOG_PID"));
	usec = sd_number(getenv("WATCHDOG_USEC"));
	if (usec > 0 && (pid == -1 || pid == (long long)getpid()))
		sd_watchdog = (uint64_t)usec;

	pid = sd_number(getenv("LISTEN_PID"));
	n = sd_number(getenv("LISTEN_FDS"));
	names = getenv("LISTEN_FDNAMES");
	if (pid == (long long)getpid() && n > 0 && n <= SD_MAX_FDS) {
		sd_nfds = (int)n;
		for (i = 0; i < sd_nfds; i++) {
			sd_fds[i].fd = SD_LISTEN_FDS_START + i;
			sd_fds[i].port = sd_port(sd_fds[i].fd);
			if (names == NULL)
				continue;
			len = strcspn(names, ":");
			if (len < sizeof(sd_fds[i].name)) {
				memcpy(sd_fds[i].name, names, len);
				sd_fds[i].name[len] = '\0';
			}
			names += len;
			if (*names == ':')
				names++;
		}
	}
	/* nothing we start later may think these are for it */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

int
sd_listen_fds(struct sd_fd *out, int max)
{
	int i;

	for (i = 0; i < sd_nfds && i < max; i++)
		out[i] = sd_fds[i];
	return i;
}

void
sd_notify(const char *state)
{
	if (sd_sock != -1)
		(void)send(sd_sock, state, strlen(state), MSG_NOSIGNAL);
}

void
sd_notifyf(const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(msg))
		sd_notify(msg);
}

uint64_t
sd_watchdog_usec(void)
{
	return sd_watchdog;
}

uint64_t
sd_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
