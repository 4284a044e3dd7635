/*
 * The per-path rules applied to one request, for either protocol: what
 * the rules table (rules.c) says about a host and path, with the
 * client's certificate (Gemini) checked against the fingerprint files.
 */
#ifndef YURT_POLICY_H
#define YURT_POLICY_H

#include "url.h"

struct site;
struct tls_conn;

struct policy {
	int		 status;	/* 0: serve it; else answer with meta */
	char		 meta[URL_MAX + 1];
	const char	*lang;		/* NULL: the default */
	const char	*type;		/* NULL: the detected one */
	int		 listing;
};

/*
 * Gemini: client-certificates first (60, 61, 62, with tls the
 * connection's), then the first redirect, redirect-temporary or gone (31,
 * 30, 52), then lang, type and listing.  path is resolved, without its
 * leading slash; dir says it ended with one.
 */
void	policy_gemini(const struct site *, const struct tls_conn *,
	    const char *host, const char *path, int dir, struct policy *);
/*
 * Gopher: a certificate area answers 60 (it is never served without
 * TLS client certificates, which Gopher clients do not send); the rest
 * as for Gemini, but a redirect to a path here is followed (path and dir
 * rewritten, a few hops at most): status 30 or 31 is left only for one
 * that leaves the server or goes on too long.
 */
void	policy_gopher(const struct site *, const char *host, char *path,
	    size_t pathlen, int *dir, struct policy *);
/* Only the type rule, for a Gopher menu's item types. */
const char *policy_type(const struct site *, const char *host,
	    const char *path, int dir);

#endif
