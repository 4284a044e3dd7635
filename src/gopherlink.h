/*
 * Inside the Gopher rendering (gophermap.c, gopherlink.c): the state of
 * one page being rendered, and what a link on it becomes.  Not for other
 * modules: their interface is gophermap.h.
 */
#ifndef YURT_GOPHERLINK_H
#define YURT_GOPHERLINK_H

#include <string.h>

#include "buf.h"
#include "gopheropts.h"

enum link_kind {
	LINK_DEAD,		/* shown as text only */
	LINK_LOCAL,		/* into the capsule */
	LINK_GOPHER,		/* gopher://, to wherever it points */
	LINK_URL		/* anything else: "URL:" on this server */
};

struct link {
	enum link_kind	 kind;
	char		 type;
	const char	*host;
	char		 port[12];
};

struct render {
	struct buf			*out;
	const struct gophermap_opts	*o;
	const char			*base;	/* selector of the page */
	size_t				 width;
	char				 port[12];
	int				 text;	/* plain text, not a menu */
	int				 skipblank;
	int				 err;
	unsigned int			 nlinks;
	struct buf			 fold, line, exp, sel, host, refs;
};

static inline const char *
gopherlink_bufstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

static inline int
gopherlink_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static inline int
gopherlink_in_set(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* A byte a menu line may start with as its item type. */
static inline int
gopherlink_type_ok(char t)
{
	return t > 0x20 && t < 0x7F;
}

/*
 * What a link becomes.  Local and gopher:// links get their selector in
 * r->sel, other URLs a "URL:" selector there.  A link that cannot be
 * followed is LINK_DEAD.
 */
void	gopherlink_resolve(struct render *, const char *url, size_t len,
	    struct link *);
/* Whether "URL:" may send a reader to the scheme [u, u+slen). */
int	gopherlink_scheme_allowed(const char *u, size_t slen);

#endif
