#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* Rights added by later Landlock ABIs, for older headers. */
#define SANDBOX_FS_REFER	(1ULL << 13)	/* ABI 2 */
#define SANDBOX_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#define SANDBOX_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#define SANDBOX_NET_BIND_TCP	(1ULL << 0)	/* ABI 4 */
#define SANDBOX_NET_CONNECT_TCP	(1ULL << 1)	/* ABI 4 */
#define SANDBOX_SCOPE_ABSTRACT_UNIX (1ULL << 0)	/* ABI 6 */
#define SANDBOX_SCOPE_SIGNAL	(1ULL << 1)	/* ABI 6 */

/*
 * A sanitizer build (tests only, never shipped) must still be able to
 * report leaks at exit: LeakSanitizer reads /proc/self/task, which the
 * drop to another user (not dumpable) and Landlock would both deny.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER	1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER	0
#endif

/* The kernel's struct, with the fields ABI 4 and 6 added. */
struct sandbox_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

int
sandbox_user(const char *name, uid_t *uid, gid_t *gid, char *err,
    size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		snprintf(err, errlen, "user %s: %s", name,
		    errno ? strerror(errno) : "no such user");
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "user %s is root", name);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
sandbox_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "dropping privileges: %s",
		    strerror(errno));
		return -1;
	}
	/* trust, but verify: there must be no way back to root */
	if (getuid() == 0 || geteuid() == 0 || setuid(0) != -1 ||
	    getegid() != gid) {
		snprintf(err, errlen, "still root after dropping privileges");
		return -1;
	}
	if (SANDBOX_SANITIZER)
		(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

/* What CGI programs need, when a rule runs them: see sandbox_programs(). */
static int		 sandbox_progs;
static const char	*sandbox_datadir;
static const char *const *sandbox_roots;
static size_t		 sandbox_nroots;
static int		 sandbox_progfd = -1;

void
sandbox_programs(const char *datadir, const char *const *roots, size_t n)
{
	sandbox_progs = 1;
	sandbox_datadir = datadir != NULL && *datadir ? datadir : NULL;
	sandbox_roots = roots;
	sandbox_nroots = n;
}

int
sandbox_programs_fd(void)
{
	return sandbox_progfd;
}

/*
 * What a program must not reach although a tree it may read holds it
 * (the configuration under /etc, the certificates under the data
 * directory): the holes, and every directory above one, by inode.
 */
#define SANDBOX_HOLES	1024
static struct sandbox_hole {
	dev_t	dev;
	ino_t	ino;
	int	exact;	/* the hole itself, not a directory above it */
} sandbox_holes[SANDBOX_HOLES];
static size_t	sandbox_nholes;

static const struct sandbox_hole *
sandbox_hole_find(const struct stat *st)
{
	size_t i;

	for (i = 0; i < sandbox_nholes; i++)
		if (sandbox_holes[i].dev == st->st_dev &&
		    sandbox_holes[i].ino == st->st_ino)
			return &sandbox_holes[i];
	return NULL;
}

/* path and the directories above it, as the kernel resolves them. */
static void
sandbox_hole_add(const char *path)
{
	char		 real[PATH_MAX], *p, c;
	struct stat	 st;
	size_t		 i;

	if (realpath(path, real) == NULL)
		return;		/* not there: nothing to hide */
	for (p = real;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (stat(*real ? real : "/", &st) == 0 &&
		    sandbox_nholes < SANDBOX_HOLES) {
			for (i = 0; i < sandbox_nholes; i++)
				if (sandbox_holes[i].dev == st.st_dev &&
				    sandbox_holes[i].ino == st.st_ino)
					break;
			if (i == sandbox_nholes) {
				sandbox_holes[i].dev = st.st_dev;
				sandbox_holes[i].ino = st.st_ino;
				sandbox_nholes++;
			}
			if (c == '\0')
				sandbox_holes[i].exact = 1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
}

static int	sandbox_grant(int, int, const char *, uint64_t, int, char *,
		    size_t);

/* A directory above a hole: everything in it but the way to the hole. */
static int
sandbox_grant_around(int rs, int fd, const char *path, uint64_t access,
    int depth, char *err, size_t errlen)
{
	struct dirent	*de;
	DIR		*d;
	int		 dfd, cfd, rc = 0;

	if (depth > 64 || (dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (depth <= 64 && dfd != -1)
			close(dfd);
		return 0;	/* what cannot be listed is not granted */
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* a symbolic link: its target, where Landlock looks too */
		if ((cfd = openat(dfd, de->d_name, O_PATH | O_CLOEXEC)) == -1)
			continue;
		rc = sandbox_grant(rs, cfd, path, access, depth + 1, err,
		    errlen);
		close(cfd);
	}
	closedir(d);
	return rc;
}

/* A rule for what fd is (path names it in errors), minus the holes. */
static int
sandbox_grant(int rs, int fd, const char *path, uint64_t access, int depth,
    char *err, size_t errlen)
{
	struct landlock_path_beneath_attr	 pb;
	const struct sandbox_hole		*h;
	struct stat				 st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "landlock: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if ((h = sandbox_hole_find(&st)) != NULL)
		return h->exact || !S_ISDIR(st.st_mode) ? 0 :
		    sandbox_grant_around(rs, fd, path, access, depth, err,
		    errlen);
	if (!S_ISDIR(st.st_mode))	/* directory rights on a file: EINVAL */
		access &= LANDLOCK_ACCESS_FS_EXECUTE |
		    LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_READ_FILE | SANDBOX_FS_TRUNCATE;
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = access;
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb,
	    0) == -1) {
		snprintf(err, errlen, "landlock: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* One Landlock rule; a system directory that does not exist is skipped. */
static int
sandbox_rule(int rs, const char *path, uint64_t access, int optional,
    char *err, size_t errlen)
{
	int fd, rc;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1) {
		if (optional && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "landlock: %s: %s", path,
		    strerror(errno));
		return -1;
	}
	rc = sandbox_grant(rs, fd, path, access, 0, err, errlen);
	close(fd);
	return rc;
}

/*
 * What programs may do: run and read the capsule roots and the system's
 * programs and libraries, read /etc, read and write /dev/null, and write
 * only in the one data directory, if any.  Added to yurt's own domain
 * (no holes yet), then, holes made, to the programs' domain alone.
 */
static int
sandbox_landlock_programs(int rs, int abi, char *err, size_t errlen)
{
	static const char *const sys[] = { "/usr", "/bin", "/sbin", "/lib",
	    "/lib64", "/etc" };
	const uint64_t	 rx = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_EXECUTE;
	uint64_t	 rw;
	size_t		 i;

	for (i = 0; i < sandbox_nroots; i++)
		if (sandbox_rule(rs, sandbox_roots[i], rx, 0, err,
		    errlen) == -1)
			return -1;
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (sandbox_rule(rs, sys[i], strcmp(sys[i], "/etc") == 0 ?
		    rx & ~(uint64_t)LANDLOCK_ACCESS_FS_EXECUTE : rx, 1, err,
		    errlen) == -1)
			return -1;
	if (sandbox_rule(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_WRITE_FILE, 1, err, errlen) == -1)
		return -1;
	if (sandbox_datadir == NULL)
		return 0;
	rw = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR;
	if (abi >= 2)
		rw |= SANDBOX_FS_REFER;
	if (abi >= 3)
		rw |= SANDBOX_FS_TRUNCATE;
	return sandbox_rule(rs, sandbox_datadir, rw, 0, err, errlen);
}

/* Whether the hole at path would take away a capsule root (then kept). */
static int
sandbox_hole_covers_root(const char *path)
{
	char	 a[PATH_MAX], b[PATH_MAX];
	size_t	 i, n;

	if (realpath(path, a) == NULL)
		return 0;
	n = strlen(a);
	for (i = 0; i < sandbox_nroots; i++)
		if (realpath(sandbox_roots[i], b) != NULL &&
		    strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/' ||
		    n == 1)) {
			log_warn("%s holds the capsule %s: programs can read "
			    "it", path, sandbox_roots[i]);
			return 1;
		}
	return 0;
}

/*
 * The programs' own domain, stricter than yurt's, prepared while every
 * path can still be opened; a child restricts itself to it before it
 * runs the program.  Everything yurt reads beyond the capsule (paths
 * but the roots: certificates, configuration, fingerprint files) and
 * its log are holes in what a program may read, wherever they are.
 */
static int
sandbox_programs_ruleset(const struct sandbox_ruleset_attr *attr,
    size_t attrlen, int abi, const char *const *paths, size_t n,
    const char *logdir, char *err, size_t errlen)
{
	struct stat	 st;
	size_t		 i, j;
	int		 rs;

	if ((rs = (int)syscall(SYS_landlock_create_ruleset, attr, attrlen,
	    0)) == -1) {
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i <= n; i++) {
		const char *h = i < n ? paths[i] : logdir;

		if (h == NULL)
			continue;
		for (j = 0; j < sandbox_nroots; j++)
			if (strcmp(h, sandbox_roots[j]) == 0)
				break;
		if (j == sandbox_nroots && !sandbox_hole_covers_root(h))
			sandbox_hole_add(h);
	}
	if (sandbox_datadir != NULL && stat(sandbox_datadir, &st) == 0 &&
	    sandbox_hole_find(&st) != NULL)
		log_warn("cgi-data %s holds what programs must not reach "
		    "(certificates, configuration or log): programs may write "
		    "only in what it holds now, not beside it", sandbox_datadir);
	if (sandbox_landlock_programs(rs, abi, err, errlen) == -1) {
		close(rs);
		return -1;
	}
	sandbox_nholes = 0;
	return rs;
}

/* Every file-system right this kernel's Landlock knows: all denied but
 * what a rule gives. */
static uint64_t
sandbox_fs_handled(int abi)
{
	uint64_t fs;

	fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		fs |= SANDBOX_FS_REFER;
	if (abi >= 3)
		fs |= SANDBOX_FS_TRUNCATE;
	if (abi >= 5)
		fs |= SANDBOX_FS_IOCTL_DEV;
	return fs;
}

/*
 * yurt's own rights: the paths read only (the roots, certificates,
 * configuration), /proc for a sanitized build, and the log's directory
 * for appending and for a new file on SIGUSR1.
 */
static int
sandbox_landlock_paths(int rs, const char *const *paths, size_t n,
    const char *logdir, char *err, size_t errlen)
{
	const uint64_t	 ro = LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (sandbox_rule(rs, paths[i], ro, 0, err, errlen) == -1)
			return -1;
	if (SANDBOX_SANITIZER && sandbox_rule(rs, "/proc", ro, 0, err,
	    errlen) == -1)
		return -1;
	if (logdir != NULL && sandbox_rule(rs, logdir,
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG, 0,
	    err, errlen) == -1)
		return -1;
	return 0;
}

int
sandbox_landlock(const char *const *paths, size_t n, const char *logdir,
    char *err, size_t errlen)
{
	struct sandbox_ruleset_attr	 attr, pattr;
	int				 abi, rs;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;	/* ENOSYS or disabled at boot */
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = sandbox_fs_handled(abi);
	/* ABI 4: no TCP bind or connect at all; the sockets are open */
	if (abi >= 4)
		attr.handled_access_net = SANDBOX_NET_BIND_TCP |
		    SANDBOX_NET_CONNECT_TCP;
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t), 0);
	/* ABI 6: and a program cannot signal yurt, nor reach its sockets */
	pattr = attr;
	if (abi >= 6)
		pattr.scoped = SANDBOX_SCOPE_ABSTRACT_UNIX | SANDBOX_SCOPE_SIGNAL;
	if (rs == -1) {
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		return -1;
	}
	if (sandbox_landlock_paths(rs, paths, n, logdir, err, errlen) == -1)
		goto fail;
	if (sandbox_progs && sandbox_landlock_programs(rs, abi, err,
	    errlen) == -1)
		goto fail;
	if (sandbox_progs && (sandbox_progfd = sandbox_programs_ruleset(&pattr,
	    abi >= 6 ? sizeof(pattr) : abi >= 4 ? 2 * sizeof(uint64_t) :
	    sizeof(uint64_t), abi, paths, n, logdir, err, errlen)) == -1)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rs, 0) == -1) {
		snprintf(err, errlen, "landlock: %s", strerror(errno));
		goto fail;
	}
	close(rs);
	return abi;
