/*
 * Certificate files (cert.c): the certificate and key of each host name,
 * loaded or created.  The OpenSSL types are named by their structure tags
 * so that this header needs no OpenSSL header.
 */
#ifndef YURT_CERT_H
#define YURT_CERT_H

#include <stddef.h>

#define CERT_FPR_LEN	(32 * 3)	/* "AB:CD:..." + NUL */

struct x509_st;
struct evp_pkey_st;

/*
 * Loads <dir>/<host>.crt and .key (dirfd), creating a self-signed EC
 * P-256 certificate atomically when the certificate is missing.  Writes
 * the SHA-256 fingerprint; *created says whether it was made now.
 */
int	cert_ensure(int dirfd, const char *host, char fpr[CERT_FPR_LEN],
	    int *created, char *err, size_t errlen);
/* The certificate and key of host, for a TLS context; the caller frees. */
int	cert_load(int dirfd, const char *host, struct x509_st **,
	    struct evp_pkey_st **, char *err, size_t errlen);
/* err: what, and OpenSSL's first queued error; clears the queue. */
void	cert_errstr(char *err, size_t errlen, const char *what);

#endif
