#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "charset.h"
#include "config.h"
#include "puny.h"
#include "rules.h"

#define CONFIG_FILE_MAX	(256 * 1024)

enum config_kind { K_PATH, K_INT, K_HOST, K_ADDR, K_LANG, K_USER, K_NAME,
	K_CHARSET, K_FLAG, K_CLI, K_NET };

/*
 * One table for the command line and the file, so a setting cannot exist
 * in one and be forgotten in the other.
 */
static const struct config_key {
	const char	*name;
	int		 opt;		/* short option, or 0 */
	enum config_kind kind;
	size_t		 off;		/* into struct config */
	int		 min, max;	/* for K_INT; K_FLAG: value set */
	const char	*arg;		/* for usage */
	const char	*help;
} config_keys[] = {
	{ "config", 'c', K_CLI, 0, 0, 0, "FILE", "read settings from FILE" },
	{ "root", 'r', K_PATH, offsetof(struct config, root), 0, 0, "DIR",
	    "capsule directory (default: capsule)" },
	{ "host", 'H', K_HOST, 0, 0, 0, "NAME[=DIR]",
	    "host name served, repeatable; optional own root" },
	{ "port", 'p', K_INT, offsetof(struct config, port), 1, 65535, "PORT",
	    "Gemini port (default: 1965)" },
	{ "public-port", 'E', K_INT, offsetof(struct config, public_port), 1,
	    65535, "PORT", "Gemini port clients use, behind a port mapping "
	    "(default: the Gemini port)" },
	{ "gopher-port", 'g', K_INT, offsetof(struct config, gopher_port), 0,
	    65535, "PORT", "Gopher port, 0 for none (default: 70)" },
	{ "gopher-host", 'G', K_NAME, offsetof(struct config, gopher_host), 0,
	    0, "NAME", "host name written in Gopher menus (default: first host)" },
	{ "gopher-public-port", 'P', K_INT,
	    offsetof(struct config, gopher_public_port), 1, 65535, "PORT",
	    "port written in Gopher menus (default: the Gopher port)" },
	{ "charset", 'C', K_CHARSET, 0, 0, 0, "NAME",
	    "Gopher text: utf-8, latin1 or ascii (default: utf-8)" },
	{ "width", 'W', K_INT, offsetof(struct config, width), 20, 1000, "N",
	    "Gopher text width in characters (default: 67)" },
	{ "addr", 'a', K_ADDR, 0, 0, 0, "ADDR",
	    "address to listen on, repeatable (default: all)" },
	{ "certs", 'd', K_PATH, offsetof(struct config, certdir), 0, 0, "DIR",
	    "certificate directory (default: certs)" },
	{ "workers", 'w', K_INT, offsetof(struct config, workers), 1, 256,
	    "N", "worker threads (default: one per core)" },
	{ "lang", 'l', K_LANG, 0, 0, 0, "LANG",
	    "lang parameter for text/gemini (e.g. en)" },
	{ "request-timeout", 't', K_INT,
	    offsetof(struct config, request_timeout), 1, 3600, "SECONDS",
	    "time allowed to send a request (default: 5)" },
	{ "idle-timeout", 'i', K_INT, offsetof(struct config, idle_timeout),
	    1, 86400, "SECONDS", "time a stalled reader is kept (default: 30)" },
	{ "min-rate", 'b', K_INT, offsetof(struct config, min_rate), 0,
	    100000000, "BYTES", "a reader slower than BYTES a second over a "
	    "window is cut, 0 for none (default: 256)" },
	{ "min-rate-window", 'I', K_INT,
	    offsetof(struct config, min_rate_window), 1, 3600, "SECONDS",
	    "the window min-rate is measured over (default: 30)" },
	{ "reply-timeout", 'o', K_INT, offsetof(struct config, reply_timeout),
	    0, 604800, "SECONDS", "time a reply may take in all, 0 for none "
	    "(default: 0)" },
	{ "max-connections", 'm', K_INT, offsetof(struct config, max_conns),
	    1, 1000000, "N", "open connections at most (default: 4096)" },
	{ "rate-limit", 'R', K_INT, offsetof(struct config, rate_limit), 0,
	    100000, "N", "requests per second per client, 0 for none "
	    "(default: 20)" },
	{ "rate-burst", 'B', K_INT, offsetof(struct config, rate_burst), 1,
	    100000, "N", "requests a client may make at once (default: 200)" },
	{ "proxy-protocol", 'X', K_FLAG,
	    offsetof(struct config, proxy_protocol), 1, 0, NULL,
	    "expect a PROXY header (v1 or v2) on every connection" },
	{ "proxy-from", 'F', K_NET, 0, 0, 0, "NETWORK",
	    "peers whose PROXY headers are believed, repeatable "
	    "(default: loopback)" },
	{ "user", 'u', K_USER, 0, 0, 0, "USER",
	    "user to run as when started as root (default: nobody)" },
	{ "log-file", 'O', K_PATH, offsetof(struct config, log_file), 0, 0,
	    "FILE", "log to FILE, reopened on SIGUSR1 (default: stderr)" },
	{ "no-listing", 'L', K_FLAG, offsetof(struct config, listing), 0, 0,
	    NULL, "no automatic directory listings" },
	{ "log-clients", 'A', K_FLAG, offsetof(struct config, log_clients),
	    1, 0, NULL, "log client addresses (off by default)" },
	{ "cgi-timeout", 'T', K_INT, offsetof(struct config, cgi_timeout), 1,
	    3600, "SECONDS", "time a program may take (default: 10)" },
	{ "cgi-max", 'M', K_INT, offsetof(struct config, cgi_max), 1, 10000,
	    "N", "programs running at once (default: 32)" },
	{ "cgi-data", 'D', K_PATH, offsetof(struct config, cgi_data), 0, 0,
	    "DIR", "a directory CGI programs may write in (default: none)" },
	{ "check", 'n', K_CLI, 0, 0, 0, NULL,
	    "check the configuration, print it and exit" },
	{ "help", 'h', K_CLI, 0, 0, 0, NULL, "print this help and exit" },
	{ "version", 'V', K_CLI, 0, 0, 0, NULL, "print the version and exit" },
};
#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))
_Static_assert(NKEYS <= 64, "config.given has a bit per key");

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	(void)snprintf(c->root, sizeof(c->root), "capsule");
	(void)snprintf(c->certdir, sizeof(c->certdir), "certs");
	c->port = 1965;
	c->gopher_port = 70;
	c->charset = CHARSET_UTF8;
	c->width = 67;
	c->request_timeout = 5;
	c->idle_timeout = 30;
	c->min_rate = 256;
	c->min_rate_window = 30;
	c->max_conns = 4096;
	c->rate_limit = 20;
	c->rate_burst = 200;
	c->listing = 1;
	c->cgi_timeout = 10;
	c->cgi_max = 32;
	(void)snprintf(c->user, sizeof(c->user), "nobody");
}

