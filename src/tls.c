#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cert.h"
#include "tls.h"
#include "tls_int.h"

/*
 * The server side of TLS: one context per host, SNI, session tickets.
 * A connection's I/O is tls_conn.c's.
 */

int tls_conn_idx = -1, tls_server_idx = -1;
/*
 * Fetched once: OpenSSL 3 looks an algorithm up in its provider tables
 * (under a lock) every time one is named by an EVP_aes_*() call.
 */
static EVP_CIPHER *tls_ticket_cipher;

int
tls_init(void)
{
	if (OPENSSL_init_ssl(0, NULL) != 1)
		return -1;
	tls_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tls_server_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	tls_ticket_cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	if (tls_conn_init() == -1)
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

/* What every context offers, whatever its host: versions, suites, modes. */
static int
tls_ctx_policy(SSL_CTX *ctx)
{
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		return -1;
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
		return -1;
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
		return -1;
	/*
	 * One TLS 1.3 ticket, not OpenSSL's two: a client resumes with one.
	 * None at the end of the handshake: tls_conn_buffer() asks for it,
	 * so that it leaves with the reply (see tls_conn_out_write).
	 */
	return SSL_CTX_set_num_tickets(ctx, 0) ? 0 : -1;
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
	if (tls_ctx_policy(ctx) == -1)
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

