/*
 * The systemd interface, without libsystemd: socket activation
 * (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), readiness and status
 * notifications (NOTIFY_SOCKET) and the watchdog (WATCHDOG_USEC).
 * Everywhere else these calls quietly do nothing.
 */
#ifndef YURT_SD_H
#define YURT_SD_H

#include <stdint.h>

#define SD_LISTEN_FDS_START	3
#define SD_MAX_FDS		32

struct sd_fd {
	int	 fd;
	char	 name[64];	/* FileDescriptorName=, or "" */
	int	 port;		/* its TCP port, or 0 */
};

/* Reads and clears the environment; opens the notify socket. */
void	sd_init(void);
/* The sockets systemd passed to this process; 0 when not activated. */
int	sd_listen_fds(struct sd_fd *, int max);
void	sd_notify(const char *state);
void	sd_notifyf(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Microseconds between WATCHDOG=1 pings systemd expects, or 0. */
uint64_t sd_watchdog_usec(void);
uint64_t sd_monotonic_usec(void);

#endif
