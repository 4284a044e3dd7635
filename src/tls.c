#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/sockios.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "tls.h"

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

static int tls_conn_idx = -1, tls_server_idx = -1;
/*
 * Fetched once: OpenSSL 3 looks an algorithm up in its provider tables
 * (under a lock) every time one is named by an EVP_aes_*() call.
 */
static EVP_CIPHER *tls_ticket_cipher;
static BIO_METHOD *tls_out_method;

/*
 * The reply buffer, as OpenSSL's write BIO.  OpenSSL flushes its BIO
 * after every flight, a session ticket being one; this one keeps all it
 * is given until tls_conn_flush(), so a ticket, the reply and the
 * close_notify leave in one write(2) and one TCP segment where they fit.
 * It never refuses a write: tls_conn_write() sends what is gathered
 * before it passes TLS_WBUF.
 */
static int
tls_out_write(BIO *b, const char *data, int len)
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
tls_out_ctrl(BIO *b, int cmd, long num, void *ptr)
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
tls_out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

int
tls_init(void)
{
	int type;

	if (OPENSSL_init_ssl(0, NULL) != 1)
		return -1;
	tls_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tls_server_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tls_ticket_cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	if ((type = BIO_get_new_index()) == -1 ||
	    (tls_out_method = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK,
	    "yurt reply")) == NULL ||
	    !BIO_meth_set_write(tls_out_method, tls_out_write) ||
	    !BIO_meth_set_ctrl(tls_out_method, tls_out_ctrl) ||
	    !BIO_meth_set_create(tls_out_method, tls_out_create))
		return -1;
	return tls_conn_idx == -1 || tls_server_idx == -1 ||
	    tls_ticket_cipher == NULL ? -1 : 0;
}

/* Seconds, counting time suspended: a day is a day. */
static time_t
tls_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec;
}

static int
tls_ticket_new(struct tls_ticket_key *k)
{
	k->born = tls_clock();
	return RAND_bytes(k->name, sizeof(k->name)) == 1 &&
	    RAND_priv_bytes(k->aes, sizeof(k->aes)) == 1 &&
	    RAND_priv_bytes(k->hmac, sizeof(k->hmac)) == 1 ? 0 : -1;
}

