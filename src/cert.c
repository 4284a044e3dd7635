/*
 * Certificate files: one certificate and key per host name in the
 * certificate directory, loaded, or created self-signed when missing, at
 * start-up and on reload.  With tls.c, the only file that includes
 * OpenSSL headers.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
		n = errno;	/* the caller looks at it */
		snprintf(err, errlen, "%s: %s", name, strerror((int)n));
		errno = (int)n;
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

/* cert_write_file without O_TMPFILE: a named temporary, then a link. */
/* A file that cannot be created: CERT_EDIR when the directory refuses it. */
static int
cert_create_failed(const char *name, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot create %s: %s", name, strerror(e));
	return e == EACCES || e == EPERM || e == EROFS ? CERT_EDIR : -1;
}

static int
cert_write_file_named(int dirfd, const char *name, const char *tmp,
    const char *data, long len, mode_t mode, char *err, size_t errlen)
{
	int fd, rc = -1;

	(void)unlinkat(dirfd, tmp, 0);
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode)) == -1) {
		return cert_create_failed(name, errno, err, errlen);
	}
	if (write(fd, data, (size_t)len) != len || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1 || linkat(dirfd, tmp, dirfd, name, 0) == -1)
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
	else
		rc = 0;
	close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	(void)fsync(dirfd);
	return rc;
}

/*
 * Writes a memory BIO to dir/name, never over an existing file, with its
 * final mode and owner (ours) from the start.  The data goes to an
 * unnamed file (O_TMPFILE) that is linked in only once complete and on
 * disk, so a kill at any moment leaves the whole file or nothing; where
 * O_TMPFILE is missing, a named temporary that cert_sweep() removes if
 * we die before it is linked.  linkat, unlike rename, fails on an
 * existing name: a key found after we looked is kept, not replaced.
 */
static int
cert_write_file(int dirfd, const char *name, BIO *bio, mode_t mode,
    char *err, size_t errlen)
{
	char	 tmp[512], proc[64], *data;
	long	 len;
	int	 fd, e;

	len = BIO_get_mem_data(bio, &data);
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp%ld", name, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", name);
		return -1;
	}
	fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL))
		return cert_write_file_named(dirfd, name, tmp, data, len, mode,
		    err, errlen);
	if (fd == -1) {
		return cert_create_failed(name, errno, err, errlen);
	}
	if (write(fd, data, (size_t)len) != len || fchmod(fd, mode) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == -1) {
		e = errno;
		close(fd);
		if (e == ENOENT)	/* no /proc */
			return cert_write_file_named(dirfd, name, tmp, data,
			    len, mode, err, errlen);
		snprintf(err, errlen, "%s: %s", name, e == EEXIST ?
		    "made by another process meanwhile; not replaced" :
		    strerror(e));
		return -1;
	}
	close(fd);
	/* the new name on disk too, before the next file relies on it */
	(void)fsync(dirfd);
	return 0;
}

static void
cert_hex(const unsigned char *md, unsigned int len, char fpr[CERT_FPR_LEN])
{
	unsigned int i;

	for (i = 0; i < len && i < 32; i++)
		snprintf(fpr + i * 3, 4, "%02X%s", md[i],
		    i + 1 < len ? ":" : "");
}

/*
 * The certificate's SHA-256 (what most clients show) and its public
 * key's, the DER SubjectPublicKeyInfo (what Amfora and others pin: it
 * stays the same when a certificate is issued again from the same key).
 */
