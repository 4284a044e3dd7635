/* Unit tests for src/rules.c: the glob, precedence, parsing, fingerprints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "rules.h"
#include "tap.h"
#include "nitems.h"

static void
test_glob(void)
{
	static const struct {
		const char	*pat, *s;
		int		 match;
		const char	*rest;	/* what a trailing star took */
	} t[] = {
		{ "/a.gmi", "/a.gmi", 1, "" },
		{ "/a.gmi", "/a.gmi/", 0, NULL },
		{ "/a.gmi", "/b.gmi", 0, NULL },
		{ "/*.gmi", "/a.gmi", 1, "" },
		{ "/*.gmi", "/x/a.gmi", 0, NULL },
		{ "/**.gmi", "/x/a.gmi", 1, "" },
		{ "/old/*", "/old/page.gmi", 1, "page.gmi" },
		{ "/old/*", "/old/", 1, "" },
		{ "/old/*", "/old/a/b", 0, NULL },
		{ "/old/*", "/old", 0, NULL },
		{ "/old/**", "/old/a/b", 1, "a/b" },
		{ "/old/**", "/old/", 1, "" },
		{ "/*/x/*", "/a/x/b", 1, "b" },
		{ "/*/x/*", "/a/y/b", 0, NULL },
		{ "/**/x/*", "/a/b/x/c", 1, "c" },
		{ "/**/x/**", "/x/x/x/c", 1, "x/c" },
		{ "/a*b*c", "/aXbYc", 1, "" },
		{ "/a*b*c", "/aXbY/c", 0, NULL },
		{ "/***", "/a/b", 1, "a/b" },
		{ "*", "/", 0, NULL },
		{ "**", "/any/thing", 1, "/any/thing" },
		{ "", "", 1, "" },
		{ "/", "", 0, NULL },
		{ "/a**a**a**a**b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
		    NULL },
	};
	size_t	 i, rest;
	int	 m;
	char	 what[200];

	for (i = 0; i < NITEMS(t); i++) {
		rest = 99999;
		m = rules_glob(t[i].pat, strlen(t[i].pat), t[i].s,
		    strlen(t[i].s), &rest);
		snprintf(what, sizeof(what), "glob %s on %s: %s", t[i].pat,
		    t[i].s, t[i].match ? "matches" : "does not");
		tap_ok(m == t[i].match, "%s", what);
		if (m && t[i].rest != NULL)
			tap_streq(t[i].s + rest, t[i].rest, "... the rest");
	}
}

static struct rules rs;

static int
add(const char *line)
{
	char	 err[256];
	size_t	 kw = strcspn(line, " ");
	int	 k = rules_keyword(line, kw, line + kw + 1);

	return k == -1 ? -1 : rules_add(&rs, k, line + kw + 1, 1, err,
	    sizeof(err));
}

/* The rule that answers, as "kind arg", or "-". */
static const char *
answer(unsigned int mask, const char *host, const char *path)
{
	static char		 out[600];
	char			 tgt[512];
	const struct rule	*r;
	size_t			 rest;

	if ((r = rules_match(&rs, mask, host, path, strlen(path), &rest)) ==
	    NULL)
		return "-";
	if (r->kind == RULE_REDIRECT || r->kind == RULE_REDIRECT_TEMP) {
		if (rules_target(&rs, r, path, strlen(path), rest, tgt,
		    sizeof(tgt)) == -1)
			return "target too long";
	} else
		snprintf(tgt, sizeof(tgt), "%s", rules_str(&rs, r->arg));
	snprintf(out, sizeof(out), "%s %s", rules_kind_name(r->kind), tgt);
	return out;
}

static void
test_precedence(void)
{
	static const char *conf[] = {
		"client-certificates /private/** keys.txt",
		"redirect /private/x /elsewhere",
		"gone /dup/a.gmi First",
		"redirect /dup/b.gmi /b2.gmi",
		"gone /dup/* Second",
		"redirect /old/* /new/*",
		"redirect-temporary /soon/** gemini://example.org/*",
		"gone example.org/only/** Host only",
		"gone b\303\274cher.example/idn/** IDN",
		"lang /ru/** ru",
		"lang /ru/** de",
		"lang example.org/** fr",
		"type /data/*.dat text/plain",
		"listing /nolist/** off",
		"listing /** on",
	};
	static const struct {
		unsigned int	 mask;
		const char	*host, *path, *want, *what;
	} t[] = {
		{ RULE_BIT(RULE_CERTS), "h", "/private/x", "client-certificates "
		    "keys.txt", "a certificate area" },
		{ RULE_BIT(RULE_CERTS), "h", "/private", "client-certificates "
		    "keys.txt", "'/**' at the end covers the directory itself" },
		{ RULE_BIT(RULE_CERTS), "h", "/privateer", "-",
		    "... not a name that starts the same" },
		{ RULES_ANSWER, "h", "/dup/a.gmi", "gone First",
		    "the first answering rule wins" },
		{ RULES_ANSWER, "h", "/dup/b.gmi", "redirect /b2.gmi",
		    "a redirect before a gone" },
		{ RULES_ANSWER, "h", "/dup/c.gmi", "gone Second",
		    "the later rule where the first does not match" },
		{ RULES_ANSWER, "h", "/old/x%y.gmi", "redirect /new/x%25y.gmi",
		    "the rest, percent-encoded" },
		{ RULES_ANSWER, "h", "/soon/a/b", "redirect-temporary "
		    "gemini://example.org/a/b", "'**' rest into a URL" },
		{ RULES_ANSWER, "example.org", "/only/x", "gone Host only",
		    "a host rule on its host" },
		{ RULES_ANSWER, "other.org", "/only/x", "-",
		    "... not on another" },
		{ RULES_ANSWER, "xn--bcher-kva.example", "/idn/x", "gone IDN",
		    "a Unicode host in a pattern is its punycode" },
		{ RULE_BIT(RULE_LANG), "h", "/ru/", "lang ru",
		    "the first lang wins" },
		{ RULE_BIT(RULE_LANG), "example.org", "/x.gmi", "lang fr",
		    "a default language per host" },
		{ RULE_BIT(RULE_LANG), "h", "/x.gmi", "-", "no lang elsewhere" },
		{ RULE_BIT(RULE_TYPE), "h", "/data/a.dat", "type text/plain",
		    "a type" },
		{ RULE_BIT(RULE_TYPE), "h", "/data/sub/a.dat", "-",
		    "'*' stays in its segment" },
		{ RULE_BIT(RULE_LISTING), "h", "/nolist/", "listing off",
		    "listing off first" },
		{ RULE_BIT(RULE_LISTING), "h", "/other/", "listing on",
		    "listing on for the rest" },
	};
	size_t i;

	memset(&rs, 0, sizeof(rs));
	for (i = 0; i < NITEMS(conf); i++)
		tap_ok(add(conf[i]) == 0, "parses: %s", conf[i]);
	for (i = 0; i < NITEMS(t); i++)
		tap_streq(answer(t[i].mask, t[i].host, t[i].path), t[i].want,
		    t[i].what);
}

