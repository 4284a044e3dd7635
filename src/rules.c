#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "puny.h"
#include "rules.h"
#include "url.h"

#define RULES_FILE_MAX	(1024 * 1024)
#define RULES_FPR_MAX	10000

enum rules_arg { ARG_TARGET, ARG_MESSAGE, ARG_LANG, ARG_MIME, ARG_ONOFF,
	ARG_FILE, ARG_NONE, ARG_SOCKET };

/* In enum rule_kind's order. */
static const struct {
	const char	*name;
	enum rules_arg	 arg;
} rules_kinds[RULE_NKINDS] = {
	{ "client-certificates", ARG_FILE },
	{ "redirect", ARG_TARGET },
	{ "redirect-temporary", ARG_TARGET },
	{ "gone", ARG_MESSAGE },
	{ "lang", ARG_LANG },
	{ "type", ARG_MIME },
	{ "listing", ARG_ONOFF },
	{ "cgi", ARG_NONE },
	{ "scgi", ARG_SOCKET },
};

const char *
rules_kind_name(int kind)
{
	return kind >= 0 && kind < RULE_NKINDS ? rules_kinds[kind].name : "?";
}

int
rules_keyword(const char *kw, size_t len, const char *args)
{
	int k;

	for (k = 0; k < RULE_NKINDS; k++)
		if (strlen(rules_kinds[k].name) == len &&
		    memcmp(rules_kinds[k].name, kw, len) == 0)
			break;
	if (k == RULE_NKINDS)
		return -1;
	/* "lang en" is the default language; "lang /ru/... ru" a rule */
	if (k == RULE_LANG && args[strcspn(args, " \t")] == '\0')
		return -1;
	return k;
}

static int
rules_span(const char *s, const char *set)
{
	return *s != '\0' && strspn(s, set) == strlen(s);
}

