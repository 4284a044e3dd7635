#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/sockios.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tls.h"
#include "tls_int.h"

/* One TLS connection's life: handshake, reads, the reply buffer, close. */

static BIO_METHOD *tls_conn_out_method;

/*
 * The reply buffer, as OpenSSL's write BIO.  OpenSSL flushes its BIO
 * after every flight, a session ticket being one; this one keeps all it
 * is given until tls_conn_flush(), so a ticket, the reply and the
 * close_notify leave in one write(2) and one TCP segment where they fit.
 * It never refuses a write: tls_conn_write() sends what is gathered
 * before it passes TLS_WBUF.
 */
static int
tls_conn_out_write(BIO *b, const char *data, int len)
{
	struct tls_conn	*c = BIO_get_data(b);
	size_t		 need, cap;
	char		*p;

	if (len <= 0)
		return 0;
	if (c->outoff > 0) {	/* what was sent makes room */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	need = c->outlen + (size_t)len;
	if (need > c->outcap) {
		for (cap = c->outcap ? c->outcap : TLS_WBUF_MIN; cap < need;)
			cap *= 2;
		if ((p = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, data, (size_t)len);
	c->outlen += (size_t)len;
	return len;
}

static long
tls_conn_out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_conn *c = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* tls_conn_flush() sends, when the reply says */
	case BIO_CTRL_WPENDING:
		return (long)(c->outlen - c->outoff);
	default:
		return 0;
	}
}

static int
tls_conn_out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

int
tls_conn_init(void)
{
	int type;

	if ((type = BIO_get_new_index()) == -1 ||
	    (tls_conn_out_method = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK,
	    "yurt reply")) == NULL ||
	    !BIO_meth_set_write(tls_conn_out_method, tls_conn_out_write) ||
	    !BIO_meth_set_ctrl(tls_conn_out_method, tls_conn_out_ctrl) ||
	    !BIO_meth_set_create(tls_conn_out_method, tls_conn_out_create))
		return -1;
	return 0;
}

/*
 * Bytes read before TLS was known to start are given back through a read
 * buffer in front of the socket; it goes once it is empty (see
 * tls_conn_handshake), so a connection does not keep it.
 */
static int
tls_conn_prefix(struct tls_conn *c, const void *pre, size_t len)
{
	BIO *buf, *sock;

	if (len > INT_MAX || (buf = BIO_new(BIO_f_buffer())) == NULL)
		return -1;
	if ((sock = BIO_new_socket(c->fd, BIO_NOCLOSE)) == NULL ||
	    /* the macro's argument is not const; the data is copied */
	    !BIO_set_buffer_read_data(buf, (void *)(uintptr_t)pre,
	    (long)len)) {
		BIO_free(sock);
		BIO_free(buf);
		return -1;
	}
	BIO_push(buf, sock);
	SSL_set0_rbio(c->ssl, buf);
	c->prefixed = 1;
	return 0;
}

struct tls_conn *
tls_conn_new(struct tls_server *srv, int fd, const void *pre, size_t prelen)
{
	struct tls_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->sni = -1;
	c->fd = fd;
	if ((c->ssl = SSL_new(srv->ctx[0])) == NULL ||
	    !SSL_set_fd(c->ssl, fd) ||
	    !SSL_set_ex_data(c->ssl, tls_conn_idx, c) ||
	    (prelen > 0 && tls_conn_prefix(c, pre, prelen) == -1)) {
		tls_conn_free(c);
		ERR_clear_error();
		return NULL;
	}
	SSL_set_accept_state(c->ssl);
	return c;
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl);
	free(c->out);
	free(c);
}

/* Maps an SSL_* result to our codes; clears the thread's error queue. */
static int
tls_conn_result(struct tls_conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_EOF;
	default:
		ERR_clear_error();
		return TLS_ERR;
	}
}

int
tls_conn_handshake(struct tls_conn *c)
{
	int r;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) != 1)
		return tls_conn_result(c, r);
	if (c->prefixed && BIO_ctrl_pending(SSL_get_rbio(c->ssl)) == 0) {
		BIO *sock = BIO_new_socket(c->fd, BIO_NOCLOSE);

		if (sock == NULL) {
			ERR_clear_error();
			return TLS_ERR;
		}
		SSL_set0_rbio(c->ssl, sock);
		c->prefixed = 0;
	}
	return 0;
}

ssize_t
tls_conn_read(struct tls_conn *c, void *buf, size_t len)
{
	size_t	 n;
	int	 r;

	ERR_clear_error();
	if ((r = SSL_read_ex(c->ssl, buf, len, &n)) == 1)
		return (ssize_t)n;
	return tls_conn_result(c, r);
}

ssize_t
tls_conn_write(struct tls_conn *c, const void *buf, size_t len)
{
	size_t	 n;
	int	 r;

	/* nothing more is gathered while the socket cannot take it */
	if ((c->outlen - c->outoff >= c->wlimit ||
	    (c->blocked && c->outlen > c->outoff)) &&
	    (r = tls_conn_flush(c)) != 0)
		return r;
	ERR_clear_error();
	if ((r = SSL_write_ex(c->ssl, buf, len, &n)) == 1)
		return (ssize_t)n;
	return tls_conn_result(c, r);
}

