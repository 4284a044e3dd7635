#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
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

#include "tls.h"

#define TLS_FILE_MAX	(64 * 1024)

/*
 * Session ticket keys: made here, never written anywhere, replaced every
 * TLS_TICKET_ROTATE seconds; a ticket under the previous key is still
 * accepted (and renewed).  So a ticket lives at most twice that, and a
 * reader's visits cannot be linked across days by their tickets.
 */
#define TLS_TICKET_ROTATE	(6 * 3600)

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
};

/*
 * Bytes of TLS records gathered before a write(2): the reply's records
 * (with a session ticket before them and the close_notify after) leave
 * together, a large file in 16 records a call (measured: 5 % less CPU a
 * byte than 4, with the buffer only as large as the reply needs).
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

static time_t
tls_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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
	int			 i, rc = 1;

	srv = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_server_idx);
	if (srv == NULL)
		return -1;
	pthread_mutex_lock(&srv->tklock);
	if (tls_clock() - srv->tk[0].born >= TLS_TICKET_ROTATE) {
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
		if (i == 2 || srv->tk[i].born == 0) {
			pthread_mutex_unlock(&srv->tklock);
			return 0;	/* unknown key: a full handshake */
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

static void
tls_errstr(char *err, size_t errlen, const char *what)
{
	unsigned long	 e = ERR_get_error();
	char		 buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s%s%s", what, e ? ": " : "", buf);
	ERR_clear_error();
}

/* Reads a whole (small) file relative to dirfd into a memory BIO. */
static BIO *
tls_read_file(int dirfd, const char *name, char *err, size_t errlen)
{
	char	 buf[TLS_FILE_MAX];
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd;
	BIO	*bio;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return NULL;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n == -1 || len == sizeof(buf)) {
		snprintf(err, errlen, "%s: %s", name,
		    n == -1 ? strerror(errno) : "file too large");
		return NULL;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || BIO_write(bio, buf, (int)len) != (int)len) {
		BIO_free(bio);
		snprintf(err, errlen, "%s: out of memory", name);
		bio = NULL;
	}
	OPENSSL_cleanse(buf, len);
	return bio;
}

/* Writes a memory BIO to dir/name atomically: temporary file, rename. */
static int
tls_write_file(int dirfd, const char *name, BIO *bio, mode_t mode,
    char *err, size_t errlen)
{
	char	 tmp[512], *data;
	long	 len;
	int	 fd;

	len = BIO_get_mem_data(bio, &data);
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp%ld", name, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", name);
		return -1;
	}
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, data, (size_t)len) != len || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

static int
tls_fingerprint(X509 *x, char fpr[TLS_FPR_LEN])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;

	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return -1;
	for (i = 0; i < mdlen; i++)
		snprintf(fpr + i * 3, 4, "%02X%s", md[i],
		    i + 1 < mdlen ? ":" : "");
	return 0;
}

/*
 * A self-signed certificate for one host.  Gemini clients pin
 * certificates on first use (TOFU), so it never expires: RFC 5280's
 * 99991231235959Z means "no well-defined expiration date".
 */
static X509 *
tls_selfsign(const char *host, EVP_PKEY *key)
{
	X509		*x;
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	ASN1_INTEGER	*serial;
	BIGNUM		*bn;
	char		 san[300];
	int		 ok = 0, ip;

	ip = strspn(host, "0123456789.") == strlen(host) ||
	    strchr(host, ':') != NULL;
	if (snprintf(san, sizeof(san), "%s:%s", ip ? "IP" : "DNS", host) >=
	    (int)sizeof(san))
		return NULL;
	if ((x = X509_new()) == NULL)
		return NULL;
	bn = BN_new();
	serial = ASN1_INTEGER_new();
	if (bn == NULL || serial == NULL || !BN_rand(bn, 128, BN_RAND_TOP_ANY,
	    BN_RAND_BOTTOM_ANY) || BN_to_ASN1_INTEGER(bn, serial) == NULL ||
	    !X509_set_serialNumber(x, serial))
		goto done;
	if (!X509_set_version(x, 2) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    !ASN1_TIME_set_string(X509_getm_notAfter(x), "99991231235959Z"))
		goto done;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key))
		goto done;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    san)) == NULL)
		goto done;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ok)
		ok = X509_sign(x, key, EVP_sha256()) > 0;
done:
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