/* Whether a value may go verbatim into a response header or a menu. */
static int
rules_text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
rules_arg_ok(enum rules_arg a, const char *v, const char **why)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const char	*slash;

	switch (a) {
	case ARG_TARGET:
		*why = "a target is a path (/...) or an absolute URL";
		if (!rules_text_ok(v) || strpbrk(v, " \t") != NULL)
			return 0;
		if (v[0] == '/')
			return v[1] != '/';
		slash = strstr(v, "://");
		return slash != NULL && slash > v && strspn(v, alnum) ==
		    (size_t)(slash - v) && slash[3] != '\0';
	case ARG_MESSAGE:
		*why = "a message is text without control characters";
		return rules_text_ok(v) && strlen(v) <= 1000;
	case ARG_LANG:
		*why = "a language is letters, digits, '-' and ','";
		return strlen(v) < 64 && strspn(v, alnum) > 0 &&
		    strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-,") == strlen(v);
	case ARG_MIME:
		*why = "a type is TYPE/SUBTYPE, e.g. text/plain";
		if ((slash = strchr(v, '/')) == NULL || slash == v ||
		    slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
			return 0;
		return strlen(v) < 128 && rules_span(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+-.");
	case ARG_ONOFF:
		*why = "listing is on or off";
		return strcmp(v, "on") == 0 || strcmp(v, "off") == 0;
	case ARG_FILE:
		*why = "a file name";
		return *v != '\0' && rules_text_ok(v);
	case ARG_NONE:
		*why = "cgi takes a pattern only";
		return *v == '\0';
	case ARG_SOCKET:
		/* 108 bytes: what sun_path holds */
		*why = "a socket is an absolute path of at most 107 bytes";
		return v[0] == '/' && strlen(v) < 108 && rules_text_ok(v);
	}
	return 0;
}

static int
rules_store(struct rules *rs, const char *s, size_t len, unsigned int *off)
{
	if (rs->textlen + len + 1 > sizeof(rs->text))
		return -1;
	memcpy(rs->text + rs->textlen, s, len);
	rs->text[rs->textlen + len] = '\0';
	*off = (unsigned int)rs->textlen;
	rs->textlen += len + 1;
	return 0;
}

/* The pattern: "[HOST]/PATH-GLOB", the host in its ASCII form. */
static int
rules_pattern(struct rules *rs, struct rule *r, const char *p, size_t len,
    char *err, size_t errlen)
{
	char		 host[256];
	size_t		 hlen;
	const char	*slash;

	if ((slash = memchr(p, '/', len)) == NULL) {
		snprintf(err, errlen, "%s: pattern \"%.*s\" has no path "
		    "(it starts with / or HOST/)", rules_kind_name(r->kind),
		    (int)(len > 80 ? 80 : len), p);
		return -1;
	}
	hlen = (size_t)(slash - p);
	host[0] = '\0';
	if (hlen > 0 && (puny_host_ascii(p, hlen, host, sizeof(host)) == -1 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:") !=
	    strlen(host))) {
		snprintf(err, errlen, "%s: bad host \"%.*s\" in pattern",
		    rules_kind_name(r->kind), (int)(hlen > 80 ? 80 : hlen), p);
		return -1;
	}
	if (len - hlen > RULES_PAT_MAX || !rules_text_ok(slash)) {
		snprintf(err, errlen, "%s: bad pattern", rules_kind_name(r->kind));
		return -1;
	}
	if (rules_store(rs, host, strlen(host), &r->host) == -1 ||
	    rules_store(rs, slash, len - hlen, &r->pat) == -1) {
		snprintf(err, errlen, "rules: more than %d bytes of them",
		    RULES_TEXT);
		return -1;
	}
	return 0;
}

int
rules_add(struct rules *rs, int kind, const char *args, int line, char *err,
    size_t errlen)
{
	struct rule	*r;
	const char	*v, *why = "";
	size_t		 plen;

	if (rs->n == RULES_MAX) {
		snprintf(err, errlen, "more than %d rules", RULES_MAX);
		return -1;
	}
	r = &rs->r[rs->n];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->line = line;
	args += strspn(args, " \t");
	plen = strcspn(args, " \t");
	v = args + plen;
	v += strspn(v, " \t");
	if (plen == 0 || (*v == '\0' && rules_kinds[kind].arg != ARG_MESSAGE &&
	    rules_kinds[kind].arg != ARG_NONE)) {
		snprintf(err, errlen, "%s needs a pattern and a%s value",
		    rules_kind_name(kind), kind == RULE_GONE ? "n optional" :
		    "");
		return -1;
	}
	if (rules_kinds[kind].arg != ARG_MESSAGE && v[strcspn(v, " \t")]) {
		snprintf(err, errlen, "%s: one value after the pattern, not "
		    "\"%.80s\"", rules_kind_name(kind), v);
		return -1;
	}
	if (!rules_arg_ok(rules_kinds[kind].arg, v, &why)) {
		snprintf(err, errlen, "%s: bad value \"%.80s\": %s",
		    rules_kind_name(kind), v, why);
		return -1;
	}
	if (rules_pattern(rs, r, args, plen, err, errlen) == -1)
		return -1;
	/* a star in a target needs one to take it from */
	if (rules_kinds[kind].arg == ARG_TARGET && v[strlen(v) - 1] == '*' &&
	    args[plen - 1] != '*') {
		snprintf(err, errlen, "%s: the target ends with * but the "
		    "pattern does not", rules_kind_name(kind));
		return -1;
	}
	if (rules_store(rs, v, strlen(v), &r->arg) == -1) {
		snprintf(err, errlen, "rules: more than %d bytes of them",
		    RULES_TEXT);
		return -1;
	}
	rs->n++;
	return 0;
}

#define RULES_STAR	(-1)	/* '*': anything but '/' */
#define RULES_DSTAR	(-2)	/* '**': anything */

/* Active states after following stars that match nothing. */
static void
rules_closure(const int *tok, size_t ntok, unsigned char *st)
{
	size_t j;

	for (j = 0; j < ntok; j++)
		if (st[j] && tok[j] < 0)
			st[j + 1] = 1;
}

/*
 * The glob runs as an automaton over the pattern's positions, all of
 * them at once: time is the pattern's length times the path's, whatever
 * the stars, where backtracking could be exponential.
 */
int
rules_glob(const char *pat, size_t patlen, const char *s, size_t len,
    size_t *rest)
{
	int		 tok[RULES_PAT_MAX + 1];
	unsigned char	 a[RULES_PAT_MAX + 2], b[RULES_PAT_MAX + 2];
	unsigned char	*cur = a, *nxt = b, *tmp;
	size_t		 ntok = 0, i, j, tail, lastslash = 0, found = len;
	int		 any, star, slash = 0;

	if (patlen > RULES_PAT_MAX)
		return 0;
	for (i = 0; i < patlen; i++) {
		if (pat[i] != '*') {
			tok[ntok++] = (unsigned char)pat[i];
			continue;
		}
		for (j = i; j < patlen && pat[j] == '*'; j++)
			;
		tok[ntok++] = j - i > 1 ? RULES_DSTAR : RULES_STAR;
		i = j - 1;
	}
	for (i = 0; i < len; i++)
		if (s[i] == '/')
			lastslash = i + 1, slash = 1;
	star = ntok > 0 && tok[ntok - 1] < 0;
	tail = star ? ntok - 1 : 0;
	memset(cur, 0, ntok + 1);
	cur[0] = 1;
	rules_closure(tok, ntok, cur);
	for (i = 0;; i++) {
		/* where the trailing star may start taking the rest */
		if (star && found == len && cur[tail] &&
		    (tok[tail] == RULES_DSTAR || !slash || i >= lastslash))
			found = i;
		if (i == len)
			break;
		memset(nxt, 0, ntok + 1);
		for (any = 0, j = 0; j < ntok; j++) {
			if (!cur[j])
				continue;
			if (tok[j] == (unsigned char)s[i])
				nxt[j + 1] = any = 1;
			else if (tok[j] == RULES_DSTAR ||
			    (tok[j] == RULES_STAR && s[i] != '/'))
				nxt[j] = any = 1;
		}
		if (!any)
			return 0;
		rules_closure(tok, ntok, nxt);
		tmp = cur, cur = nxt, nxt = tmp;
	}
	if (!cur[ntok])
		return 0;
	if (rest != NULL)
		*rest = star ? found : len;
	return 1;
}

const struct rule *
rules_match(const struct rules *rs, unsigned int mask, const char *host,
    const char *path, size_t pathlen, size_t *rest)
{
	const struct rule	*r;
	const char		*pat;
	size_t			 i, plen, dummy;

	if (rest == NULL)
		rest = &dummy;
	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (!(mask & RULE_BIT(r->kind)))
			continue;
		if (rs->text[r->host] != '\0' &&
		    (host == NULL || strcmp(rules_str(rs, r->host), host) != 0))
			continue;
		pat = rules_str(rs, r->pat);
		plen = strlen(pat);
		if (rules_glob(pat, plen, path, pathlen, rest))
			return r;
		/* a pattern ending "/" and two stars covers the directory */
		if (plen >= 3 && strcmp(pat + plen - 3, "/**") == 0 &&
		    rules_glob(pat, plen - 3, path, pathlen, NULL)) {
			*rest = pathlen;
			return r;
		}
	}
	return NULL;
}

