/*
 * Giving up what the server no longer needs once it listens: the root
 * user, then (Landlock) every file but the capsule, the certificates and
 * the configuration, read-only.
 */
#ifndef YURT_SANDBOX_H
#define YURT_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

int	sandbox_user(const char *name, uid_t *, gid_t *, char *err,
	    size_t errlen);
/* Switches to uid/gid for good and checks there is no way back. */
int	sandbox_drop(uid_t, gid_t, char *err, size_t errlen);
/*
 * Allows only reading below paths (directories or files), and writing
 * and creating files in the directory logdir (NULL for none).  Returns
 * the Landlock ABI applied, 0 when the kernel has no Landlock, -1 on
 * error.
 */
/*
 * Before sandbox_landlock(): programs will run (CGI), so the roots (n
 * of them, kept) may be executed and the system's programs read and
 * run; datadir (NULL or "" for none) may be written.  sandbox_landlock()
 * then also prepares the programs' own, stricter, Landlock domain: no
 * certificate, configuration, fingerprint file or log.
 */
void	sandbox_programs(const char *datadir, const char *const *roots,
	    size_t n);
/* That domain's ruleset (O_CLOEXEC), for landlock_restrict_self; or -1. */
int	sandbox_programs_fd(void);
int	sandbox_landlock(const char *const *paths, size_t n,
	    const char *logdir, char *err, size_t errlen);
/*
 * Whether the process, as it now runs, can read path (a directory when
 * dir is set), as a reload will.  If not, err names the path, the user
 * (user is its name) and what to do: the directory in the way and the
 * command that opens it, or, once sandboxed, that Landlock denied it.
 */
int	sandbox_readable(const char *path, int dir, const char *user,
	    int sandboxed, char *err, size_t errlen);

#endif
