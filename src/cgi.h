/*
 * What a program is told and what it answers, as pure functions over
 * memory: the CGI environment of a request, the SCGI request that
 * carries the same variables, and the check of a Gemini program's
 * header.  Running the program is program.c's.
 */
#ifndef YURT_CGI_H
#define YURT_CGI_H

#include <stddef.h>

struct buf;

#define CGI_META_MAX	1024
/* "NN " + META + CRLF: a header longer than this is not one */
#define CGI_HEADER_MAX	(3 + CGI_META_MAX + 2)
#define CGI_ENV_MAX	32

enum cgi_proto { CGI_GEMINI, CGI_GOPHER };

/*
 * One request as a program sees it.  NULL means absent: the variable is
 * not set (a string may be "" to set it empty).
 */
struct cgi_req {
	enum cgi_proto	 proto;
	const char	*software;	/* "yurt/0.1.0" */
	const char	*server_name;
	unsigned int	 port;
	const char	*url;		/* Gemini: the request as received */
	const char	*script_name;	/* "/cgi/search" */
	const char	*path_info;	/* "" or "/more" */
	const char	*query;		/* raw, still percent-encoded */
	const char	*selector;	/* Gopher */
	const char	*search;	/* Gopher: after the TAB */
	const char	*tls_version;	/* over TLS only */
	const char	*tls_cipher;
	const char	*client_hash;	/* "SHA256:<HEX>", with a certificate */
	const char	*client_cn;
	const char	*client_not_before;
	const char	*client_not_after;
	const char	*remote_addr;	/* only when client addresses are on */
};

/*
 * The environment: "NAME=value" strings one after the other, each ended
 * by a NUL, in out; *n gets how many.  -1 when a value holds a NUL or a
 * line break (it could not be told as it is) or memory ran out.
 */
int	cgi_env(const struct cgi_req *, struct buf *out, size_t *n);
/*
 * The SCGI request for an environment made by cgi_env(): a netstring of
 * CONTENT_LENGTH (0: Gemini and Gopher requests have no body), SCGI and
 * the variables, as NUL-separated names and values.
 */
int	cgi_scgi(const char *env, size_t envlen, struct buf *out);

enum cgi_header { CGI_HEADER_MORE, CGI_HEADER_OK, CGI_HEADER_BAD };
/*
 * The first line of a Gemini program's output: "NN META\r\n" with a
 * defined status, META at most 1024 bytes of UTF-8 without controls.
 * OK gives the status and *hdrlen (CRLF included); BAD the mistake in
 * *err; MORE: not a whole line yet, and still short enough to be one.
 */
enum cgi_header cgi_header(const char *, size_t, int *status,
	    size_t *hdrlen, const char **err);

#endif
