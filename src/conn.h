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

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "ev.h"
#include "server.h"

#define CONN_REQ_MAX	2048	/* request bytes kept; protocols cap lower */

struct conn;

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
	CONN_SHUTDOWN, CONN_FLUSH, CONN_LINGER
};

struct conn {
	struct ev_io		 io;
	struct ev_timer		 timer;
	struct worker		*w;
	struct site		*site;		/* the generation it started in */
	struct conn		*prev, *next;
	const struct proto	*proto;
	struct tls_conn		*tls;		/* NULL: plain TCP */
	enum conn_state		 state;
	enum server_io		 kind;		/* what follows a PROXY header */
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

	/* for the log line, written when the connection ends */
	uint64_t		 start;
	int			 status;
	unsigned long long	 bytes;
	const char		*host;
	const char		*path;		/* points into req */
	char			*client;	/* only with --log-clients */
	struct program		*prog;		/* a program's output, or NULL */
};

/*
 * Takes over a socket accepted on listener l from peer, with its place
 * under the connection bound already counted, and serves it as
 * far as it can without waiting (the connection may be gone on return);
 * closes it on failure.  The peer address is used at once (rate limit, opted-in log)
 * and not kept.
 */
void	conn_new(struct worker *, int fd,
	    const struct server_listener *l, const struct sockaddr *peer,
	    socklen_t peerlen);
/*
 * Replies with head, then body (taken over, may be NULL) or the open
 * file fd of size bytes (taken over, -1 for none).
 */
void	conn_respond(struct conn *, int status, const char *head, size_t,
	    struct buf *body, int fd, off_t size);
/* Closes without a reply (after close_notify on TLS). */
void	conn_drop(struct conn *);
/* Carries on after something the connection waited on (a program). */
void	conn_resume(struct conn *);
void	conn_free(struct conn *);

#endif
