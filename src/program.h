/*
 * Programs that answer requests: CGI scripts, spawned for one request,
 * and SCGI applications behind a Unix socket.  Their output is read in
 * the event loop, never blocking it, and handed to the connection a
 * chunk at a time, only when the connection has sent the last: a reader
 * that does not read stops the program (its pipe fills), and costs no
 * more memory than a file would.
 */
#ifndef YURT_PROGRAM_H
#define YURT_PROGRAM_H

#include <sys/types.h>

struct cgi_req;
struct conn;

/* program_fill(): nothing yet, wait for the program */
#define PROGRAM_WAIT	(-5)

enum program_start { PROGRAM_OK, PROGRAM_BUSY, PROGRAM_FAIL };

struct program_spec {
	int			 scgi;
	int			 dirfd;		/* CGI: the script's directory,
						   taken over */
	const char		*name;		/* CGI: the file in it */
	const char		*socket;	/* SCGI: the socket's path */
	const char		*label;		/* for the log: its URL path */
	const struct cgi_req	*req;
	int			 timeout;	/* seconds */
	int			 max;		/* programs at once */
	/* Gopher: the reply if it fails before any output; NULL: Gemini */
	const char		*fail;
};

/*
 * Starts the program and makes its output the connection's reply.  BUSY:
 * max are running already; FAIL: it could not start (logged).  Either
 * way the caller replies.
 */
enum program_start program_start(struct conn *, const struct program_spec *);
/* Up to room bytes of the reply into p: > 0, 0 at its end, PROGRAM_WAIT. */
ssize_t	program_fill(struct conn *, char *p, size_t room);
/* The connection waits on the program's output (its socket is not watched). */
int	program_watch(struct conn *);
/* The connection is gone: the program is killed, reaped in the loop. */
void	program_detach(struct conn *);
struct config;

/* Whether any cgi or scgi rule is configured. */
int	program_enabled(const struct config *);
/* yurt is stopping: the program's time limit comes at once. */
void	program_hurry(struct conn *);
/*
 * The Landlock ruleset (sandbox_programs_fd()) each script restricts
 * itself to before it runs; -1: none, the script has yurt's rights.
 */
void	program_landlock(int fd);
/* At stop: every program still running is killed and reaped. */
void	program_stop_all(int release);


struct site;

/* Which program a request names, when a cgi or scgi rule does. */
struct program_target {
	int		 scgi;
	const char	*socket;
	size_t		 scriptlen;	/* path[0..scriptlen] is the script */
	int		 dirfd;		/* CGI: its directory */
	char		 name[256];	/* CGI: its file name */
};

/* What program_start() needs for the program t names, req and the limits. */
void	program_spec_of(struct program_spec *, const struct program_target *t,
	    const char *label, const struct cgi_req *req,
	    const struct config *);

/*
 * path is resolved (no leading slash).  1: a program answers (dirfd
 * open for CGI); 0: no rule names it; -1: a rule names a file that
 * cannot be run (logged), which is then not served either.
 */
int	program_find(const struct site *, int rootfd, const char *host,
	    const char *path, int dir, struct program_target *);

#endif
