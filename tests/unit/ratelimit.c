/* The rate limiter: SipHash against its reference vector, token buckets. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ratelimit.h"
#include "tap.h"

int
main(void)
{
	uint8_t			 key[16], msg[15];
	struct ratelimit	*rl;
	unsigned int		 w;
	const char		*a = "\xc0\x00\x02\x01", *b = "\xc0\x00\x02\x02";
	int			 i, ok, far;

	/* SipHash-2-4 reference: key 00..0f, message 00..0e */
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	tap_ok(ratelimit_siphash(key, msg, 15) == 0xa129ca6149be45e5ULL,
	    "SipHash-2-4 matches the reference vector");
	tap_ok(ratelimit_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ULL,
	    "SipHash-2-4 of the empty message");

	tap_ok(ratelimit_new(0, 10) == NULL, "rate 0: no limiter");
	tap_ok(ratelimit_take(NULL, a, 4, 1, 0, NULL) == 0,
	    "no limiter: allowed");

	rl = ratelimit_new(2, 5);
	for (ok = 1, i = 0; i < 5; i++)
		ok &= ratelimit_take(rl, a, 4, 1, 1000, NULL) == 0;
	tap_ok(ok, "a burst of 5 is allowed");
	w = ratelimit_take(rl, a, 4, 1, 1000, NULL);
	tap_ok(w == 1, "the 6th waits 1 second (got %u)", w);
	tap_ok(ratelimit_take(rl, b, 4, 1, 1000, NULL) == 0,
	    "another client is not affected");
	tap_ok(ratelimit_take(rl, a, 4, 1, 1500, NULL) == 0,
	    "after 0.5 s at 2/s one request is back");
	tap_ok(ratelimit_take(rl, a, 4, 1, 1500, NULL) != 0, "but only one");
	for (ok = 1, i = 0; i < 5; i++)
		ok &= ratelimit_take(rl, a, 4, 1, 100000, NULL) == 0;
	tap_ok(ok, "after a long pause the whole burst is back");
	tap_ok(ratelimit_take(rl, a, 4, 1, 100000, NULL) != 0,
	    "and not more than the burst");
	ratelimit_free(rl);

	/* many clients: the table stays bounded and keeps working */
	rl = ratelimit_new(1, 1);
	for (i = 0; i < 100000; i++) {
		uint32_t ip = (uint32_t)i;

		(void)ratelimit_take(rl, &ip, 4, 1, 5000, NULL);
	}
	tap_ok(ratelimit_take(rl, a, 4, 1, 5000, NULL) == 0 &&
	    ratelimit_take(rl, a, 4, 1, 5000, NULL) != 0,
	    "after 100,000 other clients, limits still hold");
	ratelimit_free(rl);

	/* a shared budget holds share times the burst and the rate */
	rl = ratelimit_new(1, 2);
	for (ok = 1, i = 0; i < 32; i++)
		ok &= ratelimit_take(rl, a, 4, 16, 1000, NULL) == 0;
	tap_ok(ok, "share 16: a burst of 16 x 2 is allowed");
	tap_ok(ratelimit_take(rl, a, 4, 16, 1000, NULL) != 0, "and no more");
	for (ok = 1, i = 0; i < 8; i++)
		ok &= ratelimit_take(rl, a, 4, 16, 1500, NULL) == 0;
	tap_ok(ok && ratelimit_take(rl, a, 4, 16, 1500, NULL) != 0,
	    "refilled at 16 x 1/s: 8 back after 0.5 s, not 9");
	ratelimit_free(rl);

	/* far over: refused more times than the burst since last allowed */
	rl = ratelimit_new(1, 3);
	for (i = 0; i < 3; i++)
		(void)ratelimit_take(rl, a, 4, 1, 1000, NULL);
	for (ok = 1, i = 0; i < 3; i++) {
		far = -1;
		ok &= ratelimit_take(rl, a, 4, 1, 1000, &far) != 0 && far == 0;
	}
	tap_ok(ok, "refused up to the burst (3): not yet far over");
	w = ratelimit_take(rl, a, 4, 1, 1000, &far);
	tap_ok(w != 0 && far == 1, "the 4th refusal: far over");
	(void)ratelimit_take(rl, b, 4, 1, 1000, &far);
	tap_ok(far == 0, "another client is not");
	tap_ok(ratelimit_take(rl, a, 4, 1, 2000, &far) == 0 && far == 0,
	    "a token back: allowed, no longer far over");
	tap_ok(ratelimit_take(rl, a, 4, 1, 2000, &far) != 0 && far == 0,
	    "its next refusal starts the count again");
	ratelimit_free(rl);
	return tap_done();
}