static int
config_host_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONFIG_HOST_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && strchr(".-:", *s) == NULL)
			return 0;
	return 1;
}

static int	config_set_value(struct config *, const struct config_key *,
		    const char *, char *, size_t);

/* Applies one setting; err gets the problem without file or line. */
static int
config_set(struct config *c, const struct config_key *k, const char *v,
    char *err, size_t errlen)
{
	if (config_set_value(c, k, v, err, errlen) == -1)
		return -1;
	c->given |= 1ULL << (k - config_keys);
	return 0;
}

int
config_given(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return (c->given >> i) & 1;
	return 0;
}

static int
config_bad(const struct config_key *k, const char *v, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s: bad value \"%.80s\"", k->name, v);
	return -1;
}

/* "name=dir" on the command line, "name dir" in a file */
static int
config_set_host(struct config *c, const struct config_key *k,
    const char *v, char *err, size_t errlen)
{
	struct config_host	*h;
	char			*end, *eq;
	size_t			 len;

	if (c->nhosts == CONFIG_MAX_HOSTS) {
		snprintf(err, errlen, "more than %d hosts", CONFIG_MAX_HOSTS);
		return -1;
	}
	h = &c->hosts[c->nhosts];
	memset(h, 0, sizeof(*h));
	len = strcspn(v, "= \t");
	eq = (char *)v + len;
	if (len > CONFIG_HOST_MAX)
		return config_bad(k, v, err, errlen);
	/* a Unicode name is served under its ASCII (punycode) form */
	if (puny_host_ascii(v, len, h->name, sizeof(h->name)) == -1)
		return config_bad(k, v, err, errlen);
	len = strlen(h->name);
	if (*eq != '\0') {
		eq += strspn(eq, "= \t");
		if (*eq == '\0' || snprintf(h->root, sizeof(h->root),
		    "%s", eq) >= (int)sizeof(h->root))
			return config_bad(k, v, err, errlen);
	}
	for (end = h->name; *end; end++)
		*end = (char)tolower((unsigned char)*end);
	if (len > 1 && h->name[len - 1] == '.')
		h->name[len - 1] = '\0';
	if (!config_host_ok(h->name))
		return config_bad(k, v, err, errlen);
	c->nhosts++;
	return 0;
}

