#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "url.h"

#define FS_LISTING_MAX	4096	/* entries shown in one listing */

int
fs_hidden(const char *path)
{
	const char *p = path;

	for (;;) {
		if (*p == '.')
			return 1;
		if ((p = strchr(p, '/')) == NULL)
			return 0;
		p++;
	}
}

/*
 * Opens path beneath dirfd.  openat2's RESOLVE_BENEATH lets the kernel
 * refuse any resolution that leaves the root, by "..", an absolute
 * symlink or a symlink that climbs; symlinks within the root still work.
 * Where openat2 is missing (old kernel, seccomp), every symlink is
 * refused instead: safe, if stricter.
 */
static int
fs_openat(int dirfd, const char *path, int flags)
{
	struct open_how	 how;
	char		 seg[256];
	const char	*p, *slash;
	size_t		 n;
	int		 fd, next;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOCTTY);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
	    sizeof(how));
	if (fd != -1 || (errno != ENOSYS && errno != EPERM))
		return fd;

	/* walk one segment at a time, never following a symlink */
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	for (p = path; *p != '\0'; p = slash ? slash + 1 : p + n) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n >= sizeof(seg)) {
			close(fd);
			errno = ENOENT;
			return -1;
		}
		memcpy(seg, p, n);
		seg[n] = '\0';
		next = openat(fd, seg, (slash ? O_RDONLY | O_DIRECTORY : flags) |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		close(fd);
		if ((fd = next) == -1)
			return -1;
		if (!slash)
			break;
	}
	return fd;
}

int
fs_opendir(int rootfd, const char *path)
{
	if (fs_hidden(path))
		return -1;
	return fs_openat(rootfd, path, O_RDONLY | O_DIRECTORY);
}

static int
fs_name_unsafe(const char *name)
{
	for (; *name; name++)
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			return 1;
	return 0;
}

static int
fs_cmp(const void *a, const void *b)
{
	/* past the leading type byte (see fs_listing) */
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int	fs_target_hidden(int, int);

/*
 * Whether a listed name is a directory (1) or not (0), without following
 * a symlink out of the directory: a link to /etc lists as a plain name,
 * so a listing says nothing about what exists outside the capsule.  -1:
 * a link to a dot-file or into a dot-directory, which fs_open never
 * serves, so it is not listed either.
 */
static int
fs_isdir(int rootfd, int dirfd, const char *path, const char *name,
    struct stat *st)
{
	char	 full[4096];
	int	 fd, dir;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	if (!S_ISLNK(st->st_mode))
		return S_ISDIR(st->st_mode);
	/* resolved beneath the root, as a request for it would be */
	if (snprintf(full, sizeof(full), "%s%s%s", path, *path ? "/" : "",
	    name) >= (int)sizeof(full) ||
	    (fd = fs_openat(rootfd, full, O_RDONLY | O_NONBLOCK)) == -1)
		return 0;
	if (fs_target_hidden(rootfd, fd))
		dir = -1;
	else
		dir = fstat(fd, st) == 0 && S_ISDIR(st->st_mode);
	close(fd);
	return dir;
}

/*
 * Opens path beneath dirfd through no symlink at all (ELOOP if there is
 * one; ENOSYS or EPERM without openat2).  The names asked for are then
 * the file's own, checked already: most files are opened so, without
 * the two readlink(2) calls of fs_target_hidden (4 % of a full
 * handshake's server CPU).
 */
static int
fs_openat_plain(int dirfd, const char *path, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOCTTY);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
	return (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
	    sizeof(how));
}

/*
 * Whether fd, opened beneath rootfd, is a dot-file or inside a dot
 * directory once symlinks are resolved: a link to ../.secret must not
 * serve what its name hides.  Where /proc is missing, the names asked
 * for were checked already (fs_hidden) and this check is skipped.
 */
static int
fs_target_hidden(int rootfd, int fd)
{
	char	 p[64], root[4096], path[4096];
	ssize_t	 rn, pn;

	(void)snprintf(p, sizeof(p), "/proc/self/fd/%d", rootfd);
	if ((rn = readlink(p, root, sizeof(root) - 1)) <= 0)
		return 0;
	(void)snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	if ((pn = readlink(p, path, sizeof(path) - 1)) <= 0)
		return 0;
	root[rn] = path[pn] = '\0';
	if (rn == 1)	/* the root is "/" */
		rn = 0;
	if (strncmp(path, root, (size_t)rn) != 0 || (path[rn] != '/' &&
	    path[rn] != '\0'))
		return 1;	/* not beneath the root: never */
	return path[rn] == '/' && fs_hidden(path + rn + 1);
}

