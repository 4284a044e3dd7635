/*
 * A site is one generation of what the workers serve: the settings, the
 * certificates and the capsule root descriptors.  A reload builds a new
 * one; connections keep the generation they started with (a reference
 * each), so a reload never disturbs a reply in flight.
 */
#ifndef YURT_SITE_H
#define YURT_SITE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"

struct tls_server;

struct site {
	atomic_int		 refs;
	struct config		 cfg;
	struct tls_server	*tls;
	int			 rootfd;
	int			 hostroot[CONFIG_MAX_HOSTS];
	/* derived once here, not on every request */
	const char		*names[CONFIG_MAX_HOSTS + 1];	/* NULL-ended */
	const char		*gopher_host;	/* written into menus */
	int			 gopher_root;	/* that host's root */
	struct rules_fprs	*fprs;	/* per rule: client-certificates' */
};

/*
 * Opens the roots and loads (or creates, owned by us) every host's
 * certificate, logging its fingerprints.  prev: the site a reload
 * replaces (its keys serve where a key file is root's), else NULL.
 */
struct site *site_new(const struct config *, const struct site *prev,
	    char *err, size_t errlen);
/* -n: each host's certificate fingerprints, as "# " comment lines. */
void	site_print_certs(const struct config *, FILE *);
struct site *site_ref(struct site *);
/* -n: whether every root opens, without loading anything. */
int	site_check(const struct config *, char *err, size_t errlen);
/* -n: whether every client-certificates file reads. */
int	site_check_rules(const struct config *, char *err, size_t errlen);
void	site_unref(struct site *);

#endif
