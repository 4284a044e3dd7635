/*
 * yurt: a Gemini capsule server.  Start-up in one straight line: settings,
 * certificates and capsule roots, sockets (from systemd or bound here),
 * workers' event loops, dropping root, the Landlock sandbox, then the
 * workers run and the main thread only handles signals.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "gemini.h"
#include "gopher.h"
#include "log.h"
#include "program.h"
#include "ratelimit.h"
#include "sandbox.h"
#include "sd.h"
#include "server.h"
#include "site.h"
#include "tls.h"

/* Longest wait for responses in flight when stopping. */
#define MAIN_DRAIN_SECONDS	10

static void fatal(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* A start-up failure: one message, exit status 1, nothing started. */
static void
fatal(const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("yurt: %s", msg);
	sd_notifyf("STATUS=failed: %s", msg);
	exit(1);
}

/* What systemd passed: how many sockets of each kind, and their ports. */
static struct {
	int	 gemini, gopher;
	int	 gemini_port, gopher_port;
} main_sockets;

/* Sockets from systemd, by name; returns how many were adopted. */
static int
main_activated(struct server *srv)
{
	struct sd_fd	 fds[SD_MAX_FDS];
	char		 err[256];
	int		 i, n, rc, gemini, *count, *port;

	n = sd_listen_fds(fds, SD_MAX_FDS);
	for (i = 0; i < n; i++) {
		/* an unnamed socket is Gemini's, the service's first purpose */
		gemini = fds[i].name[0] == '\0' ||
		    strcmp(fds[i].name, "gemini") == 0;
		if (gemini)
			rc = server_adopt(srv, fds[i].fd, &gemini_proto,
			    CONN_IO_TLS, err, sizeof(err));
		else if (strcmp(fds[i].name, "gopher") == 0)
			rc = server_adopt(srv, fds[i].fd, &gopher_proto,
			    CONN_IO_DETECT, err, sizeof(err));
		else {
			log_warn("socket %d named \"%s\" from systemd: not "
			    "used", fds[i].fd, fds[i].name);
			continue;
		}
		if (rc == -1)
			fatal("%s", err);
		count = gemini ? &main_sockets.gemini : &main_sockets.gopher;
		port = gemini ? &main_sockets.gemini_port :
		    &main_sockets.gopher_port;
		/* URLs and menus carry one port: the first socket's */
		if ((*count)++ == 0)
			*port = fds[i].port;
		else if (fds[i].port != *port)
			log_warn("%s sockets from systemd on ports %d and %d: "
			    "menus and URLs use port %d", gemini ? "Gemini" :
			    "Gopher", *port, fds[i].port, *port);
	}
	if (srv->nl > 0 && main_sockets.gemini == 0)
		log_info("no Gemini socket from systemd: Gemini is off");
	if (srv->nl > 0 && main_sockets.gopher == 0)
		log_info("no Gopher socket from systemd: Gopher is off");
	return srv->nl;
}

/*
 * The ports of systemd's sockets, unless the settings name them:
 * ListenStream= is the unit's to choose, and menus and the URLs accepted
 * must follow it.  A protocol without a socket is off.
 */
static void
main_ports(struct config *cfg)
{
	if (main_sockets.gemini + main_sockets.gopher == 0)
		return;
	if (main_sockets.gemini_port != 0 && !config_given(cfg, "port"))
		cfg->port = main_sockets.gemini_port;
	if (main_sockets.gopher == 0)
		cfg->gopher_port = 0;
	else if (main_sockets.gopher_port != 0 &&
	    !config_given(cfg, "gopher-port"))
		cfg->gopher_port = main_sockets.gopher_port;
}

/*
 * Binds the configured ports.  A normal user cannot have the Gopher
 * default, port 70: the message says what to do instead.
 */
static void
main_listen(struct server *srv, const struct config *cfg)
{
	char	 err[512];
	int	 port = cfg->port;

	/* a Gopher port also answers TLS: "gophers://" clients */
	if (server_listen(srv, cfg, &gemini_proto, CONN_IO_TLS, cfg->port, err,
	    sizeof(err)) == 0 && (cfg->gopher_port == 0 ||
	    server_listen(srv, cfg, &gopher_proto, CONN_IO_DETECT,
	    (port = cfg->gopher_port), err, sizeof(err)) == 0))
		return;
	if (geteuid() != 0 && port < 1024)
		fatal("%s (ports below 1024 need root: start yurt as root, "
		    "it then runs as user %s; or choose another port%s)", err,
		    cfg->user, port == cfg->gopher_port ?
		    ", e.g. -g 7070, or -g 0 for no Gopher" : " with -p");
	fatal("%s", err);
}

/*
 * What a reload opens again, checked as the user yurt now runs as: a
 * capsule under a 0700 home would otherwise answer 51 to everything.
 * Keys are not among them: one only root can read stays in memory.
 */
static void
main_readable(const struct config *cfg, const char *const *dirs, size_t n,
    const char *user, int sandboxed)
{
	char	 err[PATH_MAX + 512];
	size_t	 i;

	for (i = 0; i < n; i++)
		if (sandbox_readable(dirs[i], 1, user, sandboxed, err,
		    sizeof(err)) == -1)
			fatal("%s", err);
	if (cfg->file[0] && sandbox_readable(cfg->file, 0, user, sandboxed,
	    err, sizeof(err)) == -1)
		fatal("%s", err);
	if (check_readable_certs(cfg, user, sandboxed, err,
	    sizeof(err)) == -1)
		fatal("%s", err);
}

/* Root gives way to the configured user, then Landlock closes the rest. */
static void
main_sandbox(const struct config *cfg, int asroot, uid_t uid, gid_t gid)
{
	const char	*paths[CONFIG_MAX_HOSTS + 3 + RULES_MAX];
	static char	 fprdir[RULES_MAX][PATH_MAX];
	char		 err[256], who[128] = "", confdir[PATH_MAX];
	char		 logdir[PATH_MAX], user[64];
	struct passwd	*pw;
	size_t		 n = 0, i, nroots;
	int		 abi;

	snprintf(user, sizeof(user), "%s", cfg->user);

	if (asroot) {
		if (sandbox_drop(uid, gid, err, sizeof(err)) == -1)
			fatal("%s", err);
		snprintf(who, sizeof(who), "running as user %s (uid %d); ",
		    cfg->user, (int)uid);
	} else if ((pw = getpwuid(geteuid())) != NULL)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "%d", (int)geteuid());
	paths[n++] = cfg->root;
	for (i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].root[0])
			paths[n++] = cfg->hosts[i].root;
	nroots = n;
	paths[n++] = cfg->certdir;
	/*
	 * The configuration's directory, not just the file: editors save by
	 * writing a new file and renaming it over the old one.
	 */
	if (cfg->file[0]) {
		snprintf(confdir, sizeof(confdir), "%s", cfg->file);
		paths[n++] = dirname(confdir);
	}
	/* client-certificates files are read again on reload */
	for (i = 0; i < cfg->rules.n; i++)
		if (cfg->rules.r[i].kind == RULE_CERTS) {
			snprintf(fprdir[i], sizeof(fprdir[i]), "%s",
			    rules_str(&cfg->rules, cfg->rules.r[i].arg));
			paths[n++] = dirname(fprdir[i]);
		}
	if (cfg->log_file[0])
		snprintf(logdir, sizeof(logdir), "%s", cfg->log_file);
	main_readable(cfg, paths, n, user, 0);
	if (program_enabled(cfg))
		sandbox_programs(cfg->cgi_data, paths, nroots);
	if ((abi = sandbox_landlock(paths, n, cfg->log_file[0] ?
	    dirname(logdir) : NULL, err, sizeof(err))) == -1)
		fatal("%s", err);
	main_readable(cfg, paths, n, user, 1);
	program_landlock(sandbox_programs_fd());
	if (abi == 0)
		log_warn("%sno Landlock in this kernel: file access is not "
		    "sandboxed%s", who, program_enabled(cfg) ? "; programs "
		    "can read all that yurt reads, keys included" : "");
	else
		log_info("%sLandlock ABI %d: read-only access to the capsule, "
		    "certificates and configuration only%s", who, abi,
		    program_enabled(cfg) ? "; programs in a stricter domain: "
		    "no key, configuration or log" : "");
}

