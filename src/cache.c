#include <stdlib.h>
#include <string.h>

#include "cache.h"

#define CACHE_SLOTS	32

struct cache_entry {
	const void	*gen;
	int		 variant;
	char		*name;
	char		*source;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	char		*data;		/* NULL: a free slot */
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
	free(e->name);
	free(e->source);
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

static int
cache_same(const struct cache_entry *e, const struct cache_key *k)
{
	return e->data != NULL && e->gen == k->gen &&
	    e->variant == k->variant && strcmp(e->name, k->name) == 0;
}

/* The fresh entry for k; a stale one is dropped. */
static struct cache_entry *
cache_find(struct cache *c, const struct cache_key *k, uint64_t now)
{
	struct cache_entry	*e;
	size_t			 i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < CACHE_SLOTS; i++) {
		e = &c->e[i];
		if (!cache_same(e, k))
			continue;
		if (now - e->born >= CACHE_TTL_MS) {
			cache_drop(c, e);
			return NULL;
		}
		return e;
	}
	return NULL;
}

void
cache_expire(struct cache *c, uint64_t now)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		if (c->e[i].data != NULL && now - c->e[i].born >= CACHE_TTL_MS)
			cache_drop(c, &c->e[i]);
}

const char *
cache_source(struct cache *c, const struct cache_key *k, uint64_t now)
{
	struct cache_entry *e = cache_find(c, k, now);

	return e ? e->source : NULL;
}

int
cache_get(struct cache *c, const struct cache_key *k, uint64_t now,
    const struct stat *st, struct buf *out)
{
	struct cache_entry *e = cache_find(c, k, now);

	if (e == NULL)
		return -1;
	if (e->dev != st->st_dev || e->ino != st->st_ino ||
	    e->size != st->st_size || e->mtime.tv_sec != st->st_mtim.tv_sec ||
	    e->mtime.tv_nsec != st->st_mtim.tv_nsec) {
		cache_drop(c, e);	/* the file changed */
		return -1;
	}
	e->used = ++c->tick;
	return buf_append(out, e->data, e->len);
}

void
cache_put(struct cache *c, const struct cache_key *k, uint64_t now,
    const char *source, const struct stat *st, const char *data, size_t len)
{
	struct cache_entry	*e, *victim = NULL;
	size_t			 i;

	if (c == NULL || len > c->max / 4)
		return;		/* one page may not take the whole cache */
	for (i = 0; i < CACHE_SLOTS; i++)	/* an older copy goes */
		if (cache_same(&c->e[i], k))
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
	    (victim->name = strdup(k->name)) == NULL ||
	    (victim->source = strdup(source)) == NULL) {
		free(victim->data);
		free(victim->name);
		memset(victim, 0, sizeof(*victim));
		return;
	}
	memcpy(victim->data, data, len);
	victim->len = len;
	victim->gen = k->gen;
	victim->variant = k->variant;
	victim->dev = st->st_dev;
	victim->ino = st->st_ino;
	victim->size = st->st_size;
	victim->mtime = st->st_mtim;
	victim->born = now;
	victim->used = ++c->tick;
	c->bytes += len;
}
