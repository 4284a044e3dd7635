#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cgi.h"
#include "conn.h"
#include "ev.h"
#include "log.h"
#include "program.h"
#include "rules.h"
#include "site.h"
#include "spawn.h"
#include "fs.h"
#include "url.h"

_Static_assert(PROGRAM_WAIT == CONN_WAIT, "the connection's wait code");

/* How the connection reads a program's output. */
static const struct conn_source program_source = {
	program_fill, program_watch, program_detach, program_hurry
};

/* What a program may say on stderr, per run, before the rest is dropped. */
#define PROGRAM_ERR_LINES	16
#define PROGRAM_ERR_LINE	256

struct program {
	struct program	*prev, *next;	/* every program, for the stop */
	struct conn	*c;		/* NULL once the connection is gone */
	struct ev_loop	*loop;
	struct ev_io	 out;		/* stdout, or the SCGI socket */
	struct ev_io	 err;		/* stderr; fd -1 for SCGI */
	struct ev_io	 pid;		/* the pidfd; fd -1 for SCGI */
	struct ev_timer	 limit;
	pid_t		 pidv;
	int		 timeout;
	int		 gemini;
	int		 started;	/* some of the reply was handed on */
	int		 done;		/* the output is over */
	int		 reaped, counted, killed, hurried;
	struct buf	 req;		/* SCGI: the request, then written */
	size_t		 reqoff;
	char		 hdr[CGI_HEADER_MAX + 64];	/* header, or an error */
	size_t		 hdrlen, hdroff, pending;
	char		 fail[256];	/* Gopher's failure reply */
	char		 label[256];	/* escaped, for the log */
	char		 errline[PROGRAM_ERR_LINE];
	size_t		 errlen;
	int		 errlines;
	unsigned long	 errdropped;
};

static pthread_mutex_t	 program_lock = PTHREAD_MUTEX_INITIALIZER;
static struct program	*program_all;
static atomic_int	 program_running;

static void	program_out_event(struct ev_loop *, void *, uint32_t);
static void	program_err_event(struct ev_loop *, void *, uint32_t);
static void	program_pid_event(struct ev_loop *, void *, uint32_t);
static void	program_timeout(struct ev_loop *, void *);

static void
program_close_io(struct program *p, struct ev_io *io)
{
	if (io->fd == -1)
		return;
	if (io->events != 0)
		ev_del(p->loop, io);
	io->events = 0;
	close(io->fd);
	io->fd = -1;
}

static void
program_release(struct program *p)
{
	if (p->counted) {
		atomic_fetch_sub(&program_running, 1);
		p->counted = 0;
	}
}

/* Freed once nothing of it is left: connection, pipes, process. */
static void
program_gc(struct program *p)
{
	if (p->c != NULL || p->out.fd != -1 || p->err.fd != -1 ||
	    p->pid.fd != -1)
		return;
	program_release(p);
	ev_timer_cancel(&p->limit);
	pthread_mutex_lock(&program_lock);
	if (p->prev)
		p->prev->next = p->next;
	else
		program_all = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&program_lock);
	buf_free(&p->req);
	free(p);
}

/*
 * The whole process group: what a script started in the background
 * goes with it.  Only before the leader is reaped, while its pid (and
 * so the group's id) cannot be anyone else's.
 */
static void
program_kill(struct program *p)
{
	if (p->pidv > 0 && !p->reaped) {
		(void)kill(-p->pidv, SIGKILL);
		p->killed = 1;
	}
}

/* The reply's end: nothing more is read, and the program goes. */
static void
program_end(struct program *p)
{
	p->done = 1;
	program_close_io(p, &p->out);
	program_kill(p);
}

/* An error reply instead of the program's, which had not started. */
static void
program_failed(struct program *p, const char *why, const char *gemini)
{
	log_warn("cgi %s: %s", p->label, why);
	if (p->gemini)
		(void)snprintf(p->hdr, sizeof(p->hdr), "42 %s\r\n", gemini);
	else
		(void)snprintf(p->hdr, sizeof(p->hdr), "%s", p->fail);
	p->hdroff = 0;
	p->pending = strlen(p->hdr);
	if (p->c != NULL)
		p->c->status = 42;
	p->started = 1;
	program_end(p);
}

static void
program_stderr_line(struct program *p)
{
	char esc[PROGRAM_ERR_LINE * 4 + 1];

	p->errline[p->errlen] = '\0';
	if (p->errlines < PROGRAM_ERR_LINES) {
		log_escape(p->errline, esc, sizeof(esc));
		log_warn("cgi %s: stderr: %s", p->label, esc);
		p->errlines++;
	} else
		p->errdropped += p->errlen;
	p->errlen = 0;
}

