#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "charset.h"
#include "log.h"

/* Set once at start-up, before any worker runs; read-only afterwards. */
static int log_journal;

/*
 * Request lines wait here until the worker's round of events is done:
 * one write for the round, not one a request.  Each thread has its own.
 */
#define LOG_BATCH	PIPE_BUF	/* what a pipe writes whole */
static _Thread_local struct {
	char	 buf[LOG_BATCH];
	size_t	 len;
} log_batch;

void
log_flush(void)
{
	if (log_batch.len > 0)
		(void)!write(STDERR_FILENO, log_batch.buf, log_batch.len);
	log_batch.len = 0;
}

void
log_init(void)
{
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

/*
 * The log file takes the place of stderr (dup2 swaps it atomically, so a
 * worker's line goes wholly to the old file or wholly to the new).  Used
 * at start and on SIGUSR1, after the file was rotated away.
 */
int
log_open(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY, 0640)) == -1)
		return -1;
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}

void
log_plain(void)
{
	log_journal = 0;
}

static void log_line(int, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

/* batch: a request's line, which may wait for log_flush() */
static void
log_line(int batch, int prio, const char *fmt, va_list ap)
{
	char	 line[2048];
	int	 n = 0, m;

	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", prio);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)	/* truncated: mark it */
		n = (int)sizeof(line) - 5, memcpy(line + n, "...", 3), n += 3;
	line[n++] = '\n';
	if (log_batch.len + (size_t)n > LOG_BATCH)
		log_flush();
	if (!batch) {	/* after the lines before it */
		log_flush();
		(void)!write(STDERR_FILENO, line, (size_t)n);
		return;
	}
	memcpy(log_batch.buf + log_batch.len, line, (size_t)n);
	log_batch.len += (size_t)n;
}

#define LOG_FN(name, prio)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
							\
	va_start(ap, fmt);				\
	log_line(0, prio, fmt, ap);			\
	va_end(ap);					\
}

LOG_FN(log_info, 6)
LOG_FN(log_warn, 4)
LOG_FN(log_err, 3)

/*
 * Control characters (C0, DEL, C1), backslashes and bytes that are not
 * UTF-8 become \xNN: a log line stays one line of valid text whatever a
 * client sent.
 */
void
log_escape(const char *s, char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0, i, n, k, len = strlen(s);
	uint32_t		 cp;
	int			 esc;

	if (outlen == 0)
		return;
	for (i = 0; i < len; i += n) {
		n = charset_decode(s + i, len - i, &cp);
		esc = cp == CHARSET_INVALID || cp == '\\' ||
		    charset_is_control(cp);
		if (o + (esc ? 4 * n : n) >= outlen)
			break;
		for (k = 0; k < n; k++) {
			if (esc) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[(unsigned char)s[i + k] >> 4];
				out[o++] = hex[(unsigned char)s[i + k] & 15];
			} else
				out[o++] = s[i + k];
		}
	}
	out[o] = '\0';
}

static void log_batched(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static void
log_batched(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(1, 6, fmt, ap);
	va_end(ap);
}

void
log_req(const struct log_request *r)
{
	char		 path[1024 * 4 + 1], host[256 * 4 + 1], when[64];
	struct tm	 tm;
	time_t		 now = time(NULL);

	log_escape(r->path ? r->path : "", path, sizeof(path));
	log_escape(r->host ? r->host : "-", host, sizeof(host));
	/*
	 * Not strftime(): glibc's calls tzset(), which tries to open
	 * /etc/localtime (outside the sandbox) on every request.
	 */
	gmtime_r(&now, &tm);
	(void)snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	log_batched("%s %s %s%s%s %s %d %llu %.1fms", when, r->proto,
	    r->client ? r->client : "", r->client ? " " : "",
	    host, path[0] ? path : "/", r->status, r->bytes, r->ms);
}
