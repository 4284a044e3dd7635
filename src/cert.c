/*
 * Certificate files: one certificate and key per host name in the
 * certificate directory, loaded, or created self-signed when missing, at
 * start-up and on reload.  With tls.c, the only file that includes
 * OpenSSL headers.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"

#define CERT_FILE_MAX	(64 * 1024)

void
cert_errstr(char *err, size_t errlen, const char *what)
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
cert_read_file(int dirfd, const char *name, char *err, size_t errlen)
{
	char	 buf[CERT_FILE_MAX];
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
cert_write_file(int dirfd, const char *name, BIO *bio, mode_t mode,
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
cert_fingerprint(X509 *x, char fpr[CERT_FPR_LEN])
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
cert_selfsign(const char *host, EVP_PKEY *key)
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
cert_create(int dirfd, const char *host, const char *crtname,
    const char *keyname, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	BIO		*kb = NULL, *cb = NULL;
	int		 rc = -1;

	if ((key = EVP_EC_gen("P-256")) == NULL) {
		cert_errstr(err, errlen, "generating a P-256 key");
		return -1;
	}
	if ((x = cert_selfsign(host, key)) == NULL) {
		cert_errstr(err, errlen, "making a certificate");
		goto done;
	}
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(cb, x)) {
		cert_errstr(err, errlen, "encoding the certificate");
		goto done;
	}
	/* the key first: a certificate is only ever beside its key */
	if (cert_write_file(dirfd, keyname, kb, 0600, err, errlen) == -1 ||
	    cert_write_file(dirfd, crtname, cb, 0644, err, errlen) == -1)
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
cert_names(const char *host, char *crt, char *key, size_t len)
{
	return snprintf(crt, len, "%s.crt", host) >= (int)len ||
	    snprintf(key, len, "%s.key", host) >= (int)len ? -1 : 0;
}

int
cert_ensure(int dirfd, const char *host, char fpr[CERT_FPR_LEN],
    int *created, char *err, size_t errlen)
{
	char		 crt[300], key[300];
	BIO		*bio;
	X509		*x;
	struct stat	 st;

	*created = 0;
	if (cert_names(host, crt, key, sizeof(crt)) == -1) {
		snprintf(err, errlen, "%s: name too long", host);
		return -1;
	}
	if (fstatat(dirfd, crt, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", crt, strerror(errno));
			return -1;
		}
		if (cert_create(dirfd, host, crt, key, err, errlen) == -1)
			return -1;
		*created = 1;
	}
	if ((bio = cert_read_file(dirfd, crt, err, errlen)) == NULL)
		return -1;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		cert_errstr(err, errlen, crt);
		return -1;
	}
	if (cert_fingerprint(x, fpr) == -1) {
		X509_free(x);
		snprintf(err, errlen, "%s: cannot compute fingerprint", crt);
		return -1;
	}
	X509_free(x);
	return 0;
}

int
cert_load(int dirfd, const char *host, X509 **x, EVP_PKEY **key, char *err,
    size_t errlen)
{
	char	 crt[300], keyname[300];
	BIO	*bio;

	*x = NULL;
	*key = NULL;
	if (cert_names(host, crt, keyname, sizeof(crt)) == -1) {
		snprintf(err, errlen, "%s: name too long", host);
		return -1;
	}
	if ((bio = cert_read_file(dirfd, crt, err, errlen)) == NULL)
		return -1;
	*x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (*x == NULL) {
		cert_errstr(err, errlen, crt);
		return -1;
	}
	if ((bio = cert_read_file(dirfd, keyname, err, errlen)) == NULL)
		return -1;
	*key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (*key == NULL) {
		cert_errstr(err, errlen, keyname);
		return -1;
	}
	return 0;
}
