#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int
site_certs(struct site *s, uid_t owner, gid_t group, char *err,
    size_t errlen)
{
	const struct config	*cfg = &s->cfg;
	const char		*names[CONFIG_MAX_HOSTS], *ext;
	char			 fpr[TLS_FPR_LEN], msg[512], file[300];
	size_t			 i;
	int			 dirfd, created;

	if (mkdir(cfg->certdir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", cfg->certdir, strerror(errno));
		return -1;
	}
	if ((dirfd = site_opendir(cfg->certdir, err, errlen)) == -1)
		return -1;
	for (i = 0; i < cfg->nhosts; i++) {
		names[i] = cfg->hosts[i].name;
		if (tls_cert_ensure(dirfd, names[i], fpr, &created, msg,
		    sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s: %s", cfg->certdir, msg);
			close(dirfd);
			return -1;
		}
		/* the unprivileged user must be able to read it on reload */
		for (ext = ".key"; created && owner != (uid_t)-1 && ext;
		    ext = strcmp(ext, ".key") == 0 ? ".crt" : NULL) {
			snprintf(file, sizeof(file), "%s%s", names[i], ext);
			if (fchownat(dirfd, file, owner, group,
			    AT_SYMLINK_NOFOLLOW) == -1)
				log_warn("%s/%s: %s (a reload will not read it)",
				    cfg->certdir, file, strerror(errno));
		}
		log_info("%s certificate %s/%s.crt for %s, SHA-256 %s",
		    created ? "created" : "loaded", cfg->certdir, names[i],
		    names[i], fpr);
	}
	s->tls = tls_server_new(dirfd, names, cfg->nhosts, msg, sizeof(msg));
	close(dirfd);
	if (s->tls == NULL) {
		snprintf(err, errlen, "%s: %s", cfg->certdir, msg);
		return -1;
	}
	for (i = 0; i < cfg->rules.n; i++)
		if (cfg->rules.r[i].kind == RULE_CERTS) {
			tls_server_ask_certs(s->tls);
			break;
		}
	return 0;
}

struct site *
site_new(const struct config *cfg, uid_t owner, gid_t group, char *err,
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
	if (site_certs(s, owner, group, err, errlen) == -1)
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