/* A gemtext index of a directory: sorted, no dot-files. */
static int
fs_listing(int rootfd, int dirfd, const char *path, struct buf *out)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, **tmp, enc[1024], label[1024];
	size_t		 n = 0, cap = 0, i, len;
	int		 fd, isdir, rc = -1;

	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < FS_LISTING_MAX) {
		/*
		 * Dot-files are hidden; a name with a control character
		 * could not be requested (59) and must not break a line of
		 * the listing either.
		 */
		if (de->d_name[0] == '.' || fs_name_unsafe(de->d_name))
			continue;
		/*
		 * Whether it is a directory: readdir's d_type, a stat only
		 * where the file system does not say or for a symlink
		 * (20,000 entries cost no 20,000 stats).
		 */
		if (de->d_type == DT_DIR)
			isdir = 1;
		else if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
			isdir = 0;
		else if ((isdir = fs_isdir(rootfd, dirfd, path, de->d_name,
		    &st)) == -1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((tmp = reallocarray(names, cap, sizeof(*names))) ==
			    NULL)
				goto done;
			names = tmp;
		}
		len = strlen(de->d_name);
		if ((names[n] = malloc(len + 2)) == NULL)
			goto done;
		/* each name kept after a byte saying whether it is one */
		names[n][0] = isdir ? 'd' : 'f';
		memcpy(names[n] + 1, de->d_name, len + 1);
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), fs_cmp);
	buf_printf(out, "# Index of /%s%s\n\n", path, *path ? "/" : "");
	if (*path)
		buf_puts(out, "=> ../ Parent directory\n");
	for (i = 0; i < n; i++) {
		isdir = names[i][0] == 'd';
		if (url_path_encode(names[i] + 1, enc, sizeof(enc)) == -1)
			continue;
		/*
		 * The label as log lines have it: a name that is not UTF-8
		 * or holds a C1 control is escaped, so the listing is valid
		 * text/gemini and sends no terminal escape.
		 */
		log_escape(names[i] + 1, label, sizeof(label));
		/* "./" keeps a name with a colon from reading as a scheme */
		buf_printf(out, "=> ./%s%s %s%s\n", enc, isdir ? "/" : "",
		    label, isdir ? "/" : "");
	}
	rc = buf_failed(out) ? -1 : 0;
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static void
fs_setname(struct fs_result *r, const char *name)
{
	(void)snprintf(r->namebuf, sizeof(r->namebuf), "%s", name);
	r->name = r->namebuf;
}

void
fs_open(int rootfd, const char *path, int dir, int listing,
    struct buf *out, struct fs_result *r)
{
	struct stat	 st;
	const char	*base;
	int		 fd, idx;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->kind = FS_NOTFOUND;
	if (fs_hidden(path))
		return;
	if ((fd = fs_openat_plain(rootfd, path, O_RDONLY | O_NONBLOCK)) ==
	    -1) {
		if (errno != ELOOP && errno != ENOSYS && errno != EPERM)
			goto fail;
		/* through a symlink: where it leads is checked */
		if ((fd = fs_openat(rootfd, path, O_RDONLY | O_NONBLOCK)) ==
		    -1)
			goto fail;
		if (fs_target_hidden(rootfd, fd)) {
			close(fd);
			return;
		}
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		goto fail;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (S_ISREG(st.st_mode)) {
		if (dir) {	/* "file.gmi/" names no file */
			close(fd);
			return;
		}
		r->kind = FS_FILE;
		r->fd = fd;
		r->size = st.st_size;
		r->st = st;
		fs_setname(r, base);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {	/* FIFOs, devices: never */
		close(fd);
		return;
	}
	if (!dir && *path != '\0') {
		close(fd);
		r->kind = FS_REDIRECT;
		return;
	}
	r->st = st;	/* the directory's, for a listing */
	idx = openat(fd, "index.gmi", O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY);
	if (idx != -1 && fstat(idx, &st) == 0 && S_ISREG(st.st_mode)) {
		close(fd);
		r->kind = FS_FILE;
		r->fd = idx;
		r->size = st.st_size;
		r->st = st;
		fs_setname(r, "index.gmi");
		return;
	}
	if (idx != -1)
		close(idx);
	if (listing && out == NULL)
		r->kind = FS_LISTING;	/* asked only whether there is one */
	else if (listing) {
		r->kind = fs_listing(rootfd, fd, path, out) == 0 ? FS_LISTING :
		    FS_ERROR;
		fs_setname(r, "index.gmi");
	}
	close(fd);
	return;
fail:
	/* running out of descriptors or memory is our failure, not theirs */
	if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
		r->kind = FS_ERROR;
}
