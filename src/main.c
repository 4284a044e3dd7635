/*
 * yurt: a Gemini capsule server.  Start-up in one straight line: settings,
 * certificates, capsule roots, sockets, workers; then the main thread only
 * waits for signals.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "gemini.h"
#include "log.h"
#include "server.h"
#include "tls.h"

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
	exit(1);
}

static int
main_opendir(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("%s: %s", path, strerror(errno));
	return fd;
}

/* Loads or creates every host's certificate and says where it is. */
static struct tls_server *
main_certs(const struct config *cfg)
{
	struct tls_server	*tls;
	const char		*names[CONFIG_MAX_HOSTS];
	char			 fpr[TLS_FPR_LEN], err[512];
	size_t			 i;
	int			 dirfd, created;

	if (mkdir(cfg->certdir, 0755) == -1 && errno != EEXIST)
		fatal("%s: %s", cfg->certdir, strerror(errno));
	dirfd = main_opendir(cfg->certdir);
	for (i = 0; i < cfg->nhosts; i++) {
		names[i] = cfg->hosts[i].name;
		if (tls_cert_ensure(dirfd, names[i], fpr, &created, err,
		    sizeof(err)) == -1)
			fatal("%s: %s", cfg->certdir, err);
		log_info("%s certificate %s/%s.crt for %s, SHA-256 %s",
		    created ? "created" : "loaded", cfg->certdir, names[i],
		    names[i], fpr);
	}
	if ((tls = tls_server_new(dirfd, names, cfg->nhosts, err,
	    sizeof(err))) == NULL)
		fatal("%s: %s", cfg->certdir, err);
	close(dirfd);
	return tls;
}

int
main(int argc, char **argv)
{
	static struct config	 cfg;
	struct server		 srv;
	sigset_t		 set;
	char			 err[512];
	size_t			 i;
	int			 sig, nworkers;

	log_init();
	switch (config_load(&cfg, argc, argv)) {
	case CONFIG_EXIT_OK:
		return 0;
	case CONFIG_EXIT_FAIL:
		return 1;
	case CONFIG_RUN:
		break;
	}
	memset(&srv, 0, sizeof(srv));
	srv.cfg = &cfg;
	srv.rootfd = main_opendir(cfg.root);
	for (i = 0; i < cfg.nhosts; i++)
		srv.hostroot[i] = cfg.hosts[i].root[0] ?
		    main_opendir(cfg.hosts[i].root) : srv.rootfd;
	if (cfg.check) {
		config_print(&cfg, stdout);
		printf("# configuration OK\n");
		return 0;
	}

	/* workers inherit this mask; only the main thread takes signals */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (tls_init() == -1)
		fatal("cannot initialise OpenSSL");
	srv.tls = main_certs(&cfg);
	if (server_listen(&srv, &gemini_proto, SERVER_TLS, cfg.port, err,
	    sizeof(err)) == -1)
		fatal("%s", err);
	nworkers = cfg.workers;
	if (nworkers == 0 && (nworkers = (int)sysconf(_SC_NPROCESSORS_ONLN)) <
	    1)
		nworkers = 1;
	if (server_start(&srv, nworkers, err, sizeof(err)) == -1)
		fatal("%s", err);
	log_info("yurt %s serving %s with %d worker%s", YURT_VERSION, cfg.root,
	    nworkers, nworkers == 1 ? "" : "s");

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: reload is not supported yet");
			continue;
		}
		break;
	}
	log_info("stopping: finishing responses in flight");
	server_stop(&srv);
	tls_server_free(srv.tls);
	for (i = 0; i < cfg.nhosts; i++)
		if (srv.hostroot[i] != srv.rootfd)
			close(srv.hostroot[i]);
	close(srv.rootfd);
	log_info("stopped");
	return 0;
}