int
rules_subject(const char *path, int dir, char *out, size_t outlen)
{
	int n;

	n = snprintf(out, outlen, "/%s%s", path, dir && *path ? "/" : "");
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
rules_target(const struct rules *rs, const struct rule *r, const char *path,
    size_t pathlen, size_t rest, char *out, size_t outlen)
{
	const char	*t = rules_str(rs, r->arg);
	size_t		 n = strlen(t);
	char		 dec[RULES_PAT_MAX + 1];
	int		 len;

	if (n == 0 || t[n - 1] != '*') {
		len = snprintf(out, outlen, "%s", t);
		return len < 0 || (size_t)len >= outlen ? -1 : 0;
	}
	if (rest > pathlen)
		return -1;
	len = snprintf(dec, sizeof(dec), "%.*s", (int)(pathlen - rest),
	    path + rest);
	if (len < 0 || (size_t)len >= sizeof(dec) || n - 1 >= outlen)
		return -1;
	memcpy(out, t, n - 1);
	return url_path_encode(dec, out + n - 1, outlen - (n - 1));
}

void
rules_print(const struct rules *rs, FILE *f)
{
	const struct rule	*r;
	size_t			 i;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		fprintf(f, "%s %s%s%s%s\n", rules_kind_name(r->kind),
		    rules_str(rs, r->host), rules_str(rs, r->pat),
		    rs->text[r->arg] ? " " : "", rules_str(rs, r->arg));
	}
}