/* The keys that may be given more than once: addresses, networks. */
static int
config_set_list(struct config *c, const struct config_key *k,
    const char *v, char *err, size_t errlen)
{
	if (k->kind == K_ADDR) {
		if (c->naddrs == CONFIG_MAX_ADDRS) {
			snprintf(err, errlen, "more than %d addresses",
			    CONFIG_MAX_ADDRS);
			return -1;
		}
		if (*v == '\0' || snprintf(c->addrs[c->naddrs],
		    sizeof(c->addrs[0]), "%s", v) >= (int)sizeof(c->addrs[0]))
			return config_bad(k, v, err, errlen);
		c->naddrs++;
		return 0;
	}
	if (c->nproxy_from == CONFIG_MAX_NETS) {
		snprintf(err, errlen, "more than %d proxy-from networks",
		    CONFIG_MAX_NETS);
		return -1;
	}
	if (proxy_net_parse(v, &c->proxy_from[c->nproxy_from]) == -1) {
		snprintf(err, errlen, "proxy-from: \"%.80s\" is not "
		    "an address or ADDRESS/BITS", v);
		return -1;
	}
	c->nproxy_from++;
	return 0;
}

/* Words that go verbatim into a header, a user name, a host name. */
static int
config_set_word(struct config *c, const struct config_key *k,
    const char *v, char *err, size_t errlen)
{
	char *end;

	switch (k->kind) {
	case K_LANG:
		if (*v == '\0' || strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-,") != strlen(v) ||
		    snprintf(c->lang, sizeof(c->lang), "%s", v) >=
		    (int)sizeof(c->lang))
			return config_bad(k, v, err, errlen);
		return 0;
	case K_USER:
		if (*v == '\0' || strspn(v, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(v) ||
		    snprintf(c->user, sizeof(c->user), "%s", v) >=
		    (int)sizeof(c->user))
			return config_bad(k, v, err, errlen);
		return 0;
	default:	/* K_NAME */
		if (snprintf((char *)c + k->off, CONFIG_HOST_MAX + 1, "%s", v) >
		    CONFIG_HOST_MAX || !config_host_ok(v))
			return config_bad(k, v, err, errlen);
		for (end = (char *)c + k->off; *end; end++)
			*end = (char)tolower((unsigned char)*end);
		return 0;
	}
}

static int
config_set_value(struct config *c, const struct config_key *k,
    const char *v, char *err, size_t errlen)
{
	char		*end;
	long		 n;
	enum charset	 cs;

	switch (k->kind) {
	case K_PATH:
		if (*v == '\0' || snprintf((char *)c + k->off, PATH_MAX, "%s",
		    v) >= PATH_MAX)
			return config_bad(k, v, err, errlen);
		return 0;
	case K_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno || n < k->min ||
		    n > k->max) {
			snprintf(err, errlen, "%s: \"%s\" is not a number "
			    "from %d to %d", k->name, v, k->min, k->max);
			return -1;
		}
		*(int *)(void *)((char *)c + k->off) = (int)n;
		return 0;
	case K_HOST:
		return config_set_host(c, k, v, err, errlen);
	case K_ADDR:
	case K_NET:
		return config_set_list(c, k, v, err, errlen);
	case K_LANG:
	case K_USER:
	case K_NAME:
		return config_set_word(c, k, v, err, errlen);
	case K_CHARSET:
		if (charset_parse(v, &cs) == -1) {
			snprintf(err, errlen, "%s: \"%.40s\" is not utf-8, "
			    "latin1 or ascii", k->name, v);
			return -1;
		}
		c->charset = (int)cs;
		return 0;
	case K_FLAG:
		if (*v != '\0') {
			snprintf(err, errlen, "%s takes no value", k->name);
			return -1;
		}
		*(int *)(void *)((char *)c + k->off) = k->min;
		return 0;
	case K_CLI:
		snprintf(err, errlen, "%s is a command-line option only",
		    k->name);
		return -1;
	}
	return config_bad(k, v, err, errlen);
}

