#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "rules.h"
#include "site.h"
#include "tls.h"

/* Redirects followed for Gopher before one is shown as a line. */
#define POLICY_HOPS	5

/* The answering rules and the shaping ones; not the certificate check. */
static void
policy_common(const struct site *s, const char *host, const char *subj,
    struct policy *p)
{
	const struct rules	*rs = &s->cfg.rules;
	const struct rule	*r;
	const char		*arg;
	size_t			 rest;

	if ((r = rules_match(rs, RULES_ANSWER, host, subj, strlen(subj),
	    &rest)) != NULL) {
		arg = rules_str(rs, r->arg);
		if (r->kind == RULE_GONE) {
			p->status = 52;
			snprintf(p->meta, sizeof(p->meta), "%s", *arg ? arg :
			    "Gone");
			return;
		}
		p->status = r->kind == RULE_REDIRECT ? 31 : 30;
		if (rules_target(rs, r, subj, strlen(subj), rest, p->meta,
		    sizeof(p->meta)) == -1) {
			p->status = 40;
			snprintf(p->meta, sizeof(p->meta), "Redirect too long");
		}
		return;
	}
	if ((r = rules_match(rs, RULE_BIT(RULE_LANG), host, subj,
	    strlen(subj), NULL)) != NULL)
		p->lang = rules_str(rs, r->arg);
	if ((r = rules_match(rs, RULE_BIT(RULE_TYPE), host, subj,
	    strlen(subj), NULL)) != NULL)
		p->type = rules_str(rs, r->arg);
	if ((r = rules_match(rs, RULE_BIT(RULE_LISTING), host, subj,
	    strlen(subj), NULL)) != NULL)
		p->listing = strcmp(rules_str(rs, r->arg), "on") == 0;
}

static int
policy_start(const struct site *s, const char *path, int dir, char *subj,
    size_t len, struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->listing = s->cfg.listing;
	if (s->cfg.rules.n == 0)
		return -1;
	if (rules_subject(path, dir, subj, len) == -1) {
		/* longer than any request: nothing can match it */
		return -1;
	}
	return 0;
}

void
policy_gemini(const struct site *s, const struct tls_conn *tls,
    const char *host, const char *path, int dir, struct policy *p)
{
	const struct rules	*rs = &s->cfg.rules;
	const struct rule	*r;
	unsigned char		 sha[TLS_SHA_LEN];
	char			 subj[URL_MAX + 3];
	int			 valid, rc;

	if (policy_start(s, path, dir, subj, sizeof(subj), p) == -1)
		return;
	if ((r = rules_match(rs, RULE_BIT(RULE_CERTS), host, subj,
	    strlen(subj), NULL)) != NULL) {
		rc = tls_conn_peer(tls, sha, &valid);
		if (rc == 0) {
			p->status = 60;
			snprintf(p->meta, sizeof(p->meta), "This area needs a "
			    "client certificate");
		} else if (rc == -1) {
			p->status = 40;
			snprintf(p->meta, sizeof(p->meta), "Temporary failure");
		} else if (!valid) {
			p->status = 62;
			snprintf(p->meta, sizeof(p->meta), "Certificate "
			    "expired or not yet valid");
		} else if (s->fprs == NULL ||
		    !rules_fpr_listed(&s->fprs[r - rs->r], sha)) {
			p->status = 61;
			snprintf(p->meta, sizeof(p->meta), "Certificate not "
			    "authorised here");
		}
		if (p->status != 0)
			return;
	}
	policy_common(s, host, subj, p);
}

/* One step: what the rules say about this path, over Gopher. */
static void
policy_gopher_one(const struct site *s, const char *host, const char *path,
    int dir, struct policy *p)
{
	char subj[URL_MAX + 3];

	if (policy_start(s, path, dir, subj, sizeof(subj), p) == -1)
		return;
	if (rules_match(&s->cfg.rules, RULE_BIT(RULE_CERTS), host, subj,
	    strlen(subj), NULL) != NULL) {
		p->status = 60;
		snprintf(p->meta, sizeof(p->meta), "This area needs a client "
		    "certificate: it is served over Gemini only");
		return;
	}
	policy_common(s, host, subj, p);
}

void
policy_gopher(const struct site *s, const char *host, char *path,
    size_t pathlen, int *dir, struct policy *p)
{
	const char	*err;
	char		 target[URL_MAX + 1];
	int		 hop;

	/* Gopher has no redirects: one to a path here is followed */
	for (hop = 0; hop < POLICY_HOPS; hop++) {
		policy_gopher_one(s, host, path, *dir, p);
		if ((p->status != 30 && p->status != 31) || p->meta[0] != '/')
			return;
		snprintf(target, sizeof(target), "%s", p->meta);
		if (url_path_resolve(target, strlen(target), path, pathlen,
		    dir, &err) == -1)
			return;
	}
}

const char *
policy_type(const struct site *s, const char *host, const char *path,
    int dir)
{
	const struct rule	*r;
	char			 subj[URL_MAX + 3];

	if (s->cfg.rules.n == 0 || rules_subject(path, dir, subj,
	    sizeof(subj)) == -1)
		return NULL;
	r = rules_match(&s->cfg.rules, RULE_BIT(RULE_TYPE), host, subj,
	    strlen(subj), NULL);
	return r != NULL ? rules_str(&s->cfg.rules, r->arg) : NULL;
}