/* Read to the end, whoever is listening: a full pipe would stop it. */
static void
program_err_event(struct ev_loop *l, void *arg, uint32_t events)
{
	struct program	*p = arg;
	char		 b[4096];
	ssize_t		 n, i;

	while ((n = read(p->err.fd, b, sizeof(b))) > 0) {
		for (i = 0; i < n; i++) {
			if (b[i] == '\n' || p->errlen == sizeof(p->errline) - 1)
				program_stderr_line(p);
			if (b[i] != '\n')
				p->errline[p->errlen++] = b[i];
		}
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (p->errlen > 0)
		program_stderr_line(p);
	if (p->errdropped > 0)
		log_warn("cgi %s: %lu more bytes of stderr dropped", p->label,
		    p->errdropped);
	program_close_io(p, &p->err);
	program_gc(p);
}

static void
program_pid_event(struct ev_loop *l, void *arg, uint32_t events)
{
	struct program	*p = arg;
	int		 st;

	/* descendants still in the group go with their leader */
	(void)kill(-p->pidv, SIGKILL);
	if (waitpid(p->pidv, &st, WNOHANG) != p->pidv)
		return;
	p->reaped = 1;
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		log_warn("cgi %s: exited with status %d", p->label,
		    WEXITSTATUS(st));
	else if (WIFSIGNALED(st) && !p->killed)
		log_warn("cgi %s: killed by signal %d", p->label,
		    WTERMSIG(st));
	program_close_io(p, &p->pid);
	program_release(p);
	program_gc(p);
}

static void
program_timeout(struct ev_loop *l, void *arg)
{
	struct program	*p = arg;
	struct conn	*c = p->c;

	if (c == NULL || p->done) {
		program_kill(p);
		return;
	}
	if (p->started) {
		/* cut: no close_notify, the reader sees it is not whole */
		if (p->hurried)
			log_warn("cgi %s: reply cut: yurt is stopping",
			    p->label);
		else
			log_warn("cgi %s: reply cut after %d s", p->label,
			    p->timeout);
		conn_free(c);
		return;
	}
	program_failed(p, p->hurried ? "killed: yurt is stopping" :
	    "no header in time: killed", "Program timed out");
	/* the connection was waiting for the program: it has its reply */
	conn_resume(c);
}

/* A connection to an SCGI application, its request written. */
static int
program_scgi(struct program *p, const struct program_spec *s,
    const char *env, size_t envlen)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->socket) >=
	    (int)sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (cgi_scgi(env, envlen, &p->req) == -1) {
		errno = ENOMEM;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	/* a Unix socket connects at once, or is refused (EAGAIN: full) */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	p->out.fd = fd;
	return 0;
}

/*
 * The Landlock ruleset a script is restricted to (see sandbox.c), -1
 * without Landlock: the script then has yurt's own rights.
 */
static int	program_landlock_fd = -1;

void
program_landlock(int fd)
{
	program_landlock_fd = fd;
}

/* A CGI script, in its own directory, process group and Landlock domain. */
static int
program_spawn(struct program *p, const struct program_spec *s, char **envp)
{
	struct spawn	 sp;
	int		 rc;

	rc = spawn_cgi(s->dirfd, s->name, envp, program_landlock_fd, &sp);
	p->pidv = sp.pid;
	if (sp.pid != 0) {
		p->out.fd = sp.out;
		p->err.fd = sp.err;
		p->pid.fd = sp.pidfd;
		p->reaped = sp.reaped;
	}
	return rc;
}

static struct program *
program_new(struct conn *c, const struct program_spec *s)
{
	struct program *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->c = c;
	p->loop = c->pool->loop;
	p->out.fd = p->err.fd = p->pid.fd = -1;
	p->out.cb = program_out_event;
	p->err.cb = program_err_event;
	p->pid.cb = program_pid_event;
	p->out.arg = p->err.arg = p->pid.arg = p;
	p->limit.cb = program_timeout;
	p->limit.arg = p;
	p->timeout = s->timeout;
	p->gemini = s->fail == NULL;
	(void)snprintf(p->fail, sizeof(p->fail), "%s", s->fail ? s->fail : "");
	log_escape(s->label, p->label, sizeof(p->label));
	buf_init(&p->req, 64 * 1024);
	return p;
}

