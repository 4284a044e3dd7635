/*
 * Gopher+ attribute blocks (the Gopher+ specification, 1993, appendix II):
 * "+INFO:", "+ADMIN:" with its Admin and Mod-Date lines, and "+VIEWS:",
 * for one menu line or for every line of a rendered menu.
 *
 * Pure: a menu in, blocks out.  What needs the file system (an item's
 * date, size and views) is asked of the caller through a callback.
 */
#ifndef YURT_GOPHERPLUS_H
#define YURT_GOPHERPLUS_H

#include <stddef.h>
#include <time.h>

struct buf;

struct gopherplus_item {
	time_t		 date;		/* modification time */
	long long	 size;		/* bytes, -1: unknown */
	const char	*view;		/* content type, NULL: by item type */
	int		 text_view;	/* a page: also offered as text/plain */
};

struct gopherplus_opts {
	const char	*host;		/* ours, and named in the Admin line */
	const char	*port;		/* ours, in decimal */
	time_t		 date;		/* for items the callback does not know */
	/* 0 and *it filled, or -1 (not one of ours, or gone) */
	int		(*item)(void *, char type, const char *sel,
			    size_t sellen, struct gopherplus_item *it);
	void		*arg;
};

/* One menu line (without its CRLF) as its attribute blocks. */
int	gopherplus_item(struct buf *, const struct gopherplus_opts *,
	    const char *line, size_t len);
/* Every line of a menu (CRLF lines, up to the "." line) as blocks. */
int	gopherplus_menu(struct buf *, const struct gopherplus_opts *,
	    const char *menu, size_t len);

#endif
