/*
 * File serving, shared by both protocols: the only place where a request
 * path becomes an open file.  Paths are opened relative to the capsule's
 * root descriptor and may never resolve outside it.
 */
#ifndef YURT_FS_H
#define YURT_FS_H

#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"

enum fs_kind {
	FS_FILE,	/* fd is an open regular file of size bytes */
	FS_LISTING,	/* listing holds a generated gemtext index */
	FS_REDIRECT,	/* a directory named without its trailing slash */
	FS_NOTFOUND,
	FS_ERROR	/* the server failed (out of descriptors...) */
};

struct fs_result {
	enum fs_kind	 kind;
	int		 fd;
	off_t		 size;
	struct stat	 st;		/* the file's, or the listed directory's */
	const char	*name;		/* the file's last path segment */
	char		 namebuf[256];
};

/*
 * Looks up path (already decoded and resolved, no leading slash, "" for
 * the root); dir says the request ended with '/'.  Dot-files are never
 * found.  A listing is written into listing when listings are on; with
 * a NULL listing, FS_LISTING only says there would be one (for a link's
 * item type), and nothing is read.
 */
void	fs_open(int rootfd, const char *path, int dir, int listing,
	    struct buf *out, struct fs_result *);

/* A directory beneath the root (a CGI script's), or -1. */
int	fs_opendir(int rootfd, const char *path);

/* Whether any segment of path is hidden (starts with a dot). */
int	fs_hidden(const char *path);

#endif
