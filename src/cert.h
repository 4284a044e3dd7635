/*
 * Certificate files (cert.c): the certificate and key of each host name,
 * loaded or created.  The OpenSSL types are named by their structure tags
 * so that this header needs no OpenSSL header.
 */
#ifndef YURT_CERT_H
#define YURT_CERT_H

#include <stddef.h>

#define CERT_FPR_LEN	(32 * 3)	/* "AB:CD:..." + NUL */
#define CERT_EDIR	(-2)		/* the directory is not writable */

struct x509_st;
struct evp_pkey_st;

struct cert_info {
	char	fpr[CERT_FPR_LEN];	/* the certificate's SHA-256 */
	char	spki[CERT_FPR_LEN];	/* its public key's (SPKI) SHA-256 */
	char	crt[300], key[300];	/* the files' names, as found */
};

/* Removes temporaries left by a yurt killed while it wrote a key. */
void	cert_sweep(int dirfd);
/*
 * Loads <dir>/<host>.crt (any case), creating a self-signed EC P-256
 * certificate when it is missing: from <host>.key if that exists (a key
 * is never replaced), else with a new key.  *created says whether it was
 * made now.  -1, or CERT_EDIR when the directory is not writable.
 */
int	cert_ensure(int dirfd, const char *host, struct cert_info *,
	    int *created, char *err, size_t errlen);
/* The same without creating anything: 1 when there is no certificate. */
int	cert_peek(int dirfd, const char *host, struct cert_info *, char *err,
	    size_t errlen);
/*
 * The certificate and key of host, for a TLS context; the caller frees.
 * loaded: the key in use so far, taken when the file can no longer be
 * read (root gave way) and it matches the certificate.
 */
int	cert_load(int dirfd, const char *host, struct x509_st **,
	    struct evp_pkey_st **, struct evp_pkey_st *loaded, char *err,
	    size_t errlen);
/* err: what, and OpenSSL's first queued error; clears the queue. */
void	cert_errstr(char *err, size_t errlen, const char *what);

#endif
