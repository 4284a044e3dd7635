#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "check.h"
#include "sandbox.h"
#include "site.h"

static int
check_addrs(const struct config *cfg, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res;
	size_t		 i;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	for (i = 0; i < cfg->naddrs; i++) {
		if ((rc = getaddrinfo(cfg->addrs[i], "1965", &hints,
		    &res)) != 0) {
			snprintf(err, errlen, "addr %s: %s", cfg->addrs[i],
			    gai_strerror(rc));
			return -1;
		}
		freeaddrinfo(res);
	}
	return 0;
}

static int
check_certs(const struct config *cfg, char *err, size_t errlen)
{
	char			 parent[PATH_MAX], msg[PATH_MAX + 300];
	const char		*missing = NULL;
	struct cert_info	 ci;
	struct stat		 st;
	size_t			 i;
	int			 dirfd, rc;

	if (stat(cfg->certdir, &st) == -1) {
		snprintf(parent, sizeof(parent), "%s", cfg->certdir);
		dirname(parent);
		if (errno != ENOENT || stat(parent, &st) == -1) {
			snprintf(err, errlen, "certs %s: %s%s", cfg->certdir,
			    errno == ENOENT ? parent : strerror(errno),
			    errno == ENOENT ? " does not exist: create it "
			    "(mkdir -p), or, under systemd, StateDirectory= "
			    "creates it at the first start" : "");
			return -1;
		}
		if (access(parent, W_OK | X_OK) == -1) {
			snprintf(err, errlen, "certs %s: cannot be created "
			    "in %s: %s (create it, writable by the user "
			    "starting yurt)", cfg->certdir, parent,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "certs %s: not a directory",
		    cfg->certdir);
		return -1;
	}
	if ((dirfd = open(cfg->certdir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "certs %s: %s", cfg->certdir,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < cfg->nhosts && missing == NULL; i++) {
		rc = cert_peek(dirfd, cfg->hosts[i].name, &ci, msg,
		    sizeof(msg));
		if (rc == 1)
			missing = cfg->hosts[i].name;
		else if (rc == -1 || faccessat(dirfd, ci.key, R_OK, 0) == -1) {
			snprintf(err, errlen, "%s/%s", cfg->certdir, rc == -1 ?
			    msg : ci.key);
			if (rc == 0)
				snprintf(err + strlen(err), errlen -
				    strlen(err), ": %s", strerror(errno));
			close(dirfd);
			return -1;
		}
	}
	close(dirfd);
	if (missing != NULL && access(cfg->certdir, W_OK | X_OK) == -1) {
		snprintf(err, errlen, "certs %s: no certificate for %s, and "
		    "none can be created there: %s (make the directory "
		    "writable by the user starting yurt, or put %s.crt and "
		    "%s.key in it)", cfg->certdir, missing, strerror(errno),
		    missing, missing);
		return -1;
	}
	return 0;
}

/* As the user yurt drops to: what a reload opens again. */
static int
check_as_user(const struct config *cfg, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	char		 dir[PATH_MAX];
	size_t		 i;

	if (sandbox_drop(uid, gid, err, errlen) == -1 ||
	    sandbox_readable(cfg->root, 1, cfg->user, 0, err, errlen) == -1)
		return -1;
	for (i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].root[0] && sandbox_readable(
		    cfg->hosts[i].root, 1, cfg->user, 0, err, errlen) == -1)
			return -1;
	if (cfg->file[0]) {
		snprintf(dir, sizeof(dir), "%s", cfg->file);
		if (sandbox_readable(dirname(dir), 1, cfg->user, 0, err,
		    errlen) == -1 || sandbox_readable(cfg->file, 0, cfg->user,
		    0, err, errlen) == -1)
			return -1;
	}
	if (access(cfg->certdir, F_OK) == -1 && errno == ENOENT)
		return 0;	/* created at start-up, for the user */
	if (sandbox_readable(cfg->certdir, 1, cfg->user, 0, err, errlen) == -1)
		return -1;
	return check_readable_certs(cfg, cfg->user, 0, err, errlen);
}

int
check_readable_certs(const struct config *cfg, const char *user,
    int sandboxed, char *err, size_t errlen)
{
	char			 file[PATH_MAX + 300];
	struct cert_info	 ci;
	size_t			 i;
	int			 dirfd, rc = 0;

	if ((dirfd = open(cfg->certdir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return 0;	/* the directory's own check says why */
	for (i = 0; i < cfg->nhosts && rc == 0; i++) {
		/* a missing one is created, owned by the user */
		if (cert_peek(dirfd, cfg->hosts[i].name, &ci, file,
		    sizeof(file)) == 1)
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", cfg->certdir,
		    ci.crt) >= (int)sizeof(file)) {
			snprintf(err, errlen, "%s: path too long", ci.crt);
			rc = -1;
		} else
			rc = sandbox_readable(file, 0, user, sandboxed,
			    err, errlen);
	}
	close(dirfd);
	return rc;
}

/* The check as the user runs in a child: root cannot come back. */
static int
check_user(const struct config *cfg, char *err, size_t errlen)
{
	char	 msg[PATH_MAX + 512];
	uid_t	 uid;
	gid_t	 gid;
	pid_t	 pid;
	ssize_t	 n;
	size_t	 got = 0;
	int	 fds[2], st;

	if (sandbox_user(cfg->user, &uid, &gid, err, errlen) == -1)
		return -1;
	if (geteuid() != 0)
		return 0;
	if (pipe(fds) == -1 || (pid = fork()) == -1) {
		snprintf(err, errlen, "checking as user %s: %s", cfg->user,
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		if (check_as_user(cfg, uid, gid, msg, sizeof(msg)) == 0)
			_exit(0);
		_exit(write(fds[1], msg, strlen(msg)) == -1 ? 2 : 1);
	}
	close(fds[1]);
	while (got < errlen - 1 && (n = read(fds[0], err + got,
	    errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (got == 0)
		snprintf(err, errlen, "checking as user %s failed", cfg->user);
	return -1;
}

int
check_config(const struct config *cfg, char *err, size_t errlen)
{
	char msg[PATH_MAX + 512];

	if (site_check(cfg, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "root %s", msg);
		return -1;
	}
	if (check_user(cfg, err, errlen) == -1 ||
	    check_addrs(cfg, err, errlen) == -1 ||
	    check_certs(cfg, err, errlen) == -1)
		return -1;
	return 0;
}