static const struct config_key *
config_key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(config_keys[i].name) == len &&
		    strncmp(config_keys[i].name, name, len) == 0)
			return &config_keys[i];
	return NULL;
}

int
config_parse(struct config *c, const char *buf, size_t len, char *err,
    size_t errlen)
{
	const char		*p = buf, *end = buf + len, *nl, *k, *v;
	const struct config_key	*key;
	char			 line[PATH_MAX + 64], msg[256];
	size_t			 n, klen;
	int			 lineno = 0, kind;

	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "line %d: line too long", lineno);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (strlen(line) != n) {
			snprintf(err, errlen, "line %d: NUL byte", lineno);
			return -1;
		}
		/* comments run to the end of the line */
		line[strcspn(line, "#")] = '\0';
		n = strlen(line);
		while (n > 0 && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		k = line + strspn(line, " \t");
		if (*k == '\0')
			continue;
		klen = strcspn(k, " \t");
		v = k + klen;
		v += strspn(v, " \t");
		if ((kind = rules_keyword(k, klen, v)) != -1) {
			if (rules_add(&c->rules, kind, v, lineno, msg,
			    sizeof(msg)) == -1) {
				snprintf(err, errlen, "line %d: %s", lineno,
				    msg);
				return -1;
			}
			continue;
		}
		if ((key = config_key_find(k, klen)) == NULL) {
			snprintf(err, errlen, "line %d: unknown setting "
			    "\"%.*s\"", lineno, (int)(klen > 64 ? 64 : klen), k);
			return -1;
		}
		if (key->kind == K_CLI && strcmp(key->name, "config") != 0) {
			snprintf(err, errlen, "line %d: %s is a command-line "
			    "option only", lineno, key->name);
			return -1;
		}
		if (key->kind == K_CLI) {
			snprintf(err, errlen, "line %d: a config file cannot "
			    "include another", lineno);
			return -1;
		}
		/* "root = /srv": a habit from other formats, caught here */
		if (*v == '=') {
			snprintf(err, errlen, "line %d: %s: write \"%s VALUE\", "
			    "without \"=\"", lineno, key->name, key->name);
			return -1;
		}
		if (key->kind != K_FLAG && *v == '\0') {
			snprintf(err, errlen, "line %d: %s needs a value",
			    lineno, key->name);
			return -1;
		}
		if (config_set(c, key, v, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "line %d: %s", lineno, msg);
			return -1;
		}
	}
	return 0;
}

int
config_validate(struct config *c, char *err, size_t errlen)
{
	size_t i, j;

	if (c->nhosts == 0) {
		(void)snprintf(c->hosts[0].name, sizeof(c->hosts[0].name),
		    "localhost");
		c->nhosts = 1;
	}
	if (c->gopher_port != 0 && c->gopher_port == c->port) {
		snprintf(err, errlen, "Gemini and Gopher both on port %d",
		    c->port);
		return -1;
	}
	for (i = 0; i < c->nhosts; i++)
		for (j = 0; j < i; j++)
			if (strcmp(c->hosts[i].name, c->hosts[j].name) == 0) {
				snprintf(err, errlen, "host %s given twice",
				    c->hosts[i].name);
				return -1;
			}
	return 0;
}