static void
test_bad(void)
{
	static const char *bad[] = {
		"redirect /x",
		"redirect x /y",
		"redirect /x /y/*",
		"redirect /x //y",
		"redirect /x ftp:/y",
		"redirect /x /y z",
		"lang /x r u",
		"lang /x r;u",
		"type /x text",
		"type /x te xt/plain",
		"type /x a/b/c",
		"listing /x yes",
		"gone /x a\x01b",
		"gone bad_host!/x y",
		"cgi /cgi/* extra",
		"scgi /app/**",
		"scgi /app/** relative.sock",
		"scgi /app/** /run/a b",
	};
	char	 err[256];
	size_t	 i, kw;
	int	 k;

	memset(&rs, 0, sizeof(rs));
	for (i = 0; i < NITEMS(bad); i++) {
		kw = strcspn(bad[i], " ");
		k = rules_keyword(bad[i], kw, bad[i] + kw + 1);
		err[0] = '\0';
		tap_ok(k != -1 && rules_add(&rs, k, bad[i] + kw + 1, 1, err,
		    sizeof(err)) == -1 && err[0] != '\0', "refused: %s", bad[i]);
	}
	tap_ok(rs.n == 0, "nothing was added");
	tap_ok(rules_keyword("lang", 4, "en") == -1,
	    "\"lang en\" is the default language, not a rule");
	tap_ok(rules_keyword("fastcgi", 7, "/x") == -1, "an unknown keyword");
	tap_ok(rules_keyword("cgi", 3, "/x") == RULE_CGI &&
	    rules_keyword("scgi", 4, "/x /s") == RULE_SCGI, "cgi and scgi");
	memset(&rs, 0, sizeof(rs));
	tap_ok(rules_add(&rs, RULE_CGI, "/cgi/*", 1, err, sizeof(err)) == 0 &&
	    rules_add(&rs, RULE_SCGI, "/app/** /run/app.sock", 2, err,
	    sizeof(err)) == 0 && rs.n == 2 && strcmp(rules_str(&rs,
	    rs.r[1].arg), "/run/app.sock") == 0, "cgi PATTERN, scgi PATTERN "
	    "SOCKET");
}

static void
test_fpr(void)
{
	static const char good[] =
	    "# readers\n"
	    "sha256 Fingerprint=00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\n"
	    "\n"
	    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
	    "  a reader's laptop\r\n";
	unsigned char		 a[32], b[32];
	struct rules_fprs	 fp;
	char			 err[128];
	size_t			 i;

	for (i = 0; i < 32; i++) {
		a[i] = (unsigned char)((i % 16) * 0x11);
		b[i] = (unsigned char)(0xff - (i % 16) * 0x11);
	}
	tap_ok(rules_fpr_parse(good, sizeof(good) - 1, &fp, err,
	    sizeof(err)) == 0 && fp.n == 2, "two fingerprints read");
	tap_ok(rules_fpr_listed(&fp, a), "openssl's form, with colons");
	tap_ok(rules_fpr_listed(&fp, b), "plain hex, lower case, a name after");
	a[31] ^= 1;
	tap_ok(!rules_fpr_listed(&fp, a), "one bit off: not listed");
	rules_fprs_free(NULL, 0);
	free(fp.sha);
	tap_ok(rules_fpr_parse("AB:CD\n", 6, &fp, err, sizeof(err)) == -1 &&
	    strcmp(err, "line 1: not a SHA-256 fingerprint (64 hex digits)") ==
	    0, "a short one is refused with its line");
	tap_ok(rules_fpr_parse("# x\n\n" "0011223344556677889900112233445566"
	    "778899001122334455667788990011223G\n", 71, &fp, err,
	    sizeof(err)) == -1 && strncmp(err, "line 3:", 7) == 0,
	    "a bad digit on line 3");
}

int
main(void)
{
	test_glob();
	test_precedence();
	test_bad();
	test_fpr();
	return tap_done();
}
