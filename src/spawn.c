/*
 * Starting a CGI script: pipes, a clone(2) that shares nothing it should
 * not, and a pidfd to watch it by.  The event-loop side (reading its
 * output, its deadline, its end) is program.c.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

/* What the child needs, read and written by it in our memory (CLONE_VM). */
struct spawn_child {
	const char	*path;
	char		**argv, **envp;
	int		 in, out, err, dir, landlock;
	unsigned int	 maxfd;		/* without close_range(2) */
	int		 error;		/* the child's, if it failed */
};

#define SPAWN_STACK	(64 * 1024)
#define SPAWN_SIGSET	((NSIG - 1) / 8)	/* the kernel's sigset_t */

/* The kernel's sigaction and sigset all zero: SIG_DFL, no flags, empty. */
static const unsigned long	spawn_zero[16];

/*
 * The child, between clone() and execve(): it shares our memory and
 * runs on its own stack while every signal is blocked, so it makes raw
 * system calls only (no lock, no allocation, no sanitizer hook) and
 * leaves its error where the parent will read it.
 */
__attribute__((no_sanitize("address", "undefined")))
static int
spawn_child(void *arg)
{
	struct spawn_child	*a = arg;
	unsigned int		 fd;
	int			 s;

	/* a script starts as after exec from a shell: every default */
	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, s, spawn_zero, NULL,
			    SPAWN_SIGSET);
	if (syscall(SYS_setpgid, 0, 0) == -1 ||
	    syscall(SYS_fchdir, a->dir) == -1)
		goto fail;
	/* no key, configuration or log: a domain stricter than ours */
	if (a->landlock != -1 &&
	    syscall(SYS_landlock_restrict_self, a->landlock, 0) == -1)
		goto fail;
	/* the pipes are above 2 (spawn_above): dup3 never sees old==new */
	if (syscall(SYS_dup3, a->in, 0, 0) == -1 ||
	    syscall(SYS_dup3, a->out, 1, 0) == -1 ||
	    syscall(SYS_dup3, a->err, 2, 0) == -1)
		goto fail;
	/* nothing else of ours: no socket, no key, no root descriptor */
	if (syscall(SYS_close_range, 3, ~0U, 0) == -1)
		for (fd = 3; fd < a->maxfd; fd++)
			(void)syscall(SYS_close, fd);
	(void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, spawn_zero, NULL,
	    SPAWN_SIGSET);
	(void)syscall(SYS_execve, a->path, a->argv, a->envp);
fail:
	a->error = errno;	/* our errno: the parent's thread waits */
	return 127;
}

/* fd moved above the standard descriptors, which the child overwrites. */
static int
spawn_above(int fd)
{
	int nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/*
 * clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn does, since
 * posix_spawn cannot restrict the child to a Landlock domain: no copy
 * of our memory (fork), and we wait only until execve.
 */
static pid_t
spawn_clone(struct spawn_child *a)
{
	struct rlimit	 rl;
	sigset_t	 all, old;
	void		*stack;
	pid_t		 pid;
	int		 e;

	a->maxfd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur <
	    65536 ? (unsigned int)rl.rlim_cur : 65536;
	a->error = 0;
	if ((stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) == MAP_FAILED)
		return -1;
	/* none of our handlers may run in the child, on our memory */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(spawn_child, (char *)stack + SPAWN_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	munmap(stack, SPAWN_STACK);
	if (pid == -1) {
		errno = e;
		return -1;
	}
	if (a->error != 0) {	/* it never ran the program */
		(void)waitpid(pid, NULL, 0);
		errno = a->error;
		return -1;
	}
	return pid;
}

/* A CGI script, in its own directory, process group and Landlock domain. */
int
spawn_cgi(int dirfd, const char *name, char **envp, int landlock,
    struct spawn *sp)
{
	struct spawn_child	 a;
	char			 path[PATH_MAX], *argv[2];
	int			 in[2], out[2], er[2], e;
	pid_t			 pid;

	memset(sp, 0, sizeof(*sp));
	sp->out = sp->err = sp->pidfd = -1;
	if (snprintf(path, sizeof(path), "./%s", name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(out, O_CLOEXEC) == -1) {
		close(in[0]), close(in[1]);
		return -1;
	}
	if (pipe2(er, O_CLOEXEC) == -1) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return -1;
	}
	close(in[1]);	/* no body: standard input is at its end at once */
	in[0] = spawn_above(in[0]);
	out[1] = spawn_above(out[1]);
	er[1] = spawn_above(er[1]);
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	(void)fcntl(er[0], F_SETFL, O_NONBLOCK);
	argv[0] = (char *)(uintptr_t)name;
	argv[1] = NULL;
	memset(&a, 0, sizeof(a));
	a.path = path;
	a.argv = argv;
	a.envp = envp;
	a.in = in[0], a.out = out[1], a.err = er[1];
	a.dir = dirfd;
	a.landlock = landlock;
	pid = in[0] == -1 || out[1] == -1 || er[1] == -1 ? -1 :
	    spawn_clone(&a);
	e = errno;
	if (in[0] != -1)
		close(in[0]);
	if (out[1] != -1)
		close(out[1]);
	if (er[1] != -1)
		close(er[1]);
	if (pid == -1) {
		close(out[0]), close(er[0]);
		sp->pid = 0;
		errno = e;
		return -1;
	}
	sp->pid = pid;
	sp->out = out[0];
	sp->err = er[0];
	if ((sp->pidfd = (int)syscall(SYS_pidfd_open, sp->pid, 0)) == -1) {
		/* cannot be watched: cannot be run */
		e = errno;
		(void)kill(-sp->pid, SIGKILL);
		(void)waitpid(sp->pid, NULL, 0);
		sp->reaped = 1;
		errno = e;
		return -1;
	}
	return 0;
}

