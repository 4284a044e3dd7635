/*
 * libFuzzer harness: the rule parser and the glob.  The first byte splits
 * the input into a config line (parsed as a rule) and a path matched
 * against every rule; the glob must stay within its bounds and agree
 * with itself on the rest it reports.
 */
#include <stdint.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rules rs;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char		 line[2048], err[256], tgt[2048];
	const char	*path;
	const struct rule *r;
	size_t		 cut, kw, plen, rest;
	int		 k;

	if (len < 1)
		return 0;
	cut = data[0] % (len < 2048 ? len : 2048);
	memcpy(line, data + 1, cut > 0 ? cut - 1 : 0);
	line[cut > 0 ? cut - 1 : 0] = '\0';
	path = (const char *)data + (cut > 0 ? cut : 1);
	plen = len - (size_t)(path - (const char *)data);
	memset(&rs, 0, sizeof(rs));
	kw = strcspn(line, " ");
	if ((k = rules_keyword(line, kw, line + kw + (line[kw] ? 1 : 0))) != -1)
		(void)rules_add(&rs, k, line + kw + (line[kw] ? 1 : 0), 1, err,
		    sizeof(err));
	/* the line as a glob too, on the path */
	if (rules_glob(line, strlen(line), path, plen, &rest) && rest > plen)
		__builtin_trap();
	if ((r = rules_match(&rs, ~0u, "h", path, plen, &rest)) != NULL) {
		if (rest > plen)
			__builtin_trap();
		(void)rules_target(&rs, r, path, plen, rest, tgt,
		    sizeof(tgt));
	}
	return 0;
}
