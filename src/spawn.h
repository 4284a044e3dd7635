/*
 * A CGI script started in its own directory, process group and Landlock
 * domain, with every signal at its default and no descriptor of ours.
 */
#ifndef YURT_SPAWN_H
#define YURT_SPAWN_H

#include <sys/types.h>

struct spawn {
	pid_t	 pid;		/* 0 when none was started */
	int	 out, err;	/* its stdout and stderr, non-blocking */
	int	 pidfd;
	int	 reaped;	/* started, but killed and waited for */
};

/*
 * Runs "./name" in dirfd with envp, no argument and stdin at its end,
 * restricted to the Landlock ruleset landlock (-1: none).  -1 with errno
 * when it could not be started, or watched (its pid then reaped).
 */
int	spawn_cgi(int dirfd, const char *name, char **envp, int landlock,
	    struct spawn *);

#endif
