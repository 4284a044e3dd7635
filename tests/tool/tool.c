#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "tool.h"

int
tool_number(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

long long
tool_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long
tool_now_ms(void)
{
	return tool_now_us() / 1000;
}

void
tool_msleep(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

unsigned char *
tool_read_stdin(size_t *lenp)
{
	struct buf b;

	buf_init(&b, 0);
	if (buf_read(&b, STDIN_FILENO) == -1 || buf_append(&b, "", 0) == -1) {
		buf_free(&b);
		return NULL;
	}
	*lenp = b.len;
	return (unsigned char *)b.data;
}

int
tool_bind(int fd, int family, const char *addr)
{
	struct sockaddr_in6	 s6;
	struct sockaddr_in	 s4;

	if (family == AF_INET) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &s4.sin_addr) != 1)
			return -1;
		return bind(fd, (struct sockaddr *)&s4, sizeof(s4));
	}
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	if (family != AF_INET6 || inet_pton(AF_INET6, addr, &s6.sin6_addr) != 1)
		return -1;
	return bind(fd, (struct sockaddr *)&s6, sizeof(s6));
}
