/* libFuzzer harness: the configuration file parser. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config	 c;
	char			 err[512];

	config_defaults(&c);
	if (config_parse(&c, (const char *)data, len, err, sizeof(err)) == 0)
		(void)config_validate(&c, err, sizeof(err));
	return 0;
}
