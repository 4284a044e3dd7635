/*
 * Per-client rate limiting that forgets who the clients are: an address
 * is only ever kept as a keyed hash (SipHash-2-4, random key per start)
 * in a bounded table, never written anywhere.  Token buckets: a client
 * may make `burst` requests at once, refilled at `rate` per second.
 */
#ifndef YURT_RATELIMIT_H
#define YURT_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* NULL with rate 0: no limit.  The key comes from getrandom(2). */
struct ratelimit *ratelimit_new(unsigned int rate, unsigned int burst);
void	ratelimit_free(struct ratelimit *);
/*
 * Takes one token for the client whose address is (addr, len) at time
 * now_ms; share is how many clients' budgets it holds (1 for a host, more
 * for a network its hosts share).  Returns 0 when allowed, else the
 * seconds until it will be.  *far (if not NULL) is set when the client
 * has been refused more times than its burst since it was last allowed:
 * it ignores "slow down", and is not worth a TLS handshake.
 */
unsigned int ratelimit_take(struct ratelimit *, const void *addr, size_t len,
	    unsigned int share, uint64_t now_ms, int *far);
/* SipHash-2-4 of (buf, len) under a 16-byte key; for tests. */
uint64_t ratelimit_siphash(const uint8_t key[16], const void *, size_t);

#endif
