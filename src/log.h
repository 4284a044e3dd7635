/*
 * Logging to stderr, whole lines per write(2) (at most PIPE_BUF bytes) so
 * lines from several workers never interleave.  Under systemd (JOURNAL_STREAM set) lines carry
 * sd-daemon "<N>" priority prefixes.  Client addresses are never passed
 * here unless the operator opted in.
 */
#ifndef YURT_LOG_H
#define YURT_LOG_H

#include <stddef.h>

struct log_request {
	const char	*proto;		/* "gemini", "gopher" */
	const char	*host;
	const char	*path;		/* escaped here, never trusted */
	const char	*client;	/* NULL unless --log-clients */
	int		 status;
	unsigned long long bytes;
	double		 ms;
};

void	log_init(void);
/* Sends what goes to stderr to a file from now on; -1 with errno. */
int	log_open(const char *);
/* No journald priority prefixes (the log goes to a file). */
void	log_plain(void);
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A request's line: it waits for the worker's log_flush(). */
void	log_req(const struct log_request *);
/* Writes the calling thread's waiting request lines. */
void	log_flush(void);

/* Escapes control bytes and backslashes as \xNN into out (always NUL-terminated). */
void	log_escape(const char *, char *out, size_t outlen);

#endif
