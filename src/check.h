/*
 * yurt -n: what start-up would refuse, short of binding and serving.
 */
#ifndef YURT_CHECK_H
#define YURT_CHECK_H

#include <stddef.h>

#include "config.h"

/*
 * The roots, the user, the addresses, the certificate directory (it must
 * exist or be creatable, and be writable where a certificate is missing)
 * and, run as root, whether the user yurt drops to can read what a
 * reload reads.  Returns 0, or -1 with one message in err.
 */
int	check_config(const struct config *, char *err, size_t errlen);

/*
 * Whether user, the one yurt runs as, can read each host's
 * certificate, which a reload reads again; keys are not checked: one only
 * root can read stays in memory.  sandboxed: Landlock is on.
 */
int	check_readable_certs(const struct config *, const char *user,
	    int sandboxed, char *err, size_t errlen);

#endif
