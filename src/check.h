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

#endif