enum program_start
program_start(struct conn *c, const struct program_spec *s)
{
	struct program	*p;
	struct buf	 env;
	char		*envp[CGI_ENV_MAX + 1];
	size_t		 n, i, off;
	int		 rc;

	if (atomic_fetch_add(&program_running, 1) >= s->max) {
		atomic_fetch_sub(&program_running, 1);
		if (s->dirfd != -1)
			close(s->dirfd);
		return PROGRAM_BUSY;
	}
	buf_init(&env, 64 * 1024);
	if ((p = program_new(c, s)) == NULL || cgi_env(s->req, &env, &n) ==
	    -1) {
		log_warn("cgi %s: the request cannot be told to it",
		    s->label);
		rc = -1;
		errno = 0;
	} else {
		p->counted = 1;
		for (i = 0, off = 0; i < n; i++) {
			envp[i] = env.data + off;
			off += strlen(envp[i]) + 1;
		}
		envp[n] = NULL;
		rc = s->scgi ? program_scgi(p, s, env.data, env.len) :
		    program_spawn(p, s, envp);
		if (rc == -1)
			log_warn("cgi %s: cannot run it: %s", p->label,
			    strerror(errno));
	}
	buf_free(&env);
	if (s->dirfd != -1)
		close(s->dirfd);
	if (rc == -1) {
		if (p == NULL || !p->counted)
			atomic_fetch_sub(&program_running, 1);
		if (p != NULL) {
			program_release(p);
			program_close_io(p, &p->out);
			program_close_io(p, &p->err);
			buf_free(&p->req);
			free(p);
		}
		return PROGRAM_FAIL;
	}
	pthread_mutex_lock(&program_lock);
	p->next = program_all;
	if (program_all)
		program_all->prev = p;
	program_all = p;
	pthread_mutex_unlock(&program_lock);
	if ((p->err.fd != -1 && ev_set(p->loop, &p->err, EPOLLIN) == -1) ||
	    (p->pid.fd != -1 && ev_set(p->loop, &p->pid, EPOLLIN) == -1))
		log_warn("cgi %s: cannot watch it: %s", p->label,
		    strerror(errno));
	ev_timer_arm(p->loop, &p->limit, ev_tlist(p->loop,
	    (uint64_t)s->timeout * 1000));
	c->prog = p;
	c->src = &program_source;
	/* an empty reply for now: the program's output is what follows */
	conn_respond(c, 42, "", 0, NULL, -1, 0);
	return PROGRAM_OK;
}

static void
program_out_event(struct ev_loop *l, void *arg, uint32_t events)
{
	struct program *p = arg;

	if (p->out.events != 0)
		ev_del(p->loop, &p->out);
	p->out.events = 0;
	if (p->c != NULL)
		conn_resume(p->c);
}

int
program_watch(struct conn *c)
{
	struct program *p = c->prog;

	return ev_set(p->loop, &p->out, p->reqoff < p->req.len ? EPOLLOUT :
	    EPOLLIN);
}

/* Gemini: the header is held back until it is whole and valid. */
static ssize_t
program_header(struct program *p)
{
	const char	*err;
	size_t		 len;
	ssize_t		 n;
	int		 st;

	for (;;) {
		n = read(p->out.fd, p->hdr + p->hdrlen, CGI_HEADER_MAX -
		    p->hdrlen);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return PROGRAM_WAIT;
		if (n == -1) {
			program_failed(p, strerror(errno), "Program failed");
			return 0;
		}
		p->hdrlen += (size_t)n;
		switch (cgi_header(p->hdr, p->hdrlen, &st, &len, &err)) {
		case CGI_HEADER_OK:
			p->c->status = st;
			p->started = 1;
			p->hdroff = 0;
			p->pending = p->hdrlen;
			return 0;
		case CGI_HEADER_BAD:
			program_failed(p, err, "Program failed");
			return 0;
		case CGI_HEADER_MORE:
			if (n == 0) {
				program_failed(p, p->hdrlen == 0 ?
				    "no output" : "output ended inside the "
				    "header", "Program failed");
				return 0;
			}
			break;
		}
	}
}

ssize_t
program_fill(struct conn *c, char *buf, size_t room)
{
	struct program	*p = c->prog;
	ssize_t		 n;

	for (;;) {
		if (p->pending > 0) {
			n = (ssize_t)(p->pending < room ? p->pending : room);
			memcpy(buf, p->hdr + p->hdroff, (size_t)n);
			p->hdroff += (size_t)n;
			p->pending -= (size_t)n;
			return n;
		}
		if (p->done)
			return 0;
		if (p->reqoff < p->req.len) {
			n = write(p->out.fd, p->req.data + p->reqoff,
			    p->req.len - p->reqoff);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				return PROGRAM_WAIT;
			if (n == -1) {
				program_failed(p, strerror(errno),
				    "Program failed");
				continue;
			}
			p->reqoff += (size_t)n;
			continue;
		}
		if (p->gemini && !p->started) {
			if ((n = program_header(p)) == PROGRAM_WAIT)
				return n;
			continue;
		}
		n = read(p->out.fd, buf, room);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return PROGRAM_WAIT;
		if (n > 0 && !p->started) {
			p->started = 1;
			c->status = 20;
		}
		if (n > 0)
			return n;
		if (!p->started) {
			program_failed(p, n == 0 ? "no output" :
			    strerror(errno), "Program failed");
			continue;
		}
		program_end(p);
		return 0;
	}
}

