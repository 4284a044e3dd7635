/*
 * Settings from the command line and the optional config file.  The file
 * takes the same settings as the long options ("port 1965", "host
 * example.org /srv/example"); the command line overrides it.
 */
#ifndef YURT_CONFIG_H
#define YURT_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "proxy.h"
#include "rules.h"

#define CONFIG_MAX_HOSTS	32
#define CONFIG_MAX_ADDRS	16
#define CONFIG_HOST_MAX		253
#define CONFIG_MAX_NETS		16

struct config_host {
	char	 name[CONFIG_HOST_MAX + 1];
	char	 root[PATH_MAX];	/* "" = the main root */
};

struct config {
	char	 file[PATH_MAX];	/* the config file read, or "" */
	char	 root[PATH_MAX];
	char	 certdir[PATH_MAX];
	struct config_host hosts[CONFIG_MAX_HOSTS];
	size_t	 nhosts;
	char	 addrs[CONFIG_MAX_ADDRS][64];
	size_t	 naddrs;
	int	 port;
	int	 public_port;		/* in URLs; 0 = port */
	int	 gopher_port;		/* 0: no Gopher */
	char	 gopher_host[CONFIG_HOST_MAX + 1];	/* "" = first host */
	int	 gopher_public_port;	/* 0 = gopher_port */
	int	 charset;		/* enum charset, for Gopher */
	int	 width;			/* Gopher text columns */
	int	 workers;		/* 0 = one per core */
	char	 lang[64];
	int	 request_timeout;	/* seconds */
	int	 idle_timeout;		/* seconds */
	int	 min_rate;		/* bytes a second; 0: none */
	int	 min_rate_window;	/* seconds */
	int	 reply_timeout;		/* seconds; 0: none */
	int	 max_conns;
	int	 rate_limit;		/* requests per second per client */
	int	 rate_burst;
	int	 proxy_protocol;
	struct proxy_net proxy_from[CONFIG_MAX_NETS];	/* none: loopback */
	size_t	 nproxy_from;
	int	 listing;
	int	 log_clients;
	char	 user[64];		/* to drop to when started as root */
	char	 log_file[PATH_MAX];	/* "" = stderr */
	int	 check;			/* -n */
	struct rules rules;		/* per-path, from the file only */
	unsigned long long given;	/* bit i: config_keys[i] was set */

	int	 cgi_timeout;		/* seconds */
	int	 cgi_max;		/* programs running at once */
	char	 cgi_data[PATH_MAX];	/* "" = none writable */
};

enum config_action { CONFIG_RUN, CONFIG_EXIT_OK, CONFIG_EXIT_FAIL };

void	config_defaults(struct config *);
/*
 * Parses argv (and the file it names with -c), fills the config and
 * validates it.  On CONFIG_EXIT_* the message (help, version or an error
 * naming the file and line) has already been printed.
 */
enum config_action config_load(struct config *, int, char **);
/*
 * Parses one config file's text; pure, for tests and fuzzing.  Returns
 * 0, or -1 with err holding "line N: problem".
 */
int	config_parse(struct config *, const char *, size_t, char *err,
	    size_t errlen);
int	config_validate(struct config *, char *err, size_t errlen);
void	config_print(const struct config *, FILE *);
/* Whether the setting (by its long name) was given, not a default. */
int	config_given(const struct config *, const char *name);
void	config_usage(FILE *);

#endif