/*
 * SIGHUP: the settings and certificates again.  What the sockets and
 * workers were made with needs a restart; a failed reload changes nothing.
 */
static void
main_reload(struct server *srv, int argc, char **argv)
{
	static struct config	 cfg;
	const struct config	*old = &srv->site->cfg;
	struct site		*site;
	char			 err[512];
	size_t			 i;

	sd_notifyf("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)sd_monotonic_usec());
	log_info("SIGHUP: reloading");
	if (config_load(&cfg, argc, argv) != CONFIG_RUN) {
		log_err("reload failed: bad configuration; keeping the old one");
		goto done;
	}
	main_ports(&cfg);
	if (cfg.port != old->port || cfg.naddrs != old->naddrs ||
	    cfg.gopher_port != old->gopher_port ||
	    cfg.workers != old->workers ||
	    cfg.request_timeout != old->request_timeout ||
	    cfg.idle_timeout != old->idle_timeout ||
	    cfg.min_rate_window != old->min_rate_window ||
	    cfg.reply_timeout != old->reply_timeout ||
	    cfg.max_conns != old->max_conns ||
	    cfg.rate_limit != old->rate_limit ||
	    cfg.rate_burst != old->rate_burst ||
	    cfg.proxy_protocol != old->proxy_protocol ||
	    cfg.nproxy_from != old->nproxy_from || memcmp(cfg.proxy_from,
	    old->proxy_from, sizeof(cfg.proxy_from)) != 0 ||
	    cfg.cgi_timeout != old->cgi_timeout ||
	    program_enabled(&cfg) != program_enabled(old) ||
	    strcmp(cfg.cgi_data, old->cgi_data) != 0) {
		log_err("reload failed: ports, addresses, workers, timeouts, "
		    "limits, the PROXY protocol, turning programs on or off "
		    "and their data directory change only on restart");
		goto done;
	}
	/* the log file too when no address is set (naddrs 0) */
	for (i = 0; i <= cfg.naddrs; i++)
		if ((i < cfg.naddrs &&
		    strcmp(cfg.addrs[i], old->addrs[i]) != 0) ||
		    strcmp(cfg.log_file, old->log_file) != 0) {
			log_err("reload failed: addresses and the log file "
			    "change only on restart");
			goto done;
		}
	if ((site = site_new(&cfg, srv->site, err, sizeof(err))) == NULL) {
		log_err("reload failed: %s; keeping the old configuration",
		    err);
		goto done;
	}
	server_reload(srv, site);
	log_info("reloaded");
done:
	sd_notify("READY=1\nSTATUS=serving");
}

/*
 * Whose PROXY headers are believed: the proxy-from networks, or loopback
 * (a balancer on the same machine) when none is named.
 */
static void
main_proxy_from(struct server *srv, const struct config *cfg)
{
	static struct proxy_net	 nets[CONFIG_MAX_NETS];
	size_t			 n = 0;

	if (cfg->nproxy_from == 0) {
		if (proxy_net_parse("127.0.0.0/8", &nets[n]) == 0)
			n++;
		if (proxy_net_parse("::1", &nets[n]) == 0)
			n++;
	} else {
		memcpy(nets, cfg->proxy_from, sizeof(nets));
		n = cfg->nproxy_from;
	}
	srv->proxy_from = nets;
	srv->nproxy_from = n;
}

/* Sizes glibc keeps, fixed: see the comment within. */
static void
main_malloc(void)
{
#ifdef __GLIBC__
	/*
	 * Fixed thresholds: glibc's own grow with every large block freed,
	 * and a worker's arena then keeps megabytes from one burst of
	 * connections for good.  Blocks from 128 KB come from mmap and go
	 * back when freed; more than 256 KB free at an arena's top is given
	 * back too.  What a request allocates is far smaller.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 256 * 1024);
#endif
}

/* -n: the configuration checked and printed, nothing served. */
static int
main_check(const struct config *cfg)
{
	char err[512];

	if (check_config(cfg, err, sizeof(err)) == -1 ||
	    site_check_rules(cfg, err, sizeof(err)) == -1)
		fatal("%s", err);
	config_print(cfg, stdout);
	site_print_certs(cfg, stdout);
	printf("# configuration OK\n");
	return 0;
}

/* Workers inherit this mask; only the main thread takes signals. */
static void
main_signals(sigset_t *set)
{
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/*
 * The main thread's life once serving: reloads, log reopening, the
 * watchdog, until a signal to stop.
 */
static void
main_wait(struct server *srv, const struct config *cfg, const sigset_t *set,
    uint64_t wd, int argc, char **argv)
{
	struct timespec	 tick;
	int		 sig;

	tick.tv_sec = wd ? (time_t)(wd / 1000000) : 3600;
	tick.tv_nsec = wd ? (long)(wd % 1000000) * 1000 : 0;
	for (;;) {
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == -1) {
			/* only while every worker's loop still turns */
			if (errno == EAGAIN && wd && server_alive(srv))
				sd_notify("WATCHDOG=1");
			continue;
		}
		if (sig == SIGHUP) {
			main_reload(srv, argc, argv);
			continue;
		}
		if (sig == SIGUSR1) {
			/* the log was rotated: a new file under the same name */
			if (cfg->log_file[0] && log_open(cfg->log_file) == -1)
				log_err("reopening %s: %s; still writing to the "
				    "old file", cfg->log_file, strerror(errno));
			else if (cfg->log_file[0])
				log_info("log reopened");
			continue;
		}
		break;
	}
}

/* What the workers share and never change: limits, proxies, programs. */
static void
main_server(struct server *srv, const struct config *cfg)
{
	memset(srv, 0, sizeof(*srv));
	srv->proxy = cfg->proxy_protocol;
	srv->spawns = program_enabled(cfg);
	main_proxy_from(srv, cfg);
	if (cfg->rate_limit > 0 && (srv->rl = ratelimit_new(
	    (unsigned int)cfg->rate_limit, (unsigned int)cfg->rate_burst)) ==
	    NULL)
		fatal("rate limiter: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
	static struct config	 cfg;
	static struct server	 srv;
	sigset_t		 set;
	char			 err[512];
	uid_t			 uid = (uid_t)-1;
	gid_t			 gid = (gid_t)-1;
	uint64_t		 wd;
	int			 nworkers, asroot, activated;

	main_malloc();
	log_init();
	sd_init();
	switch (config_load(&cfg, argc, argv)) {
	case CONFIG_EXIT_OK:
		return 0;
	case CONFIG_EXIT_FAIL:
		return 1;
	case CONFIG_RUN:
		break;
	}
	if (cfg.check)
		return main_check(&cfg);

	main_signals(&set);
	if (cfg.log_file[0]) {
		if (log_open(cfg.log_file) == -1)
			fatal("%s: %s", cfg.log_file, strerror(errno));
		log_plain();
	}

	asroot = geteuid() == 0;
	if (asroot && sandbox_user(cfg.user, &uid, &gid, err,
	    sizeof(err)) == -1)
		fatal("%s", err);
	if (tls_init() == -1)
		fatal("cannot initialise OpenSSL");
	main_server(&srv, &cfg);
	activated = main_activated(&srv);
	main_ports(&cfg);
	if ((srv.site = site_new(&cfg, NULL, err, sizeof(err))) == NULL)
		fatal("%s", err);
	if (activated == 0)
		main_listen(&srv, &cfg);
	nworkers = cfg.workers;
	if (nworkers == 0 && (nworkers = (int)sysconf(_SC_NPROCESSORS_ONLN)) <
	    1)
		nworkers = 1;
	/* the watchdog is pinged at half its interval, workers beat at a quarter */
	wd = sd_watchdog_usec() / 2;
	srv.beat_ms = wd ? (int)(wd / 2000 > 0 ? wd / 2000 : 1) : 0;
	if (server_init(&srv, nworkers, err, sizeof(err)) == -1)
		fatal("%s", err);
	main_sandbox(&cfg, asroot, uid, gid);
	if (server_run(&srv, err, sizeof(err)) == -1)
		fatal("%s", err);
	log_info("yurt %s serving %s with %d worker%s", YURT_VERSION, cfg.root,
	    nworkers, nworkers == 1 ? "" : "s");
	sd_notifyf("READY=1\nSTATUS=serving %s", cfg.root);

	main_wait(&srv, &cfg, &set, wd, argc, argv);
	sd_notify("STOPPING=1\nSTATUS=stopping: finishing replies in flight");
	log_info("stopping: finishing replies in flight");
	if (server_stop(&srv, MAIN_DRAIN_SECONDS) == -1) {
		program_stop_all(0);	/* no program outlives yurt */
		exit(0);	/* srv is static: what a worker holds stays reachable */
	}
	program_stop_all(1);
	site_unref(srv.site);
	ratelimit_free(srv.rl);
	log_info("stopped");
	return 0;
}