void
config_usage(FILE *f)
{
	size_t	 i;
	char	 left[64];

	fprintf(f, "usage: yurt [-hnV] [-c FILE] [-r DIR] [-H NAME[=DIR]]... "
	    "[-p PORT] [-E PORT]\n"
	    "            [-a ADDR]... [-g PORT] [-G NAME] [-P PORT] "
	    "[-C CHARSET] [-W N]\n"
	    "            [-d DIR] [-w N] [-l LANG] [-t SECONDS] [-i SECONDS] "
	    "[-m N]\n"
	    "            [-R N] [-B N] [-u USER] [-O FILE] [-LAX]\n"
	    "            [-T SECONDS] [-M N] [-D DIR]\n\n");
	for (i = 0; i < NKEYS; i++) {
		snprintf(left, sizeof(left), "-%c, --%s%s%s",
		    config_keys[i].opt, config_keys[i].name,
		    config_keys[i].arg ? " " : "",
		    config_keys[i].arg ? config_keys[i].arg : "");
		fprintf(f, "  %-30s %s\n", left, config_keys[i].help);
	}
}

static int
config_read_file(struct config *c, const char *path)
{
	char		 err[512];
	struct buf	 b;
	int		 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "yurt: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf_init(&b, CONFIG_FILE_MAX);
	rc = buf_read(&b, fd);
	close(fd);
	if (rc == -1) {
		fprintf(stderr, "yurt: %s: %s\n", path,
		    errno == EFBIG ? "file too large" : strerror(errno));
		buf_free(&b);
		return -1;
	}
	rc = config_parse(c, b.data ? b.data : "", b.len, err, sizeof(err));
	buf_free(&b);
	if (rc == -1) {
		/* err is "line N: problem"; say "file:N: problem" */
		fprintf(stderr, "yurt: %s:%s\n", path, err + strlen("line "));
		return -1;
	}
	(void)snprintf(c->file, sizeof(c->file), "%s", path);
	return 0;
}

/* getopt's tables, from the one table of keys. */
static void
config_opts(struct option *longopts, char *shortopts)
{
	const struct config_key	*k;
	size_t			 i, s = 0;

	memset(longopts, 0, (NKEYS + 1) * sizeof(*longopts));
	shortopts[s++] = ':';
	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		longopts[i].name = k->name;
		longopts[i].has_arg = k->arg ? required_argument : no_argument;
		longopts[i].val = k->opt;
		shortopts[s++] = (char)k->opt;
		if (k->arg)
			shortopts[s++] = ':';
	}
	shortopts[s] = '\0';
}

/* The options that are not configuration: -c, -n, -h, -V. */
static enum config_action
config_cli_only(struct config *c, int ch, const char **file)
{
	switch (ch) {
	case 'c':
		*file = optarg;
		break;
	case 'n':
		c->check = 1;
		break;
	case 'h':
		config_usage(stdout);
		return CONFIG_EXIT_OK;
	case 'V':
		printf("yurt %s\n", YURT_VERSION);
		return CONFIG_EXIT_OK;
	}
	return CONFIG_RUN;
}

/* pass 0 finds the file and the exits; pass 1 overrides the file */
static enum config_action
config_cli_pass(struct config *c, int argc, char **argv, int pass,
    const struct option *longopts, const char *shortopts, const char **file)
{
	const struct config_key	*k;
	char			 err[512];
	size_t			 i;
	int			 ch, cli_hosts = 0, cli_addrs = 0, cli_nets = 0;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts,
	    NULL)) != -1) {
		if (ch == ':' || ch == '?') {
			fprintf(stderr, "yurt: %s %s (try --help)\n",
			    ch == ':' ? "missing value for" :
			    "unknown option", argv[optind - 1]);
			return CONFIG_EXIT_FAIL;
		}
		for (k = NULL, i = 0; i < NKEYS; i++)
			if (config_keys[i].opt == ch)
				k = &config_keys[i];
		if (k->kind == K_CLI) {
			if (pass == 0 &&
			    config_cli_only(c, ch, file) != CONFIG_RUN)
				return CONFIG_EXIT_OK;
			continue;
		}
		if (pass == 0)
			continue;
		/* a list on the command line replaces the file's */
		if (ch == 'H' && !cli_hosts++)
			c->nhosts = 0;
		if (ch == 'a' && !cli_addrs++)
			c->naddrs = 0;
		if (ch == 'F' && !cli_nets++)
			c->nproxy_from = 0;
		if (config_set(c, k, optarg ? optarg : "", err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "yurt: -%c: %s\n", ch, err);
			return CONFIG_EXIT_FAIL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "yurt: unexpected argument \"%s\" "
		    "(try --help)\n", argv[optind]);
		return CONFIG_EXIT_FAIL;
	}
	return CONFIG_RUN;
}