static int
tls_ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls_server	*srv;
	struct tls_ticket_key	 k;
	OSSL_PARAM		 params[3];
	time_t			 now;
	int			 i, rc = 1;

	srv = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_server_idx);
	if (srv == NULL)
		return -1;
	pthread_mutex_lock(&srv->tklock);
	now = tls_clock();
	if (now - srv->tk[0].born >= TLS_TICKET_ROTATE) {
		/* after a quiet spell the current key is past use too */
		if (now - srv->tk[0].born >= 2 * TLS_TICKET_ROTATE)
			OPENSSL_cleanse(&srv->tk[0], sizeof(srv->tk[0]));
		srv->tk[1] = srv->tk[0];
		if (tls_ticket_new(&srv->tk[0]) == -1) {
			pthread_mutex_unlock(&srv->tklock);
			return -1;
		}
	}
	if (enc)
		k = srv->tk[0];
	else {
		for (i = 0; i < 2; i++)
			if (memcmp(name, srv->tk[i].name, 16) == 0)
				break;
		if (i == 2 || srv->tk[i].born == 0 ||
		    now - srv->tk[i].born >= 2 * TLS_TICKET_ROTATE) {
			pthread_mutex_unlock(&srv->tklock);
			return 0;	/* unknown or spent key: a full handshake */
		}
		k = srv->tk[i];
		/*
		 * 2: accept, and issue a fresh ticket.  With 1, OpenSSL sends
		 * none on a resumed TLS 1.3 handshake, and a client that keeps
		 * only its latest session falls back to a full one.
		 */
		rc = 2;
	}
	pthread_mutex_unlock(&srv->tklock);

	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    k.hmac, sizeof(k.hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[2] = OSSL_PARAM_construct_end();
	if (enc) {
		memcpy(name, k.name, 16);
		if (RAND_bytes(iv, 16) != 1 ||
		    !EVP_EncryptInit_ex(cctx, tls_ticket_cipher, NULL, k.aes,
		    iv) || !EVP_MAC_CTX_set_params(hctx, params))
			rc = -1;
	} else if (!EVP_MAC_CTX_set_params(hctx, params) ||
	    !EVP_DecryptInit_ex(cctx, tls_ticket_cipher, NULL, k.aes, iv))
		rc = -1;
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/*
 * A new ticket: a resumed session keeps the time its first full
 * handshake was made (OpenSSL copies the old ticket's data to the new
 * session); a new session is stamped now.
 */
static int
tls_ticket_gen(SSL *ssl, void *arg)
{
	SSL_SESSION	*sess = SSL_get0_session(ssl);
	void		*data;
	size_t		 len;
	int64_t		 born;

	if (sess == NULL)
		return 0;
	if (SSL_SESSION_get0_ticket_appdata(sess, &data, &len) &&
	    len == sizeof(born))
		return 1;
	born = (int64_t)tls_clock();
	return SSL_SESSION_set1_ticket_appdata(sess, &born, sizeof(born));
}

/* A decrypted ticket resumes only a session begun under a day ago. */
static SSL_TICKET_RETURN
tls_ticket_check(SSL *ssl, SSL_SESSION *sess, const unsigned char *keyname,
    size_t keylen, SSL_TICKET_STATUS status, void *arg)
{
	void	*data;
	size_t	 len;
	int64_t	 born, now = (int64_t)tls_clock();

	switch (status) {
	case SSL_TICKET_SUCCESS:
	case SSL_TICKET_SUCCESS_RENEW:
		break;
	case SSL_TICKET_EMPTY:
	case SSL_TICKET_NO_DECRYPT:
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	default:
		return SSL_TICKET_RETURN_ABORT;
	}
	if (!SSL_SESSION_get0_ticket_appdata(sess, &data, &len) ||
	    len != sizeof(born))
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	memcpy(&born, data, sizeof(born));
	if (born > now || now - born >= TLS_SESSION_MAX)
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	return status == SSL_TICKET_SUCCESS_RENEW ?
	    SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_USE;
}

static int
tls_sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct tls_server	*srv = arg;
	struct tls_conn		*c = SSL_get_ex_data(ssl, tls_conn_idx);
	const char		*name;
	size_t			 i, len;

	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name == NULL || c == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i < srv->n; i++) {
		if (strlen(srv->names[i]) == len &&
		    strncasecmp(srv->names[i], name, len) == 0) {
			c->sni = (int)i;
			if (i > 0 && SSL_set_SSL_CTX(ssl, srv->ctx[i]) == NULL)
				return SSL_TLSEXT_ERR_ALERT_FATAL;
			return SSL_TLSEXT_ERR_OK;
		}
	}
	/* unknown name: the default certificate; the URL check answers 53 */
	c->sni = -2;
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
tls_ctx_new(int dirfd, const char *host, EVP_PKEY *loaded, char *err,
    size_t errlen)
{
	SSL_CTX		*ctx;
	X509		*x = NULL;
	EVP_PKEY	*key = NULL;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		cert_errstr(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		goto fail;
	/*
	 * AES-128-GCM with SHA-256 first: AES and SHA-256 have instructions
	 * of their own on current x86 and ARM (SHA-384 has none), so it is
	 * the cheapest handshake and the fastest large file; a client that
	 * lists ChaCha20 first (no AES instructions: old phones, old
	 * machines) gets ChaCha20.  TLS 1.2 gets the same AEADs, with ECDHE
	 * only: no CBC (padding oracles), no static RSA or finite-field DH
	 * (no forward secrecy), so every suite on offer keeps past
	 * sessions secret if the key is ever stolen.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA |
	    SSL_OP_NO_COMPRESSION);
	if (!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") ||
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
	    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
	    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:"
	    "ECDHE-RSA-AES256-GCM-SHA384"))
		goto fail;
	/*
	 * No session-ID cache: a TLS 1.2 session would stay resumable by
	 * its ID, without a ticket and without the ticket's bounds
	 * (tls_ticket_cb, tls_ticket_check).  Tickets only.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/*
	 * The chain is built once here, not on every handshake (OpenSSL
	 * would otherwise search the system store per connection).
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN |
	    SSL_MODE_RELEASE_BUFFERS);
	/*
	 * Records are read as many as have come in one read(2), not header
	 * and body in two each: a handshake takes four reads fewer.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (!SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384"))
		goto fail;
	/*
	 * One TLS 1.3 ticket, not OpenSSL's two: a client resumes with one.
	 * None at the end of the handshake: tls_conn_buffer() asks for it,
	 * so that it leaves with the reply (see tls_out_write).
	 */
	if (!SSL_CTX_set_num_tickets(ctx, 0))
		goto fail;

	if (cert_load(dirfd, host, &x, &key, loaded, err, errlen) == -1)
		goto out;
	if (!SSL_CTX_use_certificate(ctx, x)) {
		cert_errstr(err, errlen, host);
		goto out;
	}
	if (!SSL_CTX_use_PrivateKey(ctx, key) ||
	    !SSL_CTX_check_private_key(ctx)) {
		cert_errstr(err, errlen, host);
		goto out;
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
fail:
	cert_errstr(err, errlen, "TLS setup");
out:
	X509_free(x);
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}

/* The key prev uses for host, or NULL. */
static EVP_PKEY *
tls_server_key(const struct tls_server *prev, const char *host)
{
	size_t i;

	for (i = 0; prev != NULL && i < prev->n; i++)
		if (strcasecmp(prev->names[i], host) == 0)
			return SSL_CTX_get0_privatekey(prev->ctx[i]);
	return NULL;
}

struct tls_server *
tls_server_new(int dirfd, const char *const *hosts, size_t n,
    const struct tls_server *prev, char *err, size_t errlen)
{
	struct tls_server	*srv;
	size_t			 i;

	if ((srv = calloc(1, sizeof(*srv))) == NULL ||
	    (srv->ctx = calloc(n, sizeof(*srv->ctx))) == NULL ||
	    (srv->names = calloc(n, sizeof(*srv->names))) == NULL) {
		snprintf(err, errlen, "out of memory");
		tls_server_free(srv);
		return NULL;
	}
	srv->n = n;
	if (pthread_mutex_init(&srv->tklock, NULL) != 0 ||
	    tls_ticket_new(&srv->tk[0]) == -1) {
		snprintf(err, errlen, "session ticket keys");
		free(srv->ctx);
		free(srv->names);
		free(srv);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if ((srv->names[i] = strdup(hosts[i])) == NULL ||
		    (srv->ctx[i] = tls_ctx_new(dirfd, hosts[i],
		    tls_server_key(prev, hosts[i]), err, errlen)) == NULL) {
			if (srv->names[i] == NULL)
				snprintf(err, errlen, "out of memory");
			tls_server_free(srv);
			return NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (!SSL_CTX_set_ex_data(srv->ctx[i], tls_server_idx, srv) ||
		    !SSL_CTX_set_tlsext_ticket_key_evp_cb(srv->ctx[i],
		    tls_ticket_cb) ||
		    !SSL_CTX_set_session_ticket_cb(srv->ctx[i], tls_ticket_gen,
		    tls_ticket_check, NULL)) {
			cert_errstr(err, errlen, "session tickets");
			tls_server_free(srv);
			return NULL;
		}
	}
	SSL_CTX_set_tlsext_servername_callback(srv->ctx[0], tls_sni_cb);
	SSL_CTX_set_tlsext_servername_arg(srv->ctx[0], srv);
	return srv;
}

void
tls_server_free(struct tls_server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->n; i++) {
		if (srv->ctx)
			SSL_CTX_free(srv->ctx[i]);
		if (srv->names)
			free(srv->names[i]);
	}
	free(srv->ctx);
	free(srv->names);
	if (srv->n > 0)
		pthread_mutex_destroy(&srv->tklock);
	OPENSSL_cleanse(srv->tk, sizeof(srv->tk));
	free(srv);
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
tls_result(struct tls_conn *c, int r)
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
		return tls_result(c, r);
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
	return tls_result(c, r);
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
	return tls_result(c, r);
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
	if ((out = BIO_new(tls_out_method)) == NULL) {
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
		if (n > 0)
			c->outoff += (size_t)n;
		else if (n == -1 && errno == EINTR)
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

int
tls_conn_shutdown(struct tls_conn *c)
{
	int r;

	ERR_clear_error();
	/* 0: our close_notify is sent; we need not wait for the peer's */
	if ((r = SSL_shutdown(c->ssl)) >= 0)
		return 0;
	return tls_result(c, r);
}

int
tls_conn_sni(const struct tls_conn *c)
{
	return c->sni;
}

/*
 * Every certificate is accepted here: which ones may enter an area is
 * the rules' business (61, 62), and a handshake failure would tell the
 * client nothing.
 */
static int
tls_verify_cb(int preverify, X509_STORE_CTX *x)
{
	(void)preverify;
	(void)x;
	return 1;
}

void
tls_server_ask_certs(struct tls_server *srv)
{
	static const unsigned char sid[] = "yurt";
	size_t i;

	/* requested, never required: clients that send none still connect */
	for (i = 0; i < srv->n; i++) {
		SSL_CTX_set_verify(srv->ctx[i], SSL_VERIFY_PEER |
		    SSL_VERIFY_CLIENT_ONCE, tls_verify_cb);
		/* OpenSSL resumes no session with a peer check without it */
		(void)SSL_CTX_set_session_id_context(srv->ctx[i], sid,
		    sizeof(sid) - 1);
	}
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
tls_time(const ASN1_TIME *t, char *out, size_t outlen)
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
	tls_time(X509_get0_notBefore(peer), info->not_before,
	    sizeof(info->not_before));
	tls_time(X509_get0_notAfter(peer), info->not_after,
	    sizeof(info->not_after));
	X509_free(peer);
}