/* One line's fingerprint: 64 hex digits, colons between them optional. */
static int
rules_fpr_line(const char *s, size_t len, unsigned char *sha)
{
	size_t	 i, nd = 0;
	int	 hi, lo;

	for (i = 0; i < len && nd < 2 * RULES_SHA_LEN; i++) {
		if (s[i] == ':')
			continue;
		if (i + 1 >= len || (hi = url_hexval(s[i])) == -1 ||
		    (lo = url_hexval(s[i + 1])) == -1)
			return -1;
		sha[nd / 2] = (unsigned char)(hi << 4 | lo);
		nd += 2;
		i++;
	}
	return nd == 2 * RULES_SHA_LEN && i == len ? 0 : -1;
}

int
rules_fpr_parse(const char *buf, size_t len, struct rules_fprs *fp,
    char *err, size_t errlen)
{
	const char	*p = buf, *end = buf + len, *nl, *s, *e, *eq;
	unsigned char	 sha[RULES_SHA_LEN];
	void		*n;
	int		 line = 0;

	fp->n = 0;
	fp->sha = NULL;
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (e = p; e < nl && *e != '#'; e++)
			;
		/* "sha256 Fingerprint=AB:CD..." as openssl prints it */
		if ((eq = memchr(p, '=', (size_t)(e - p))) != NULL)
			s = eq + 1;
		else
			s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' ||
		    e[-1] == '\r'))
			e--;
		if (s == e)
			continue;
		/* a name for the certificate may follow, after a space */
		for (eq = s; eq < e && *eq != ' ' && *eq != '\t'; eq++)
			;
		if (rules_fpr_line(s, (size_t)(eq - s), sha) == -1) {
			snprintf(err, errlen, "line %d: not a SHA-256 "
			    "fingerprint (64 hex digits)", line);
			goto fail;
		}
		if (fp->n == RULES_FPR_MAX) {
			snprintf(err, errlen, "line %d: more than %d "
			    "fingerprints", line, RULES_FPR_MAX);
			goto fail;
		}
		if ((n = realloc(fp->sha, (fp->n + 1) * sizeof(*fp->sha))) ==
		    NULL) {
			snprintf(err, errlen, "line %d: out of memory", line);
			goto fail;
		}
		fp->sha = n;
		memcpy(fp->sha[fp->n++], sha, RULES_SHA_LEN);
	}
	return 0;
fail:
	free(fp->sha);
	fp->sha = NULL;
	fp->n = 0;
	return -1;
}

int
rules_fpr_listed(const struct rules_fprs *fp, const unsigned char *sha)
{
	size_t i;

	for (i = 0; fp != NULL && i < fp->n; i++)
		if (memcmp(fp->sha[i], sha, RULES_SHA_LEN) == 0)
			return 1;
	return 0;
}

struct rules_fprs *
rules_fprs_load(const struct rules *rs, char *err, size_t errlen)
{
	struct rules_fprs	*all;
	struct buf		 b;
	const char		*file;
	char			 msg[256];
	size_t			 i;
	int			 fd, rc;

	err[0] = '\0';
	if (rs->n == 0)
		return NULL;
	if ((all = calloc(rs->n, sizeof(*all))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].kind != RULE_CERTS)
			continue;
		file = rules_str(rs, rs->r[i].arg);
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			snprintf(err, errlen, "%s: %s", file, strerror(errno));
			goto fail;
		}
		buf_init(&b, RULES_FILE_MAX);
		rc = buf_read(&b, fd);
		close(fd);
		if (rc == -1) {
			snprintf(err, errlen, "%s: %s", file, errno == EFBIG ?
			    "file too large" : strerror(errno));
			buf_free(&b);
			goto fail;
		}
		rc = rules_fpr_parse(b.data ? b.data : "", b.len, &all[i], msg,
		    sizeof(msg));
		buf_free(&b);
		if (rc == -1) {
			/* "line N: problem" becomes "file:N: problem" */
			snprintf(err, errlen, "%s:%s", file, msg + 5);
			goto fail;
		}
	}
	return all;
fail:
	rules_fprs_free(all, rs->n);
	return NULL;
}

void
rules_fprs_free(struct rules_fprs *all, size_t n)
{
	size_t i;

	if (all == NULL)
		return;
	for (i = 0; i < n; i++)
		free(all[i].sha);
	free(all);
}
