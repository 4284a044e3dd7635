#include <sys/random.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

/* 4-way sets: 16384 clients remembered in 256 KiB, then the stalest go. */
#define RL_SETS		4096
#define RL_WAYS		4

struct rl_slot {
	uint64_t	 hash;		/* 0: empty */
	uint64_t	 stamp;		/* ms of the last refill */
	uint32_t	 tokens;	/* in thousandths of a request */
	uint32_t	 refused;	/* since the last request allowed */
};

struct ratelimit {
	pthread_mutex_t	 lock;
	uint8_t		 key[16];
	uint32_t	 rate, burst;
	struct rl_slot	 slots[RL_SETS][RL_WAYS];
};

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
ratelimit_le64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t
ratelimit_siphash(const uint8_t key[16], const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint64_t	 k0 = ratelimit_le64(key), k1 = ratelimit_le64(key + 8);
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k1;
	uint64_t	 m, b = (uint64_t)len << 56;
	size_t		 i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = ratelimit_le64(p + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (; left > 0; left--)
		b |= (uint64_t)p[i + left - 1] << (8 * (left - 1));
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct ratelimit *
ratelimit_new(unsigned int rate, unsigned int burst)
{
	struct ratelimit *rl;

	if (rate == 0)
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	if (getrandom(rl->key, sizeof(rl->key), 0) != sizeof(rl->key) ||
	    pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl);
		return NULL;
	}
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	explicit_bzero(rl, sizeof(*rl));
	free(rl);
}

unsigned int
ratelimit_take(struct ratelimit *rl, const void *addr, size_t len,
    unsigned int share, uint64_t now, int *far)
{
	struct rl_slot	*set, *s = NULL;
	uint64_t	 h, cap, tokens, rate;
	unsigned int	 wait = 0;
	int		 i;

	if (far != NULL)
		*far = 0;
	if (rl == NULL)
		return 0;
	share = share < 1 ? 1 : share;
	h = ratelimit_siphash(rl->key, addr, len) | 1;	/* never 0 */
	cap = (uint64_t)rl->burst * share * 1000;
	rate = (uint64_t)rl->rate * share;
	pthread_mutex_lock(&rl->lock);
	set = rl->slots[h % RL_SETS];
	for (i = 0; i < RL_WAYS && s == NULL; i++)
		if (set[i].hash == h)
			s = &set[i];
	if (s == NULL) {	/* a new client takes the stalest way */
		s = &set[0];
		for (i = 1; i < RL_WAYS; i++)
			if (set[i].stamp < s->stamp)
				s = &set[i];
		s->hash = h;
		s->stamp = now;
		s->tokens = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
		s->refused = 0;
	}
	tokens = s->tokens + (now > s->stamp ? (now - s->stamp) * rate : 0);
	s->stamp = now;
	if (tokens > cap)
		tokens = cap;
	if (tokens > UINT32_MAX)
		tokens = UINT32_MAX;
	if (tokens >= 1000) {
		tokens -= 1000;
		s->refused = 0;
	} else {	/* whole seconds until one request's worth is back */
		wait = (unsigned int)((1000 - tokens + rate * 1000 - 1) /
		    (rate * 1000));
		if (s->refused < UINT32_MAX)
			s->refused++;
		if (far != NULL && s->refused > (uint64_t)rl->burst * share)
			*far = 1;
	}
	s->tokens = (uint32_t)tokens;
	pthread_mutex_unlock(&rl->lock);
	return wait;
}