static int
cert_fingerprint(X509 *x, struct cert_info *ci)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int	 mdlen;
	int		 len, ok;

	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return -1;
	cert_hex(md, mdlen, ci->fpr);
	if ((len = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (ok != 1 || mdlen != 32)
		return -1;
	cert_hex(md, mdlen, ci->spki);
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

/*
 * An existing key is the capsule's identity, pinned by its readers: a
 * missing certificate is issued from it again, never from a new key.
 */
static EVP_PKEY *
cert_key_read(int dirfd, const char *keyname, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	BIO		*bio;

	if ((bio = cert_read_file(dirfd, keyname, err, errlen)) == NULL)
		return NULL;
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		cert_errstr(err, errlen, keyname);
	return key;
}

static int
cert_create(int dirfd, const char *host, const char *crtname,
    const char *keyname, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	X509		*x = NULL;
	BIO		*kb = NULL, *cb = NULL;
	struct stat	 st;
	int		 rc = -1, haskey;

	haskey = fstatat(dirfd, keyname, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (haskey) {
		if ((key = cert_key_read(dirfd, keyname, err,
		    errlen)) == NULL)
			return -1;
	} else if ((key = EVP_EC_gen("P-256")) == NULL) {
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
	if (!haskey && (rc = cert_write_file(dirfd, keyname, kb, 0600, err,
	    errlen)) != 0)
		goto done;
	rc = cert_write_file(dirfd, crtname, cb, 0644, err, errlen);
done:
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/*
 * dir/<host><ext>, whatever the case of its name (-H LocalHost and
 * certs/localhost.crt, or the other way round, are one identity): the
 * exact name first, else the first that differs only in case, else the
 * exact name for a file to create.
 */
static int
cert_find(int dirfd, const char *host, const char *ext, char *out,
    size_t len)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	int		 fd, found = 0;

	if (snprintf(out, len, "%s%s", host, ext) >= (int)len)
		return -1;
	if (fstatat(dirfd, out, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (!found && (de = readdir(d)) != NULL)
		if (strcasecmp(de->d_name, out) == 0 &&
		    strlen(de->d_name) < len) {
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
			found = 1;
		}
	closedir(d);
	return 0;
}

static int
cert_names(int dirfd, const char *host, char *crt, char *key, size_t len)
{
	return cert_find(dirfd, host, ".crt", crt, len) == -1 ||
	    cert_find(dirfd, host, ".key", key, len) == -1 ? -1 : 0;
}

/*
 * Temporaries (".<host>.key.tmp<pid>") of a yurt killed while it wrote
 * them, where O_TMPFILE was missing: they may hold a private key.  Those
 * of a live process are left to it.
 */
void
cert_sweep(int dirfd)
{
	struct dirent	*de;
	DIR		*d;
	const char	*t;
	char		*end;
	long		 pid;
	int		 fd;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' ||
		    (t = strstr(de->d_name, ".tmp")) == NULL ||
		    t - de->d_name < 5 || (strncmp(t - 4, ".key", 4) != 0 &&
		    strncmp(t - 4, ".crt", 4) != 0))
			continue;
		errno = 0;
		pid = strtol(t + 4, &end, 10);
		if (errno || *end || end == t + 4 || pid <= 0)
			continue;
		if (pid != (long)getpid() && kill((pid_t)pid, 0) == -1 &&
		    errno == ESRCH)
			(void)unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

static int
cert_read_info(int dirfd, const char *crt, struct cert_info *ci, char *err,
    size_t errlen)
{
	BIO	*bio;
	X509	*x;
	int	 rc;

	if ((bio = cert_read_file(dirfd, crt, err, errlen)) == NULL)
		return -1;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (x == NULL) {
		cert_errstr(err, errlen, crt);
		return -1;
	}
	if ((rc = cert_fingerprint(x, ci)) == -1)
		snprintf(err, errlen, "%s: cannot compute fingerprint", crt);
	X509_free(x);
	return rc;
}

int
cert_ensure(int dirfd, const char *host, struct cert_info *ci, int *created,
    char *err, size_t errlen)
{
	struct stat	 st;
	int		 rc;

	*created = 0;
	memset(ci, 0, sizeof(*ci));
	if (cert_names(dirfd, host, ci->crt, ci->key, sizeof(ci->crt)) == -1) {
		snprintf(err, errlen, "%s: name too long", host);
		return -1;
	}
	if (fstatat(dirfd, ci->crt, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", ci->crt,
			    strerror(errno));
			return -1;
		}
		if ((rc = cert_create(dirfd, host, ci->crt, ci->key, err,
		    errlen)) != 0)
			return rc;
		*created = 1;
	}
	return cert_read_info(dirfd, ci->crt, ci, err, errlen);
}

int
cert_peek(int dirfd, const char *host, struct cert_info *ci, char *err,
    size_t errlen)
{
	struct stat st;

	memset(ci, 0, sizeof(*ci));
	if (cert_names(dirfd, host, ci->crt, ci->key, sizeof(ci->crt)) == -1) {
		snprintf(err, errlen, "%s: name too long", host);
		return -1;
	}
	if (fstatat(dirfd, ci->crt, &st, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT)
		return 1;
	return cert_read_info(dirfd, ci->crt, ci, err, errlen);
}

int
cert_load(int dirfd, const char *host, X509 **x, EVP_PKEY **key,
    EVP_PKEY *loaded, char *err, size_t errlen)
{
	char	 crt[300], keyname[300];
	BIO	*bio;

	*x = NULL;
	*key = NULL;
	if (cert_names(dirfd, host, crt, keyname, sizeof(crt)) == -1) {
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
	if ((*key = cert_key_read(dirfd, keyname, err, errlen)) != NULL)
		return 0;
	/*
	 * A key only root may read, loaded before root was given up: on a
	 * reload it is the one in memory, if it is still the certificate's.
	 */
	if (errno == EACCES && loaded != NULL &&
	    X509_check_private_key(*x, loaded) == 1) {
		ERR_clear_error();
		EVP_PKEY_up_ref(loaded);
		*key = loaded;
		return 0;
	}
	if (errno == EACCES)
		snprintf(err, errlen, "%s: not readable by uid %d, which yurt "
		    "runs as since it loaded the key as root: a new key needs "
		    "a restart", keyname, (int)geteuid());
	ERR_clear_error();
	return -1;
}
