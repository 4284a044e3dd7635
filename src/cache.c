#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define CACHE_SLOTS	32

struct cache_entry {
	struct cache_key k;		/* base points at basecopy */
	char		*basecopy;
	char		*data;
	size_t		 len;
	uint64_t	 born;
	uint64_t	 used;
};

struct cache {
	struct cache_entry e[CACHE_SLOTS];
	size_t		 bytes, max;
	uint64_t	 tick;
};

struct cache *
cache_new(size_t maxbytes)
{
	struct cache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->max = maxbytes;
	return c;
}

static void
cache_drop(struct cache *c, struct cache_entry *e)
{
	c->bytes -= e->len;
	free(e->data);
	free(e->basecopy);
	memset(e, 0, sizeof(*e));
}

void
cache_free(struct cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		cache_drop(c, &c->e[i]);
	free(c);
}

void
cache_key_stat(struct cache_key *k, const struct stat *st)
{
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = st->st_size;
	k->mtime = st->st_mtim;
}

static int
cache_same(const struct cache_key *a, const struct cache_key *b)
{
	return a->gen == b->gen && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->variant == b->variant && strcmp(a->base, b->base) == 0;
}

int
cache_get(struct cache *c, const struct cache_key *k, uint64_t now,
    struct buf *out)
{
	struct cache_entry	*e;
	size_t			 i;

	if (c == NULL)
		return -1;
	for (i = 0; i < CACHE_SLOTS; i++) {
		e = &c->e[i];
		if (e->data == NULL || !cache_same(&e->k, k))
			continue;
		if (now - e->born >= CACHE_TTL_MS) {
			cache_drop(c, e);
			return -1;
		}
		e->used = ++c->tick;
		return buf_append(out, e->data, e->len);
	}
	return -1;
}

void
cache_put(struct cache *c, const struct cache_key *k, uint64_t now,
    const char *data, size_t len)
{
	struct cache_entry	*e, *victim = NULL;
	size_t			 i;

	if (c == NULL || len > c->max / 4)
		return;		/* one page may not take the whole cache */
	for (i = 0; i < CACHE_SLOTS; i++)	/* an older copy goes */
		if (c->e[i].data != NULL && cache_same(&c->e[i].k, k))
			cache_drop(c, &c->e[i]);
	/* a free slot, else the least recently used one */
	for (i = 0; i < CACHE_SLOTS; i++) {
		e = &c->e[i];
		if (e->data == NULL) {
			victim = e;
			break;
		}
		if (victim == NULL || e->used < victim->used)
			victim = e;
	}
	if (victim->data != NULL)
		cache_drop(c, victim);
	/* the least recently used go until the new page fits */
	while (c->bytes + len > c->max) {
		struct cache_entry *lru = NULL;

		for (i = 0; i < CACHE_SLOTS; i++)
			if (c->e[i].data != NULL && (lru == NULL ||
			    c->e[i].used < lru->used))
				lru = &c->e[i];
		if (lru == NULL)
			return;
		cache_drop(c, lru);
	}
	if ((victim->data = malloc(len ? len : 1)) == NULL ||
	    (victim->basecopy = strdup(k->base)) == NULL) {
		free(victim->data);
		memset(victim, 0, sizeof(*victim));
		return;
	}
	memcpy(victim->data, data, len);
	victim->len = len;
	victim->k = *k;
	victim->k.base = victim->basecopy;
	victim->born = now;
	victim->used = ++c->tick;
	c->bytes += len;
}
