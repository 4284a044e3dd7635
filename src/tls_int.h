/*
 * What the two TLS files share (tls.c: contexts, SNI, session tickets;
 * tls_conn.c: a connection's I/O): the structures behind tls.h's opaque
 * ones.  Private to them, as OpenSSL is.
 */
#ifndef YURT_TLS_INT_H
#define YURT_TLS_INT_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>


/*
 * Session ticket keys: made here, never written anywhere, replaced every
 * TLS_TICKET_ROTATE seconds of the clock; a ticket under the previous key
 * is still accepted, but no key is used after twice that, however little
 * traffic came since (checked on use, not only when a ticket is made).
 * And each ticket carries the time of the full handshake its session
 * began with: past TLS_SESSION_MAX, the session is not resumed (a full
 * handshake, a new session), so a reader's visits cannot be linked
 * across days by their tickets.
 */
#define TLS_TICKET_ROTATE	(6 * 3600)
#define TLS_SESSION_MAX		(24 * 3600)

struct tls_ticket_key {
	unsigned char	 name[16];
	unsigned char	 aes[32];
	unsigned char	 hmac[32];
	time_t		 born;
};

struct tls_server {
	SSL_CTX			**ctx;
	char			**names;
	size_t			  n;
	pthread_mutex_t		  tklock;
	struct tls_ticket_key	  tk[2];	/* current, previous */
};


struct tls_conn {
	SSL		*ssl;
	int		 fd;
	int		 sni;
	int		 buffered;	/* the reply buffer is in place */
	int		 prefixed;	/* reads go through a buffer */
	char		*out;		/* the reply buffer */
	size_t		 outoff, outlen, outcap;
	size_t		 wlimit;	/* gathered before a write */
	int		 blocked;	/* the socket was full at the last */
	unsigned long long sent;	/* the reply's bytes on the socket */
};

/*
 * Bytes of TLS records gathered before a write(2): the reply's records
 * (with a session ticket before them and the close_notify after) leave
 * together, a large file in 16 records a call (measured: 5 % less CPU a
 * byte than 4, with the buffer only as large as the reply needs).  That
 * much is gathered only for a reader that keeps up: the bound starts at
 * TLS_WBUF_MIN, doubles with each write the socket takes whole, and falls
 * back when the socket is full, so a reader that does not read holds at
 * most a record or two here, beyond what the kernel buffers.
 */
#define TLS_WBUF	(256 * 1024)
#define TLS_WBUF_MIN	(8 * 1024)

/* ex_data slots: the connection on an SSL, the server on an SSL_CTX */
extern int tls_conn_idx, tls_server_idx;

/* The reply buffer's BIO method, made once (tls_init). */
int	tls_conn_init(void);

#endif
