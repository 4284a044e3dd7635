/*
 * The TLS boundary: with cert.c (the certificate files), the only files
 * that include OpenSSL headers.  tls.c makes one context per host name
 * from the certificates cert.c loads and picks the host by SNI; tls_conn.c
 * wraps a non-blocking socket in a TLS connection whose calls return
 * TLS_WANT_READ/TLS_WANT_WRITE instead of blocking.
 */
#ifndef YURT_TLS_H
#define YURT_TLS_H

#include <stddef.h>
#include <sys/types.h>

#define TLS_WANT_READ	(-2)
#define TLS_WANT_WRITE	(-3)
#define TLS_EOF		(-4)	/* peer closed (close_notify or TCP EOF) */
#define TLS_ERR		(-1)

#define TLS_SHA_LEN	32

struct tls_server;
struct tls_conn;

int	tls_init(void);

/*
 * One context per host; hosts[0] is the default when SNI names none.
 * prev (on a reload, else NULL) lends the keys it holds where a key file
 * can no longer be read.
 */
struct tls_server *tls_server_new(int dirfd, const char *const *hosts,
	    size_t nhosts, const struct tls_server *prev, char *err,
	    size_t errlen);
void	tls_server_free(struct tls_server *);

/*
 * A server connection on fd.  pre holds bytes already read from it (the
 * start of the ClientHello, when a port detects TLS): they are read
 * first.
 */
struct tls_conn *tls_conn_new(struct tls_server *, int fd, const void *pre,
	    size_t prelen);
void	tls_conn_free(struct tls_conn *);
int	tls_conn_handshake(struct tls_conn *);
ssize_t	tls_conn_read(struct tls_conn *, void *, size_t);
ssize_t	tls_conn_write(struct tls_conn *, const void *, size_t);
/*
 * Gathers what is written from now on into one buffer, written out when
 * it fills up or on tls_conn_flush(); for the reply, not the handshake.
 */
int	tls_conn_buffer(struct tls_conn *);
/* 0 once everything buffered is on the socket, else TLS_WANT_WRITE. */
int	tls_conn_flush(struct tls_conn *);
/* Bytes of the reply's records on the socket so far (not buffered). */
unsigned long long tls_conn_sent(const struct tls_conn *);
/* Sends close_notify; 0 once sent, or TLS_WANT_* to call again. */
int	tls_conn_shutdown(struct tls_conn *);
/*
 * Asks clients for a certificate (never requires one): only when a rule
 * needs it, since some clients prompt their reader when asked.
 */
void	tls_server_ask_certs(struct tls_server *);
/*
 * The client's certificate: 0 when it sent none, 1 with the SHA-256 of
 * its DER encoding in sha and *valid set when now lies within its
 * validity, -1 on failure.
 */
int	tls_conn_peer(const struct tls_conn *, unsigned char *sha, int *valid);

/* What a CGI program is told of the connection. */
struct tls_info {
	char	 version[16];
	char	 cipher[64];
	int	 has_cert;		/* a client certificate was given */
	char	 hash[7 + 64 + 1];	/* "SHA256:" and upper-case hex */
	char	 cn[256];		/* its subject's common name */
	char	 not_before[64], not_after[64];
};
void	tls_conn_info(const struct tls_conn *, struct tls_info *);
/* Index of the host SNI chose, or -1 when the client sent no SNI. */
int	tls_conn_sni(const struct tls_conn *);

#endif