static int
tls_cert_create(int dirfd, const char *host, const char *crtname,
    const char *keyname, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	BIO		*kb = NULL, *cb = NULL;
	int		 rc = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL) {
		tls_errstr(err, errlen, "generating a P-256 key");
		return -1;
	}
	if ((x = tls_selfsign(host, key)) == NULL) {
		tls_errstr(err, errlen, "making a certificate");
		goto done;
	}
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x)) {
		tls_errstr(err, errlen, "encoding the certificate");
		goto done;
	}
	/* the key first: a certificate is only ever beside its key */
	if (tls_write_file(dirfd, keyname, kb, 0600, err, errlen) == -1 ||
	    tls_write_file(dirfd, crtname, cb, 0644, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int
tls_names(const char *host, char *crt, char *key, size_t len)
{
	return snprintf(crt, len, "%s.crt", host) >= (int)len ||
	    snprintf(key, len, "%s.key", host) >= (int)len ? -1 : 0;
}

int
tls_cert_ensure(int dirfd, const char *host, char fpr[TLS_FPR_LEN],
    int *created, char *err, size_t errlen)
{
	char		 crt[300], key[300];
	BIO		*bio;
	X509		*x;
	struct stat	 st;

	*created = 0;
	if (tls_names(host, crt, key, sizeof(crt)) == -1) {
		snprintf(err, errlen, "%s: name too long", host);
		return -1;
	}
	if (fstatat(dirfd, crt, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", crt, strerror(errno));
			return -1;
		}
		if (tls_cert_create(dirfd, host, crt, key, err, errlen) == -1)
			return -1;
		*created = 1;
	}
	if ((bio = tls_read_file(dirfd, crt, err, errlen)) == NULL)
		return -1;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		tls_errstr(err, errlen, crt);
		return -1;
	}
	if (tls_fingerprint(x, fpr) == -1) {
		X509_free(x);
		snprintf(err, errlen, "%s: cannot compute fingerprint", crt);
		return -1;
	}
	X509_free(x);
	return 0;
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
tls_ctx_new(int dirfd, const char *host, char *err, size_t errlen)
{
	SSL_CTX		*ctx;
	BIO		*bio;
	X509		*x = NULL;
	EVP_PKEY	*key = NULL;
	char		 crt[300], keyname[300];

	if (tls_names(host, crt, keyname, sizeof(crt)) == -1 ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_errstr(err, errlen, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/*
	 * AES-128-GCM with SHA-256 first: AES and SHA-256 have instructions
	 * of their own on current x86 and ARM (SHA-384 has none), so it is
	 * the cheapest handshake and the fastest large file; a client that
	 * lists ChaCha20 first (no AES instructions: old phones, old
	 * machines) gets ChaCha20.  All are AEADs with forward secrecy.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA |
	    SSL_OP_NO_COMPRESSION);
	if (!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") ||
	    /* TLS 1.2: the same order first, then OpenSSL's default set */
	    !SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:"
	    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
	    "ECDHE-RSA-CHACHA20-POLY1305:ALL:!aNULL:!eNULL:!PSK:!SRP:!DSS:"
	    "!CAMELLIA:!ARIA:!AESCCM"))
		goto fail;
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

	if ((bio = tls_read_file(dirfd, crt, err, errlen)) == NULL)
		goto out;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL || !SSL_CTX_use_certificate(ctx, x)) {
		tls_errstr(err, errlen, crt);
		goto out;
	}
	if ((bio = tls_read_file(dirfd, keyname, err, errlen)) == NULL)
		goto out;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL || !SSL_CTX_use_PrivateKey(ctx, key) ||
	    !SSL_CTX_check_private_key(ctx)) {
		tls_errstr(err, errlen, keyname);
		goto out;
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
fail:
	tls_errstr(err, errlen, "TLS setup");
out:
	X509_free(x);
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}

struct tls_server *
tls_server_new(int dirfd, const char *const *hosts, size_t n, char *err,
    size_t errlen)
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
		    (srv->ctx[i] = tls_ctx_new(dirfd, hosts[i], err,
		    errlen)) == NULL) {
			if (srv->names[i] == NULL)
				snprintf(err, errlen, "out of memory");
			tls_server_free(srv);
			return NULL;
		}
	}
	for (i = 0; i < n; i++) {
		if (!SSL_CTX_set_ex_data(srv->ctx[i], tls_server_idx, srv) ||
		    !SSL_CTX_set_tlsext_ticket_key_evp_cb(srv->ctx[i],
		    tls_ticket_cb)) {
			tls_errstr(err, errlen, "session tickets");
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

	if (c->outlen - c->outoff >= TLS_WBUF && (r = tls_conn_flush(c)) != 0)
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
	/* the session ticket, written ahead of the reply (TLS 1.3 only) */
	if (SSL_version(c->ssl) >= TLS1_3_VERSION &&
	    !SSL_new_session_ticket(c->ssl))
		ERR_clear_error();
	return 0;
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
		else
			return n == -1 && errno == EAGAIN ? TLS_WANT_WRITE :
			    TLS_ERR;
	}
	c->outoff = c->outlen = 0;
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
