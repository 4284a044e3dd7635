/*
 * Word wrapping in columns, for the Gopher renderers.
 *
 * The width tables are a deliberately small cut of Unicode's
 * East_Asian_Width and combining classes: what text in a capsule is likely
 * to hold, without pulling in a locale (wcwidth() depends on one, and the
 * server runs in the C locale).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "charset.h"
#include "wrap.h"
#include "nitems.h"

struct range {
	uint32_t	 lo, hi;
};

/* Combining marks, zero-width and format characters: no column. */
static const struct range zero_tab[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
	{ 0x05BF, 0x05BF }, { 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 },
	{ 0x05C7, 0x05C7 }, { 0x0610, 0x061A }, { 0x061C, 0x061C },
	{ 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC },
	{ 0x06DF, 0x06E4 }, { 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED },
	{ 0x0900, 0x0902 }, { 0x093A, 0x093A }, { 0x093C, 0x093C },
	{ 0x0941, 0x0948 }, { 0x094D, 0x094D }, { 0x0951, 0x0957 },
	{ 0x0962, 0x0963 }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A },
	{ 0x0E47, 0x0E4E }, { 0x1160, 0x11FF }, { 0x180B, 0x180F },
	{ 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F },
	{ 0x202A, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
	{ 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A },
	{ 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
	{ 0xE0000, 0xE0FFF }
};

/* East Asian Wide and Fullwidth: two columns. */
static const struct range wide_tab[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A },
	{ 0x23E9, 0x23EC }, { 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 },
	{ 0x25FD, 0x25FE }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 },
	{ 0x26CE, 0x26CE }, { 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA },
	{ 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 }, { 0x26FA, 0x26FA },
	{ 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF }, { 0x2B1B, 0x2B1C },
	{ 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x3029 },
	{ 0x302E, 0x303E }, { 0x3041, 0x3098 }, { 0x309B, 0x33FF },
	{ 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
	{ 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 },
	{ 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 }, { 0x17000, 0x18AFF },
	{ 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
	{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 },
	{ 0x1F300, 0x1F64F }, { 0x1F680, 0x1F6FF }, { 0x1F7E0, 0x1F7EB },
	{ 0x1F90C, 0x1F9FF }, { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD },
	{ 0x30000, 0x3FFFD }
};

static int
wrap_in_table(uint32_t cp, const struct range *t, size_t n)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < t[mid].lo)
			hi = mid;
		else if (cp > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/*
 * Columns a code point takes; CHARSET_INVALID stands for one byte shown.
 * TAB counts one: outside preformatted text (which expands tabs itself)
 * charset_encode() makes it one space.
 */
int
wrap_cpwidth(uint32_t cp)
{
	if (cp == CHARSET_INVALID || cp == '\t')
		return 1;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (wrap_in_table(cp, zero_tab, NITEMS(zero_tab)))
		return 0;
	if (wrap_in_table(cp, wide_tab, NITEMS(wide_tab)))
		return 2;
	return 1;
}

size_t
wrap_width(const char *s, size_t len)
{
	size_t		 i = 0, cols = 0;
	uint32_t	 cp;

	while (i < len) {
		i += charset_decode(s + i, len - i, &cp);
		cols += (size_t)wrap_cpwidth(cp);
	}
	return cols;
}

/*
 * Bytes of the longest head of s that fits in cols columns, never ending
 * inside a character nor parting a base letter from its combining marks.
 */
size_t
wrap_cut(const char *s, size_t len, size_t cols)
{
	size_t		 i = 0, n, used = 0, w;
	uint32_t	 cp;

	while (i < len) {
		n = charset_decode(s + i, len - i, &cp);
		w = (size_t)wrap_cpwidth(cp);
		if (used + w > cols)
			break;
		used += w;
		i += n;
	}
	return i;
}

/*
 * A width of 0 means no wrapping.  The prefixes are NUL-terminated and
 * count towards the width; NULL stands for none.
 */
void
wrap_init(struct wrap *w, const char *s, size_t len, size_t width,
    const char *first, const char *rest)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->len = len;
	w->width = width;
	w->first = first != NULL ? first : "";
	w->rest = rest != NULL ? rest : "";
}

static int
wrap_is_blank(uint32_t cp)
{
	return cp == ' ' || cp == '\t';
}

/* A hyphen inside a word ("well-known") is a place to break after. */
static int
wrap_hyphen_break(const struct wrap *w, size_t after, uint32_t prev)
{
	char	 c;

	if (after >= w->len || wrap_is_blank(prev) || prev == '-')
		return 0;
	c = w->s[after];
	return c != ' ' && c != '\t' && c != '-';
}

/*
 * The next line, or 0 when the text is done.  Empty text still gives one
 * (empty) line, so a blank gemtext line stays a blank line.  Leading blanks
 * are kept on the first line (indentation) and dropped on the others.
 */
int
wrap_next(struct wrap *w, struct wrap_line *l)
{
	const char	*pfx, *s = w->s;
	size_t		 avail, pw, plen, start, i, n, col, end, next;
	size_t		 brk = 0, cw;
	int		 havebrk = 0, seen = 0;
	uint32_t	 cp, prev = ' ';

	if (w->done)
		return 0;
	pfx = w->nlines == 0 ? w->first : w->rest;
	plen = strlen(pfx);
	pw = wrap_width(pfx, plen);
	if (w->width == 0)
		avail = SIZE_MAX;
	else
		avail = w->width > pw ? w->width - pw : 1;

	start = w->off;
	if (w->nlines > 0) {
		while (start < w->len && (s[start] == ' ' || s[start] == '\t'))
			start++;
		if (start >= w->len) {
			w->done = 1;
			return 0;
		}
	}

	col = 0;
	end = next = w->len;
	for (i = start; i < w->len; i += n, prev = cp) {
		n = charset_decode(s + i, w->len - i, &cp);
		if (wrap_is_blank(cp)) {
			if (col + 1 > avail) {
				end = next = i;
				break;
			}
			if (seen) {
				brk = i;
				havebrk = 1;
			}
			col++;
			continue;
		}
		cw = (size_t)wrap_cpwidth(cp);
		if (cw == 2 && seen) {
			brk = i;
			havebrk = 1;
		}
		if (col + cw > avail && i > start) {
			end = next = havebrk ? brk : i;
			break;
		}
		col += cw;
		seen = 1;
		if (cw == 2 || (cp == '-' && wrap_hyphen_break(w, i + n, prev))) {
			brk = i + n;
			havebrk = 1;
		}
	}
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;

	/* no text: no trailing blanks from the prefix either */
	if (end == start)
		while (plen > 0 && wrap_is_blank((unsigned char)pfx[plen - 1]))
			plen--;
	l->prefix = pfx;
	l->prefixlen = plen;
	l->text = s + start;
	l->len = end - start;
	l->cols = wrap_width(pfx, plen) + wrap_width(l->text, l->len);
	w->off = next;
	w->nlines++;
	if (next >= w->len)
		w->done = 1;
	return 1;
}