enum config_action
config_load(struct config *c, int argc, char **argv)
{
	struct option		 longopts[NKEYS + 1];
	char			 shortopts[NKEYS * 2 + 2], err[512];
	const char		*file = NULL;
	enum config_action	 act;
	int			 pass;

	config_defaults(c);
	config_opts(longopts, shortopts);
	for (pass = 0; pass < 2; pass++) {
		act = config_cli_pass(c, argc, argv, pass, longopts, shortopts,
		    &file);
		if (act != CONFIG_RUN)
			return act;
		if (pass == 0 && file != NULL && config_read_file(c, file) == -1)
			return CONFIG_EXIT_FAIL;
	}
	if (config_validate(c, err, sizeof(err)) == -1) {
		fprintf(stderr, "yurt: %s\n", err);
		return CONFIG_EXIT_FAIL;
	}
	return CONFIG_RUN;
}

void
config_print(const struct config *c, FILE *f)
{
	size_t i;

	if (c->file[0])
		fprintf(f, "# from %s and the command line\n", c->file);
	fprintf(f, "root %s\n", c->root);
	for (i = 0; i < c->nhosts; i++)
		fprintf(f, "host %s%s%s\n", c->hosts[i].name,
		    c->hosts[i].root[0] ? " " : "", c->hosts[i].root);
	fprintf(f, "port %d\n", c->port);
	fprintf(f, "public-port %d\n", c->public_port ? c->public_port :
	    c->port);
	fprintf(f, "gopher-port %d\n", c->gopher_port);
	fprintf(f, "gopher-host %s\n", c->gopher_host[0] ? c->gopher_host :
	    c->hosts[0].name);
	fprintf(f, "gopher-public-port %d\n", c->gopher_public_port ?
	    c->gopher_public_port : c->gopher_port);
	fprintf(f, "charset %s\n", charset_name((enum charset)c->charset));
	fprintf(f, "width %d\n", c->width);
	if (c->naddrs == 0)
		fprintf(f, "# addr: all (:: and 0.0.0.0)\n");
	for (i = 0; i < c->naddrs; i++)
		fprintf(f, "addr %s\n", c->addrs[i]);
	fprintf(f, "certs %s\n", c->certdir);
	if (c->workers)
		fprintf(f, "workers %d\n", c->workers);
	else
		fprintf(f, "# workers: one per core\n");
	if (c->lang[0])
		fprintf(f, "lang %s\n", c->lang);
	fprintf(f, "request-timeout %d\n", c->request_timeout);
	fprintf(f, "idle-timeout %d\n", c->idle_timeout);
	fprintf(f, "min-rate %d\n", c->min_rate);
	fprintf(f, "min-rate-window %d\n", c->min_rate_window);
	fprintf(f, "reply-timeout %d\n", c->reply_timeout);
	fprintf(f, "max-connections %d\n", c->max_conns);
	fprintf(f, "rate-limit %d\n", c->rate_limit);
	fprintf(f, "rate-burst %d\n", c->rate_burst);
	if (c->proxy_protocol)
		fprintf(f, "proxy-protocol\n");
	if (c->nproxy_from == 0)
		fprintf(f, "# proxy-from: loopback (127.0.0.0/8, ::1)\n");
	for (i = 0; i < c->nproxy_from; i++) {
		const struct proxy_net *pn = &c->proxy_from[i];
		char a[64];

		if (inet_ntop(pn->family, pn->addr, a, sizeof(a)) != NULL)
			fprintf(f, "proxy-from %s/%u\n", a, pn->bits);
	}
	fprintf(f, "user %s\n", c->user);
	if (c->log_file[0])
		fprintf(f, "log-file %s\n", c->log_file);
	if (!c->listing)
		fprintf(f, "no-listing\n");
	if (c->log_clients)
		fprintf(f, "log-clients\n");
	rules_print(&c->rules, f);
	fprintf(f, "cgi-timeout %d\n", c->cgi_timeout);
	fprintf(f, "cgi-max %d\n", c->cgi_max);
	if (c->cgi_data[0])
		fprintf(f, "cgi-data %s\n", c->cgi_data);
}