int
tls_conn_buffer(struct tls_conn *c)
{
	BIO *out;

	if (c->buffered)
		return 0;
	/*
	 * Only once the reply starts: an idle connection must stay small.
	 * Reads keep going to the socket directly.
	 */
	if ((out = BIO_new(tls_conn_out_method)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	BIO_set_data(out, c);
	SSL_set0_wbio(c->ssl, out);
	/*
	 * Released buffers keep an idle connection small; a reply, kept
	 * buffers: released, they are freed and allocated again for every
	 * record, and a large file leaves the heap many megabytes larger.
	 */
	SSL_clear_mode(c->ssl, SSL_MODE_RELEASE_BUFFERS);
	c->buffered = 1;
	c->wlimit = TLS_WBUF_MIN;
	/* the session ticket, written ahead of the reply (TLS 1.3 only) */
	if (SSL_version(c->ssl) >= TLS1_3_VERSION &&
	    !SSL_new_session_ticket(c->ssl))
		ERR_clear_error();
	return 0;
}

/*
 * The socket is full: what waits for it is kept in a buffer its size, not
 * in one a faster moment of the reader grew.  Once per stall.
 */
static void
tls_conn_shrink(struct tls_conn *c)
{
	size_t	 left = c->outlen - c->outoff;
	char	*p;

	if (c->outcap <= 2 * TLS_WBUF_MIN || c->outcap < 4 * left)
		return;
	memmove(c->out, c->out + c->outoff, left);
	c->outoff = 0;
	c->outlen = left;
	if ((p = realloc(c->out, left > TLS_WBUF_MIN ? left :
	    TLS_WBUF_MIN)) != NULL) {
		c->out = p;
		c->outcap = left > TLS_WBUF_MIN ? left : TLS_WBUF_MIN;
	}
}

/*
 * After a write the socket took whole: gathers more next time, unless
 * the kernel's send buffer is filling up (the reader is slower than we
 * write), when the next write would leave most of it with us.  (Half
 * SO_SNDBUF: the kernel counts its own overhead in it.)
 */
static void
tls_conn_wlimit(struct tls_conn *c)
{
	socklen_t	 len = sizeof(int);
	int		 queued, sndbuf;

	if (ioctl(c->fd, SIOCOUTQ, &queued) == 0 &&
	    getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 &&
	    sndbuf / 2 - queued < 2 * (int)c->wlimit) {
		/* a slow reader: we wait for it with no buffer at all */
		c->wlimit = TLS_WBUF_MIN;
		free(c->out);
		c->out = NULL;
		c->outcap = 0;
		return;
	}
	if (c->wlimit < TLS_WBUF)
		c->wlimit *= 2;
}

int
tls_conn_flush(struct tls_conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n > 0) {
			c->outoff += (size_t)n;
			c->sent += (unsigned long long)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN) {
			c->wlimit = TLS_WBUF_MIN;	/* a slow reader */
			c->blocked = 1;
			tls_conn_shrink(c);
			return TLS_WANT_WRITE;
		} else
			return TLS_ERR;
	}
	c->outoff = c->outlen = 0;
	c->blocked = 0;
	tls_conn_wlimit(c);
	/* what a faster reader needed is not kept for a slower one */
	if (c->outcap > 4 * c->wlimit) {
		free(c->out);
		c->out = NULL;
		c->outcap = 0;
	}
	return 0;
}

unsigned long long
tls_conn_sent(const struct tls_conn *c)
{
	return c->sent;
}

int
tls_conn_shutdown(struct tls_conn *c)
{
	int r;

	ERR_clear_error();
	/* 0: our close_notify is sent; we need not wait for the peer's */
	if ((r = SSL_shutdown(c->ssl)) >= 0)
		return 0;
	return tls_conn_result(c, r);
}

int
tls_conn_sni(const struct tls_conn *c)
{
	return c->sni;
}

int
tls_conn_peer(const struct tls_conn *c, unsigned char *sha,
    int *valid)
{
	X509		*x;
	unsigned int	 len = 0;

	*valid = 0;
	if (c == NULL || (x = SSL_get0_peer_certificate(c->ssl)) == NULL)
		return 0;
	if (X509_digest(x, EVP_sha256(), sha, &len) != 1 || len != TLS_SHA_LEN)
		return -1;
	*valid = X509_cmp_current_time(X509_get0_notBefore(x)) < 0 &&
	    X509_cmp_current_time(X509_get0_notAfter(x)) > 0;
	return 1;
}

/* An ASN1 time as CGI programs get it: "YYYY-MM-DDTHH:MM:SSZ". */
static void
tls_conn_time(const ASN1_TIME *t, char *out, size_t outlen)
{
	struct tm tm;

	out[0] = '\0';
	if (t != NULL && ASN1_TIME_to_tm(t, &tm) == 1)
		(void)snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
}

void
tls_conn_info(const struct tls_conn *c, struct tls_info *info)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const SSL_CIPHER	*cipher;
	X509			*peer;
	X509_NAME		*subj;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	size_t			 o;

	memset(info, 0, sizeof(*info));
	(void)snprintf(info->version, sizeof(info->version), "%s",
	    SSL_get_version(c->ssl));
	if ((cipher = SSL_get_current_cipher(c->ssl)) != NULL)
		(void)snprintf(info->cipher, sizeof(info->cipher), "%s",
		    SSL_CIPHER_get_name(cipher));
	if ((peer = SSL_get_peer_certificate(c->ssl)) == NULL)
		return;
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32) {
		o = (size_t)snprintf(info->hash, sizeof(info->hash), "SHA256:");
		for (i = 0; i < mdlen; i++) {
			info->hash[o++] = hex[md[i] >> 4];
			info->hash[o++] = hex[md[i] & 15];
		}
		info->hash[o] = '\0';
		info->has_cert = 1;
	}
	if ((subj = X509_get_subject_name(peer)) != NULL &&
	    X509_NAME_get_text_by_NID(subj, NID_commonName, info->cn,
	    (int)sizeof(info->cn)) < 0)
		info->cn[0] = '\0';
	tls_conn_time(X509_get0_notBefore(peer), info->not_before,
	    sizeof(info->not_before));
	tls_conn_time(X509_get0_notAfter(peer), info->not_after,
	    sizeof(info->not_after));
	X509_free(peer);
}
