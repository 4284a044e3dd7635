/*
 * Gemtext line parser (the gemtext specification, section 5).
 */
#include <stddef.h>
#include <string.h>

#include "gemtext.h"

static int
gemtext_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
gemtext_trim(const char **s, size_t *len)
{
	while (*len > 0 && gemtext_is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && gemtext_is_blank((*s)[*len - 1]))
		(*len)--;
}

static int
gemtext_starts(const char *s, size_t len, const char *prefix)
{
	size_t	 n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

void
gemtext_init(struct gemtext *g, const char *buf, size_t len)
{
	memset(g, 0, sizeof(*g));
	g->buf = buf;
	g->len = len;
	if (gemtext_starts(buf, len, "\xEF\xBB\xBF"))
		g->off = 3;	/* editors on some systems add a BOM */
}

static void
gemtext_parse_link(struct gemtext_line *l, const char *s, size_t len)
{
	size_t	 i = 2, u;

	while (i < len && gemtext_is_blank(s[i]))
		i++;
	for (u = i; u < len && !gemtext_is_blank(s[u]); u++)
		;
	if (u == i) {		/* "=>" with no URL: nothing to follow */
		l->type = GEMTEXT_TEXT;
		l->text = s;
		l->textlen = len;
		while (l->textlen > 0 && gemtext_is_blank(s[l->textlen - 1]))
			l->textlen--;
		return;
	}
	l->type = GEMTEXT_LINK;
	l->url = s + i;
	l->urllen = u - i;
	l->text = s + u;
	l->textlen = len - u;
	gemtext_trim(&l->text, &l->textlen);
}

/*
 * The next line into *l: 1, or 0 at the end.  Text lines keep their
 * leading blanks; every other kind has its marker and surrounding blanks
 * removed.  Preformatted lines are returned exactly as written (without
 * the line end).
 */
int
gemtext_next(struct gemtext *g, struct gemtext_line *l)
{
	const char	*s, *nl;
	size_t		 len, n;

	if (g->off >= g->len)
		return 0;
	s = g->buf + g->off;
	len = g->len - g->off;
	if ((nl = memchr(s, '\n', len)) != NULL) {
		len = (size_t)(nl - s);
		g->off += len + 1;
	} else
		g->off = g->len;
	if (len > 0 && s[len - 1] == '\r')
		len--;

	memset(l, 0, sizeof(*l));
	if (gemtext_starts(s, len, "```")) {
		l->type = GEMTEXT_PRE_TOGGLE;
		g->pre = !g->pre;
		l->level = g->pre;
		l->text = s + 3;
		l->textlen = len - 3;
		gemtext_trim(&l->text, &l->textlen);
		return 1;
	}
	if (g->pre) {
		l->type = GEMTEXT_PRE;
		l->text = s;
		l->textlen = len;
		return 1;
	}

	if (gemtext_starts(s, len, "=>")) {
		gemtext_parse_link(l, s, len);
		return 1;
	}
	if (gemtext_starts(s, len, "#")) {
		for (n = 1; n < 3 && n < len && s[n] == '#'; n++)
			;
		l->type = GEMTEXT_HEADING;
		l->level = (int)n;
		l->text = s + n;
		l->textlen = len - n;
	} else if (gemtext_starts(s, len, "* ")) {
		l->type = GEMTEXT_LIST;
		l->text = s + 2;
		l->textlen = len - 2;
	} else if (gemtext_starts(s, len, ">")) {
		l->type = GEMTEXT_QUOTE;
		l->text = s + 1;
		l->textlen = len - 1;
	} else {
		l->type = GEMTEXT_TEXT;
		l->text = s;
		l->textlen = len;
		while (l->textlen > 0 && gemtext_is_blank(l->text[l->textlen - 1]))
			l->textlen--;
		return 1;
	}
	gemtext_trim(&l->text, &l->textlen);
	return 1;
}
