#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "log.h"
#include "rules.h"
#include "site.h"
#include "tls.h"

static int
site_opendir(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return fd;
}

/*
 * The message for a certificate directory we cannot write to: the
 * directory, who we are and what to do, not the file we tried.
 */
static void
site_certdir_msg(const char *dir, const char *host, char *err, size_t errlen)
{
	struct passwd	*pw = getpwuid(geteuid());
	const char	*who = pw ? pw->pw_name : "?";

	if (errno == EROFS) {
		snprintf(err, errlen, "%s: read-only file system: no "
		    "certificate for %s can be created there; put %s.crt and "
		    "%s.key there, or choose another directory (-d)", dir,
		    host, host, host);
		return;
	}
	snprintf(err, errlen, "%s: not writable by user %s (uid %d), so the "
	    "certificate for %s cannot be created: make it writable by that "
	    "user (chown %s %s), put %s.crt and %s.key there, or choose "
	    "another directory (-d)", dir, who, (int)geteuid(), host, who,
	    dir, host, host);
}

static int
site_certs(struct site *s, const struct site *prev, char *err,
    size_t errlen)
{
	const struct config	*cfg = &s->cfg;
	const char		*names[CONFIG_MAX_HOSTS];
	struct cert_info	 ci;
	char			 msg[512];
	size_t			 i;
	int			 dirfd, created, rc;

	if (mkdir(cfg->certdir, 0755) == -1 && errno != EEXIST) {
		if (errno == EACCES || errno == EROFS)
			site_certdir_msg(cfg->certdir, cfg->hosts[0].name, err,
			    errlen);
		else
			snprintf(err, errlen, "%s: %s", cfg->certdir,
			    strerror(errno));
		return -1;
	}
	if ((dirfd = site_opendir(cfg->certdir, err, errlen)) == -1)
		return -1;
	cert_sweep(dirfd);
	for (i = 0; i < cfg->nhosts; i++) {
		names[i] = cfg->hosts[i].name;
		if ((rc = cert_ensure(dirfd, names[i], &ci, &created, msg,
		    sizeof(msg))) != 0) {
			if (rc == CERT_EDIR) {
				errno = strstr(msg, "Read-only") ? EROFS :
				    EACCES;
				site_certdir_msg(cfg->certdir, names[i], err,
				    errlen);
			} else
				snprintf(err, errlen, "%s: %s", cfg->certdir,
				    msg);
			close(dirfd);
			return -1;
		}
		/*
		 * Both fingerprints, for the operator to publish: clients
		 * pin one or the other (see yurt(8)).
		 */
		log_info("%s certificate %s/%s for %s, SHA-256 %s, public key "
		    "(SPKI) SHA-256 %s", created ? "created" : "loaded",
		    cfg->certdir, ci.crt, names[i], ci.fpr, ci.spki);
	}
	s->tls = tls_server_new(dirfd, names, cfg->nhosts,
	    prev ? prev->tls : NULL, msg, sizeof(msg));
	close(dirfd);
	if (s->tls == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->certdir, msg);
		return -1;
	}
	for (i = 0; i < cfg->rules.n; i++)
		/* programs are told the certificate (TLS_CLIENT_HASH) */
		if (cfg->rules.r[i].kind == RULE_CERTS ||
		    cfg->rules.r[i].kind == RULE_CGI ||
		    cfg->rules.r[i].kind == RULE_SCGI) {
			tls_server_ask_certs(s->tls);
			break;
		}
	return 0;
}

struct site *
site_new(const struct config *cfg, const struct site *prev, char *err,
    size_t errlen)
{
	struct site	*s;
	size_t		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&s->refs, 1);
	s->cfg = *cfg;
	s->rootfd = -1;
	for (i = 0; i < CONFIG_MAX_HOSTS; i++)
		s->hostroot[i] = -1;
	if ((s->rootfd = site_opendir(cfg->root, err, errlen)) == -1)
		goto fail;
	for (i = 0; i < cfg->nhosts; i++) {
		s->hostroot[i] = cfg->hosts[i].root[0] ?
		    site_opendir(cfg->hosts[i].root, err, errlen) :
		    dup(s->rootfd);
		if (s->hostroot[i] == -1)
			goto fail;
	}
	if (site_certs(s, prev, err, errlen) == -1)
		goto fail;
	/* the fingerprint files are read again with everything else */
	if ((s->fprs = rules_fprs_load(&s->cfg.rules, err, errlen)) == NULL &&
	    err[0] != '\0')
		goto fail;
	s->gopher_host = s->cfg.gopher_host[0] ? s->cfg.gopher_host :
	    s->cfg.hosts[0].name;
	s->gopher_root = s->rootfd;
	for (i = 0; i < s->cfg.nhosts; i++) {
		s->names[i] = s->cfg.hosts[i].name;
		if (strcmp(s->names[i], s->gopher_host) == 0)
			s->gopher_root = s->hostroot[i];
	}
	return s;
fail:
	site_unref(s);
	return NULL;
}

int
site_check(const struct config *cfg, char *err, size_t errlen)
{
	size_t	 i;
	int	 fd;

	if ((fd = site_opendir(cfg->root, err, errlen)) == -1)
		return -1;
	close(fd);
	for (i = 0; i < cfg->nhosts; i++) {
		if (!cfg->hosts[i].root[0])
			continue;
		if ((fd = site_opendir(cfg->hosts[i].root, err, errlen)) == -1)
			return -1;
		close(fd);
	}
	return 0;
}

void
site_print_certs(const struct config *cfg, FILE *fp)
{
	struct cert_info	 ci;
	char			 msg[512];
	size_t			 i;
	int			 dirfd, rc;

	dirfd = open(cfg->certdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < cfg->nhosts; i++) {
		rc = dirfd == -1 ? 1 : cert_peek(dirfd, cfg->hosts[i].name,
		    &ci, msg, sizeof(msg));
		if (rc == 1)
			fprintf(fp, "# %s: no certificate yet; one is created "
			    "in %s at start-up\n", cfg->hosts[i].name,
			    cfg->certdir);
		else if (rc == -1)
			fprintf(fp, "# %s: %s/%s\n", cfg->hosts[i].name,
			    cfg->certdir, msg);
		else
			fprintf(fp, "# %s: certificate %s/%s\n"
			    "#   SHA-256 %s\n#   public key (SPKI) SHA-256 %s\n",
			    cfg->hosts[i].name, cfg->certdir, ci.crt, ci.fpr,
			    ci.spki);
	}
	if (dirfd != -1)
		close(dirfd);
}

int
site_check_rules(const struct config *cfg, char *err, size_t errlen)
{
	struct rules_fprs *fprs;

	fprs = rules_fprs_load(&cfg->rules, err, errlen);
	rules_fprs_free(fprs, cfg->rules.n);
	return fprs == NULL && err[0] != '\0' ? -1 : 0;
}

struct site *
site_ref(struct site *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
site_unref(struct site *s)
{
	size_t i;

	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	tls_server_free(s->tls);
	rules_fprs_free(s->fprs, s->cfg.rules.n);
	if (s->rootfd != -1)
		close(s->rootfd);
	for (i = 0; i < CONFIG_MAX_HOSTS; i++)
		if (s->hostroot[i] != -1)
			close(s->hostroot[i]);
	free(s);
}