void
program_hurry(struct conn *c)
{
	struct program *p = c->prog;

	p->hurried = 1;
	ev_timer_arm(p->loop, &p->limit, ev_tlist(p->loop, 0));
}

void
program_detach(struct conn *c)
{
	struct program *p = c->prog;

	c->prog = NULL;
	p->c = NULL;
	program_close_io(p, &p->out);
	program_kill(p);
	program_gc(p);
}

void
program_stop_all(int release)
{
	struct program *p, *next;

	pthread_mutex_lock(&program_lock);
	for (p = program_all; p != NULL; p = next) {
		next = p->next;
		if (p->pidv > 0 && !p->reaped) {
			(void)kill(-p->pidv, SIGKILL);
			(void)waitpid(p->pidv, NULL, 0);
			p->reaped = 1;
		}
		if (!release)
			continue;
		if (p->out.fd != -1)
			close(p->out.fd);
		if (p->err.fd != -1)
			close(p->err.fd);
		if (p->pid.fd != -1)
			close(p->pid.fd);
		buf_free(&p->req);
		free(p);
	}
	if (release)
		program_all = NULL;
	pthread_mutex_unlock(&program_lock);
}

void
program_spec_of(struct program_spec *s, const struct program_target *t,
    const char *label, const struct cgi_req *req, const struct config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->scgi = t->scgi;
	s->dirfd = t->dirfd;
	s->name = t->name;
	s->socket = t->socket;
	s->label = label;
	s->req = req;
	s->timeout = cfg->cgi_timeout;
	s->max = cfg->cgi_max;
}

int
program_enabled(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->rules.n; i++)
		if (cfg->rules.r[i].kind == RULE_CGI ||
		    cfg->rules.r[i].kind == RULE_SCGI)
			return 1;
	return 0;
}

/* A CGI script: the shortest prefix of path that a rule names. */
static int
program_find_cgi(const struct config *cfg, int rootfd, const char *host,
    const char *path, struct program_target *t)
{
	struct fs_result	 f;
	char			 sub[URL_MAX + 2], dir[URL_MAX + 1];
	const char		*slash;
	size_t			 n, len = strlen(path);

	for (n = 0; n <= len; n++) {
		if (n < len && path[n] != '/')
			continue;
		if (n == 0 || n > URL_MAX)
			continue;
		(void)snprintf(sub, sizeof(sub), "/%.*s", (int)n, path);
		if (rules_match(&cfg->rules, RULE_BIT(RULE_CGI), host, sub, n + 1,
		    NULL) == NULL)
			continue;
		fs_open(rootfd, sub + 1, 0, 0, NULL, &f);
		if (f.kind == FS_REDIRECT)	/* a directory: look further */
			continue;
		if (f.kind != FS_FILE)
			return 0;
		close(f.fd);
		if ((f.st.st_mode & 0111) == 0) {
			log_warn("cgi %s: a cgi rule names it, but it is not "
			    "executable: not served", sub);
			return -1;
		}
		slash = memrchr(sub + 1, '/', n);
		(void)snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash -
		    sub - 1) : 0, sub + 1);
		if (snprintf(t->name, sizeof(t->name), "%s", slash ? slash + 1 :
		    sub + 1) >= (int)sizeof(t->name) ||
		    (t->dirfd = fs_opendir(rootfd, dir)) == -1)
			return 0;
		t->scriptlen = n;
		return 1;
	}
	return 0;
}

int
program_find(const struct site *site, int rootfd, const char *host,
    const char *path, int dir, struct program_target *t)
{
	const struct config	*cfg = &site->cfg;
	const struct rule	*r;
	char			 sub[URL_MAX + 3];
	size_t			 rest = 0, len;

	memset(t, 0, sizeof(*t));
	t->dirfd = -1;
	if (rules_subject(path, dir, sub, sizeof(sub)) == -1)
		return 0;
	/*
	 * An application mounted at the fixed part of a pattern that ends
	 * with a star ("/app/ and two stars"):
	 * gives /app/x SCRIPT_NAME /app and PATH_INFO /x.
	 */
	if ((r = rules_match(&cfg->rules, RULE_BIT(RULE_SCGI), host, sub,
	    strlen(sub), &rest)) != NULL) {
		t->scgi = 1;
		t->socket = rules_str(&cfg->rules, r->arg);
		len = strlen(path);
		t->scriptlen = rest > 1 && rest - 1 <= len ? rest - 1 : len;
		while (t->scriptlen > 0 && path[t->scriptlen - 1] == '/')
			t->scriptlen--;
		return 1;
	}
	return program_find_cgi(cfg, rootfd, host, path, t);
}