fail:
	close(rs);
	return -1;
}

/* The first directory on the way to path that the process cannot enter. */
static const char *
sandbox_blocker(const char *path, char *buf, size_t len)
{
	char	*p;

	if (snprintf(buf, len, "%s", path) >= (int)len)
		return NULL;
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == -1)
			return buf;
		*p = '/';
	}
	return NULL;
}

int
sandbox_readable(const char *path, int dir, const char *user,
    int sandboxed, char *err, size_t errlen)
{
	char		 up[PATH_MAX];
	const char	*in;
	struct stat	 st;
	int		 fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    (dir ? O_DIRECTORY : 0));
	if (fd != -1) {
		close(fd);
		return 0;
	}
	e = errno;
	if (e != EACCES)
		snprintf(err, errlen, "%s: %s (running as user %s)", path,
		    strerror(e), user);
	else if (sandboxed)
		snprintf(err, errlen, "%s: Landlock denies user %s reading "
		    "it: a bug, please report it", path, user);
	else if ((in = sandbox_blocker(path, up, sizeof(up))) != NULL)
		snprintf(err, errlen, "%s: Permission denied: user %s cannot "
		    "enter %s (mode %03o); let it (chmod o+x %s) or move %s "
		    "to a directory it can read (e.g. under /srv)", path, user,
		    in, stat(in, &st) == 0 ? (unsigned)(st.st_mode & 07777) :
		    0, in, path);
	else if (dir)
		snprintf(err, errlen, "%s: Permission denied: user %s cannot "
		    "read this directory; let it (chmod o+rx %s, or chown %s "
		    "%s)", path, user, path, user, path);
	else
		snprintf(err, errlen, "%s: Permission denied: user %s cannot "
		    "read it, and a reload reads it again; let it (chown %s "
		    "%s)", path, user, user, path);
	return -1;
}
