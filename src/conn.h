/*
 * One client connection, whatever the protocol: the state machine that
 * takes a socket through the TLS handshake (when there is one), reading
 * the request, writing the reply (a header, then a generated body or a
 * file streamed in chunks), close_notify and a lingering close.  The
 * protocol modules only look at the request and choose the reply.
 */
#ifndef YURT_CONN_H
#define YURT_CONN_H

#include <sys/socket.h>

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ev.h"
#include "pace.h"

#define CONN_REQ_MAX	2048	/* request bytes kept; protocols cap lower */

struct cache;
struct conn;
struct mime;
struct program;
struct proxy_net;
struct ratelimit;
struct site;

/* What a listener speaks: TLS, plain TCP, or either (by the first byte). */
enum conn_io { CONN_IO_PLAIN, CONN_IO_TLS, CONN_IO_DETECT };

/*
 * What connections share and use, one per event loop (a worker embeds
 * it): the loop and its timer lists, the rate limiter, what protocols
 * look things up in (the type detector, the page cache), the open
 * connections and their counts.  The owner is told when one closes.
 */
struct conn_pool {
	struct ev_loop		*loop;
	struct site		*site;		/* what new connections get */
	struct ratelimit	*rl;		/* NULL: no limit */
	/* the peers whose PROXY headers are believed (proxy-from) */
	const struct proxy_net	*proxy_from;
	size_t			 nproxy_from;
	struct mime		*mime;
	struct cache		*cache;		/* rendered Gopher pages */
	struct ev_tlist		*t_request, *t_idle, *t_linger;
	struct ev_tlist		*t_rate;	/* min-rate's window */
	struct ev_tlist		*t_reply;	/* reply-timeout; NULL: none */
	struct conn		*conns;		/* every open connection */
	int			 nconns;	/* this pool's */
	atomic_int		*total;		/* all pools': taken by the
						   caller, given back here */
	void			(*closed)(struct conn_pool *);
	void			*owner;		/* for closed() */
	/*
	 * CGI scripts are started: until it execs, a child holds a copy of
	 * every descriptor, so closing a socket may not take it out of the
	 * epoll set, and its events would name a freed connection.
	 */
	int			 spawns;
};

/*
 * What a reply may come from beside a buffer or a file (a program's
 * output): fill returns > 0, 0 at its end, or CONN_WAIT, after which the
 * connection calls watch and waits for conn_resume().
 */
struct conn_source {
	ssize_t	(*fill)(struct conn *, char *, size_t);
	int	(*watch)(struct conn *);
	void	(*detach)(struct conn *);	/* the connection is gone */
	void	(*hurry)(struct conn *);	/* the server is stopping */
};

/* What the I/O steps return besides a byte count (or 0: done). */
#define CONN_ERR	(-1)
#define CONN_WANT_READ	(-2)
#define CONN_WANT_WRITE	(-3)
#define CONN_EOF	(-4)	/* the peer closed */
#define CONN_WAIT	(-5)	/* waiting on the reply's source */

struct proto {
	const char	*name;
	/*
	 * Called after every read with the request so far (c->req,
	 * c->reqlen).  Returns 0 to read more, or 1 once it has replied
	 * with conn_respond() or given up with conn_drop().
	 */
	int		(*input)(struct conn *);
};

enum conn_state {
	CONN_PROXY, CONN_DETECT, CONN_HANDSHAKE, CONN_READ, CONN_WRITE,
	CONN_SHUTDOWN, CONN_DROP, CONN_FLUSH, CONN_LINGER
};

struct conn {
	struct ev_io		 io;
	struct ev_timer		 timer;
	struct ev_timer		 rate;		/* the reply's pace */
	struct ev_timer		 reply;		/* the reply's time */
	struct conn_pool	*pool;
	struct site		*site;		/* the generation it started in */
	struct conn		*prev, *next;
	const struct proto	*proto;
	struct tls_conn		*tls;		/* NULL: plain TCP */
	enum conn_state		 state;
	enum conn_io		 kind;		/* what follows a PROXY header */
	/*
	 * Seconds the client must wait (rate limit): the protocol answers
	 * with its "slow down" once the request is in.
	 */
	unsigned int		 limited;

	char			 req[CONN_REQ_MAX + 1];
	size_t			 reqlen;
	int			 sni;		/* host index by SNI, or < 0 */
	int			 acked;		/* the handshake's end ACKed at once */

	/* the reply: head, then body or file, through one chunk buffer */
	char			*chunk;
	size_t			 chunklen, chunkoff;
	struct buf		 body;
	size_t			 bodyoff;
	int			 fd;
	off_t			 fileoff, fileleft;

	struct pace		 pace;		/* min-rate's window */

	/* for the log line, written when the connection ends */
	uint64_t		 start;
	int			 status;
	unsigned long long	 bytes;
	const char		*host;
	const char		*path;		/* points into req */
	char			*client;	/* only with --log-clients */
	struct program		*prog;		/* a program's output, or NULL */
	const struct conn_source *src;		/* how prog is read */
};

/*
 * Takes over a socket accepted from peer on a listener speaking proto
 * over io (after a PROXY header if proxy), with its place
 * under the connection bound already counted, and serves it as
 * far as it can without waiting (the connection may be gone on return);
 * closes it on failure.  The peer address is used at once (rate limit, opted-in log)
 * and not kept.
 */
void	conn_new(struct conn_pool *, int fd, const struct proto *,
	    enum conn_io, int proxy, const struct sockaddr *peer,
	    socklen_t peerlen);
/*
 * Replies with head, then body (taken over, may be NULL) or the open
 * file fd of size bytes (taken over, -1 for none).
 */
void	conn_respond(struct conn *, int status, const char *head, size_t,
	    struct buf *body, int fd, off_t size);
/* Closes without a reply (after close_notify on TLS): CONN_DROP. */
void	conn_drop(struct conn *);
/* Carries on after something the connection waited on (a program). */
void	conn_resume(struct conn *);
void	conn_free(struct conn *);
/* The server is stopping: replies from a program are hurried. */
void	conn_pool_hurry(struct conn_pool *);
/* Closes every connection left (at stop, the loop no longer running). */
void	conn_pool_close(struct conn_pool *);

#endif
