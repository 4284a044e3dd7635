/*
 * UTF-8 decoding, and folding to the charset a legacy Gopher client shows.
 *
 * The transliteration aims at what a reader expects, not at reversibility:
 * typographic punctuation becomes its ASCII typewriter form, letters lose
 * their diacritics, Cyrillic (Russian and Kazakh first, the capsule is
 * about a Kazakh lawyer) and Greek become readable Latin.  '?' is only for
 * what has no readable form.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "nitems.h"

/* Printable ASCII as strings, so ranges mapped by rule can return one. */
static const char ascii_str[95][2] = {
	" ", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",",
	"-", ".", "/", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
	":", ";", "<", "=", ">", "?", "@", "A", "B", "C", "D", "E", "F",
	"G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S",
	"T", "U", "V", "W", "X", "Y", "Z", "[", "\\", "]", "^", "_", "`",
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
	"n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
	"{", "|", "}", "~"
};

/* U+00A0 to U+00FF. */
static const char *const latin1_tab[0x60] = {
	" ", "!", "c", "GBP", "$", "JPY", "|", "Sec.",		/* A0 */
	"\"", "(c)", "a", "<<", "!", "", "(R)", "-",
	"deg", "+/-", "2", "3", "'", "u", "P", "*",		/* B0 */
	",", "1", "o", ">>", "1/4", "1/2", "3/4", "?",
	"A", "A", "A", "A", "A", "A", "AE", "C",		/* C0 */
	"E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "O", "x",			/* D0 */
	"O", "U", "U", "U", "U", "Y", "Th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",		/* E0 */
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "/",			/* F0 */
	"o", "u", "u", "u", "u", "y", "th", "y"
};

/* U+0100 to U+017F, Latin Extended-A. */
static const char *const latin_exta_tab[0x80] = {
	"A", "a", "A", "a", "A", "a", "C", "c",			/* 100 */
	"C", "c", "C", "c", "C", "c", "D", "d",
	"D", "d", "E", "e", "E", "e", "E", "e",			/* 110 */
	"E", "e", "E", "e", "G", "g", "G", "g",
	"G", "g", "G", "g", "H", "h", "H", "h",			/* 120 */
	"I", "i", "I", "i", "I", "i", "I", "i",
	"I", "i", "IJ", "ij", "J", "j", "K", "k",		/* 130 */
	"q", "L", "l", "L", "l", "L", "l", "L",
	"l", "L", "l", "N", "n", "N", "n", "N",			/* 140 */
	"n", "'n", "Ng", "ng", "O", "o", "O", "o",
	"O", "o", "OE", "oe", "R", "r", "R", "r",		/* 150 */
	"R", "r", "S", "s", "S", "s", "S", "s",
	"S", "s", "T", "t", "T", "t", "T", "t",			/* 160 */
	"U", "u", "U", "u", "U", "u", "U", "u",
	"U", "u", "U", "u", "W", "w", "Y", "y",			/* 170 */
	"Y", "Z", "z", "Z", "z", "Z", "z", "s"
};

/* U+0370 to U+03CF, Greek (modern pronunciation). */
static const char *const greek_tab[0x60] = {
	NULL, NULL, NULL, NULL, "'", NULL, NULL, NULL,		/* 370 */
	NULL, NULL, NULL, NULL, NULL, NULL, ";", NULL,
	NULL, NULL, NULL, NULL, "'", NULL, "A", "*",		/* 380 */
	"E", "I", "I", NULL, "O", NULL, "Y", "O",
	"i", "A", "V", "G", "D", "E", "Z", "I",			/* 390 */
	"Th", "I", "K", "L", "M", "N", "X", "O",
	"P", "R", NULL, "S", "T", "Y", "F", "Ch",		/* 3A0 */
	"Ps", "O", "I", "Y", "a", "e", "i", "i",
	"y", "a", "v", "g", "d", "e", "z", "i",			/* 3B0 */
	"th", "i", "k", "l", "m", "n", "x", "o",
	"p", "r", "s", "s", "t", "y", "f", "ch",		/* 3C0 */
	"ps", "o", "i", "y", "o", "y", "o", NULL
};

/*
 * U+0400 to U+045F, Cyrillic: Russian after the common English practice
 * (zh, kh, ts, ch, sh, shch, yu, ya; hard and soft signs dropped), plus the
 * Ukrainian, Belarusian and South Slavic letters of the block.
 */
static const char *const cyrillic_tab[0x60] = {
	"E", "Yo", "Dj", "Gj", "Ye", "Dz", "I", "Yi",		/* 400 */
	"J", "Lj", "Nj", "C", "Kj", "I", "U", "Dzh",
	"A", "B", "V", "G", "D", "E", "Zh", "Z",		/* 410 */
	"I", "Y", "K", "L", "M", "N", "O", "P",
	"R", "S", "T", "U", "F", "Kh", "Ts", "Ch",		/* 420 */
	"Sh", "Shch", "", "Y", "", "E", "Yu", "Ya",
	"a", "b", "v", "g", "d", "e", "zh", "z",		/* 430 */
	"i", "y", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch",		/* 440 */
	"sh", "shch", "", "y", "", "e", "yu", "ya",
	"e", "yo", "dj", "gj", "ye", "dz", "i", "yi",		/* 450 */
	"j", "lj", "nj", "c", "kj", "i", "u", "dzh"
};

/* U+2000 to U+206F, General Punctuation. */
static const char *const punct_tab[0x70] = {
	" ", " ", " ", " ", " ", " ", " ", " ",			/* 2000 */
	" ", " ", " ", "", "", "", "", "",
	"-", "-", "-", "-", "--", "--", "||", "_",		/* 2010 */
	"'", "'", ",", "'", "\"", "\"", "\"", "\"",
	"+", "++", "*", "*", ".", "..", "...", "-",		/* 2020 */
	" ", " ", "", "", "", "", "", " ",
	"%o", "%oo", "'", "\"", "'''", "`", "``", "```",	/* 2030 */
	"^", "<", ">", "*", "!!", "?!", "-", "_",
	"-", "^", "***", "-", "/", "[", "]", "??",		/* 2040 */
	"?!", "!?", "&", NULL, NULL, NULL, "*", ";",
	NULL, "**", "%", "~", "_", "*", NULL, "''''",		/* 2050 */
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, " ",
	"", "", "", "", "", NULL, "", "",			/* 2060 */
	"", "", "", "", "", "", "", ""
};

/*
 * U+1E00 to U+1EFF, Latin Extended Additional (Vietnamese, Welsh...): each
 * letter is its base letter.  The few that are not one letter are in
 * sparse_tab, which is searched first.
 */
static const char latin_add_tab[] =
	"AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLl"
	"MmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUu"
	"VvVvWwWwWwWwWwXxXxYyZzZzZzhtwyasssSd"
	"AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIi"
	"OoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYyLlVvYy";
_Static_assert(sizeof(latin_add_tab) == 0x100 + 1, "latin_add_tab size");

struct translit {
	uint32_t	 cp;
	const char	*ascii;
};

/* Everything else, sorted by code point for a binary search. */
static const struct translit sparse_tab[] = {
	{ 0x0180, "b" }, { 0x0181, "B" }, { 0x0186, "O" }, { 0x0189, "D" },
	{ 0x018A, "D" }, { 0x018E, "E" }, { 0x018F, "E" }, { 0x0190, "E" },
	{ 0x0191, "F" }, { 0x0192, "f" }, { 0x0197, "I" }, { 0x019A, "l" },
	{ 0x019D, "N" }, { 0x019F, "O" }, { 0x01A0, "O" }, { 0x01A1, "o" },
	{ 0x01AF, "U" }, { 0x01B0, "u" }, { 0x01B5, "Z" }, { 0x01B6, "z" },
	{ 0x01C4, "DZ" }, { 0x01C5, "Dz" }, { 0x01C6, "dz" },
	{ 0x01C7, "LJ" }, { 0x01C8, "Lj" }, { 0x01C9, "lj" },
	{ 0x01CA, "NJ" }, { 0x01CB, "Nj" }, { 0x01CC, "nj" },
	{ 0x01CD, "A" }, { 0x01CE, "a" }, { 0x01CF, "I" }, { 0x01D0, "i" },
	{ 0x01D1, "O" }, { 0x01D2, "o" }, { 0x01D3, "U" }, { 0x01D4, "u" },
	{ 0x01D5, "U" }, { 0x01D6, "u" }, { 0x01D7, "U" }, { 0x01D8, "u" },
	{ 0x01D9, "U" }, { 0x01DA, "u" }, { 0x01DB, "U" }, { 0x01DC, "u" },
	{ 0x01DD, "e" }, { 0x01E6, "G" }, { 0x01E7, "g" }, { 0x01E8, "K" },
	{ 0x01E9, "k" }, { 0x01EA, "O" }, { 0x01EB, "o" }, { 0x01F0, "j" },
	{ 0x01F4, "G" }, { 0x01F5, "g" }, { 0x01F8, "N" }, { 0x01F9, "n" },
	{ 0x01FA, "A" }, { 0x01FB, "a" }, { 0x01FC, "AE" }, { 0x01FD, "ae" },
	{ 0x01FE, "O" }, { 0x01FF, "o" },
	{ 0x0218, "S" }, { 0x0219, "s" }, { 0x021A, "T" }, { 0x021B, "t" },
	{ 0x0259, "e" }, { 0x025B, "e" }, { 0x0268, "i" }, { 0x0272, "n" },
	{ 0x02B9, "'" }, { 0x02BA, "\"" }, { 0x02BB, "'" }, { 0x02BC, "'" },
	{ 0x02BD, "'" }, { 0x02C6, "^" }, { 0x02C7, "^" }, { 0x02C8, "'" },
	{ 0x02CB, "`" }, { 0x02CD, "_" }, { 0x02D0, ":" }, { 0x02DC, "~" },
	{ 0x02DD, "\"" },
	/* Cyrillic beyond Russian: Ukrainian, Tatar, then Kazakh */
	{ 0x0490, "G" }, { 0x0491, "g" }, { 0x0492, "Gh" }, { 0x0493, "gh" },
	{ 0x0496, "Zh" }, { 0x0497, "zh" }, { 0x049A, "Q" }, { 0x049B, "q" },
	{ 0x04A2, "Ng" }, { 0x04A3, "ng" }, { 0x04AE, "U" }, { 0x04AF, "u" },
	{ 0x04B0, "U" }, { 0x04B1, "u" }, { 0x04BA, "H" }, { 0x04BB, "h" },
	{ 0x04C0, "I" }, { 0x04D8, "A" }, { 0x04D9, "a" }, { 0x04E8, "O" },
	{ 0x04E9, "o" },
	{ 0x061C, "" }, { 0x180E, "" },
	{ 0x1E9E, "SS" }, { 0x1EFA, "LL" }, { 0x1EFB, "ll" },
	{ 0x2070, "0" }, { 0x2071, "i" }, { 0x2074, "4" }, { 0x2075, "5" },
	{ 0x2076, "6" }, { 0x2077, "7" }, { 0x2078, "8" }, { 0x2079, "9" },
	{ 0x207A, "+" }, { 0x207B, "-" }, { 0x207C, "=" }, { 0x207D, "(" },
	{ 0x207E, ")" }, { 0x207F, "n" }, { 0x2080, "0" }, { 0x2081, "1" },
	{ 0x2082, "2" }, { 0x2083, "3" }, { 0x2084, "4" }, { 0x2085, "5" },
	{ 0x2086, "6" }, { 0x2087, "7" }, { 0x2088, "8" }, { 0x2089, "9" },
	{ 0x208A, "+" }, { 0x208B, "-" }, { 0x208C, "=" }, { 0x208D, "(" },
	{ 0x208E, ")" },
	/* currency signs as ISO 4217 codes */
	{ 0x20A0, "ECU" }, { 0x20A1, "CRC" }, { 0x20A3, "FRF" },
	{ 0x20A4, "ITL" }, { 0x20A6, "NGN" }, { 0x20A7, "Pts" },
	{ 0x20A8, "Rs" }, { 0x20A9, "KRW" }, { 0x20AA, "ILS" },
	{ 0x20AB, "VND" }, { 0x20AC, "EUR" }, { 0x20AD, "LAK" },
	{ 0x20AE, "MNT" }, { 0x20B1, "PHP" }, { 0x20B2, "PYG" },
	{ 0x20B4, "UAH" }, { 0x20B5, "GHS" }, { 0x20B8, "KZT" },
	{ 0x20B9, "INR" }, { 0x20BA, "TRY" }, { 0x20BC, "AZN" },
	{ 0x20BD, "RUB" }, { 0x20BE, "GEL" }, { 0x20BF, "BTC" },
	{ 0x2100, "a/c" }, { 0x2101, "a/s" }, { 0x2103, "degC" },
	{ 0x2105, "c/o" }, { 0x2106, "c/u" }, { 0x2109, "degF" },
	{ 0x2113, "l" }, { 0x2116, "No." }, { 0x2117, "(P)" },
	{ 0x2120, "SM" }, { 0x2122, "(TM)" }, { 0x2126, "Ohm" },
	{ 0x212A, "K" }, { 0x212B, "A" }, { 0x212E, "e" },
	{ 0x2150, "1/7" }, { 0x2151, "1/9" }, { 0x2152, "1/10" },
	{ 0x2153, "1/3" }, { 0x2154, "2/3" }, { 0x2155, "1/5" },
	{ 0x2156, "2/5" }, { 0x2157, "3/5" }, { 0x2158, "4/5" },
	{ 0x2159, "1/6" }, { 0x215A, "5/6" }, { 0x215B, "1/8" },
	{ 0x215C, "3/8" }, { 0x215D, "5/8" }, { 0x215E, "7/8" },
	{ 0x2160, "I" }, { 0x2161, "II" }, { 0x2162, "III" }, { 0x2163, "IV" },
	{ 0x2164, "V" }, { 0x2165, "VI" }, { 0x2166, "VII" },
	{ 0x2167, "VIII" }, { 0x2168, "IX" }, { 0x2169, "X" },
	{ 0x216A, "XI" }, { 0x216B, "XII" }, { 0x216C, "L" }, { 0x216D, "C" },
	{ 0x216E, "D" }, { 0x216F, "M" },
	{ 0x2170, "i" }, { 0x2171, "ii" }, { 0x2172, "iii" }, { 0x2173, "iv" },
	{ 0x2174, "v" }, { 0x2175, "vi" }, { 0x2176, "vii" },
	{ 0x2177, "viii" }, { 0x2178, "ix" }, { 0x2179, "x" },
	{ 0x217A, "xi" }, { 0x217B, "xii" }, { 0x217C, "l" }, { 0x217D, "c" },
	{ 0x217E, "d" }, { 0x217F, "m" },
	{ 0x2190, "<-" }, { 0x2191, "^" }, { 0x2192, "->" }, { 0x2193, "v" },
	{ 0x2194, "<->" }, { 0x21D0, "<=" }, { 0x21D2, "=>" },
	{ 0x21D4, "<=>" },
	{ 0x2212, "-" }, { 0x2213, "-/+" }, { 0x2215, "/" }, { 0x2216, "\\" },
	{ 0x2217, "*" }, { 0x2219, "*" }, { 0x221A, "sqrt" },
	{ 0x221E, "inf" }, { 0x2223, "|" }, { 0x2236, ":" }, { 0x223C, "~" },
	{ 0x2248, "~" }, { 0x2260, "!=" }, { 0x2261, "==" }, { 0x2264, "<=" },
	{ 0x2265, ">=" }, { 0x226A, "<<" }, { 0x226B, ">>" }, { 0x22C5, "*" },
	{ 0x2423, "_" },
	{ 0x25A0, "#" }, { 0x25AA, "*" }, { 0x25B2, "^" }, { 0x25B6, ">" },
	{ 0x25BA, ">" }, { 0x25BC, "v" }, { 0x25C0, "<" }, { 0x25C4, "<" },
	{ 0x25CB, "o" }, { 0x25CF, "*" }, { 0x25E6, "o" },
	{ 0x2605, "*" }, { 0x2606, "*" }, { 0x2610, "[ ]" }, { 0x2611, "[x]" },
	{ 0x2612, "[x]" }, { 0x2713, "v" }, { 0x2714, "v" }, { 0x2717, "x" },
	{ 0x2718, "x" },
	{ 0x3000, " " }, { 0x3001, "," }, { 0x3002, "." }, { 0x3008, "<" },
	{ 0x3009, ">" }, { 0x300A, "<<" }, { 0x300B, ">>" }, { 0x300C, "[" },
	{ 0x300D, "]" },
	{ 0xFB00, "ff" }, { 0xFB01, "fi" }, { 0xFB02, "fl" },
	{ 0xFB03, "ffi" }, { 0xFB04, "ffl" }, { 0xFB05, "st" },
	{ 0xFB06, "st" },
	{ 0xFEFF, "" }
};

size_t
charset_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 c, min;
	size_t			 n, i;

	*cp = CHARSET_INVALID;
	if (len == 0)
		return 0;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)		/* a continuation byte, or an overlong lead */
		return 1;
	else if (c < 0xE0) {
		n = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c < 0xF0) {
		n = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c < 0xF5) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 1;
	if (len < n)
		return 1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 1;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 1;
	*cp = c;
	return n;
}

int
charset_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

int
charset_parse(const char *name, enum charset *cs)
{
	static const struct {
		const char	*name;
		enum charset	 cs;
	} names[] = {
		{ "utf-8", CHARSET_UTF8 }, { "utf8", CHARSET_UTF8 },
		{ "iso-8859-1", CHARSET_LATIN1 },
		{ "iso8859-1", CHARSET_LATIN1 },
		{ "latin1", CHARSET_LATIN1 }, { "latin-1", CHARSET_LATIN1 },
		{ "us-ascii", CHARSET_ASCII }, { "ascii", CHARSET_ASCII }
	};
	size_t	 i;

	for (i = 0; i < NITEMS(names); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*cs = names[i].cs;
			return 0;
		}
	}
	return -1;
}

/* The IANA names, as caps.txt and MIME parameters want them. */
const char *
charset_name(enum charset cs)
{
	switch (cs) {
	case CHARSET_LATIN1:
		return "ISO-8859-1";
	case CHARSET_ASCII:
		return "US-ASCII";
	default:
		return "UTF-8";
	}
}

static const char *
charset_box_drawing(uint32_t cp)
{
	switch (cp) {
	case 0x2500: case 0x2501: case 0x2504: case 0x2505: case 0x2508:
	case 0x2509: case 0x254C: case 0x254D: case 0x2574: case 0x2576:
	case 0x2578: case 0x257A: case 0x257C: case 0x257E:
		return "-";
	case 0x2550:
		return "=";
	case 0x2502: case 0x2503: case 0x2506: case 0x2507: case 0x250A:
	case 0x250B: case 0x254E: case 0x254F: case 0x2551: case 0x2575:
	case 0x2577: case 0x2579: case 0x257B: case 0x257D: case 0x257F:
		return "|";
	case 0x2571:
		return "/";
	case 0x2572:
		return "\\";
	case 0x2573:
		return "X";
	default:
		return "+";	/* corners and junctions */
	}
}

/*
 * The ASCII form of a code point: "" when it should vanish (combining
 * marks, zero-width and format characters), NULL when none is known.
 */
const char *
charset_translit(uint32_t cp)
{
	size_t	 lo, hi, mid;

	if (cp >= 0x20 && cp < 0x7F)
		return ascii_str[cp - 0x20];
	if (cp < 0xA0)
		return NULL;		/* C0 and C1 controls, DEL */
	if (cp < 0x100)
		return latin1_tab[cp - 0xA0];
	if (cp < 0x180)
		return latin_exta_tab[cp - 0x100];

	lo = 0;
	hi = NITEMS(sparse_tab);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sparse_tab[mid].cp == cp)
			return sparse_tab[mid].ascii;
		if (sparse_tab[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}

	if ((cp >= 0x0300 && cp <= 0x036F) ||	/* combining marks */
	    (cp >= 0x0483 && cp <= 0x0489) ||
	    (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	    (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) ||	/* variation selectors */
	    (cp >= 0xFE20 && cp <= 0xFE2F) ||
	    (cp >= 0xE0000 && cp <= 0xE01EF))	/* tags, selectors */
		return "";
	if (cp >= 0x370 && cp < 0x3D0)
		return greek_tab[cp - 0x370];
	if (cp >= 0x400 && cp < 0x460)
		return cyrillic_tab[cp - 0x400];
	if (cp >= 0x1E00 && cp < 0x1F00)
		return ascii_str[latin_add_tab[cp - 0x1E00] - 0x20];
	if (cp >= 0x2000 && cp < 0x2070)
		return punct_tab[cp - 0x2000];
	if (cp >= 0x2500 && cp < 0x2580)
		return charset_box_drawing(cp);
	if (cp >= 0x2580 && cp < 0x25A0)
		return "#";		/* block elements */
	if (cp >= 0xFF01 && cp <= 0xFF5E)	/* fullwidth ASCII */
		return ascii_str[cp - 0xFEE0 - 0x20];
	return NULL;
}

static int
charset_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
charset_ascii_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* Whether a code point reads as a capital letter once transliterated. */
static int
charset_is_capital(uint32_t cp)
{
	const char	*t;

	if (cp == CHARSET_INVALID || (t = charset_translit(cp)) == NULL)
		return 0;
	return charset_ascii_upper((unsigned char)t[0]);
}

static int
charset_is_letter(uint32_t cp)
{
	const char	*t;

	if (cp == CHARSET_INVALID || (t = charset_translit(cp)) == NULL)
		return 0;
	return charset_ascii_upper((unsigned char)t[0]) ||
	    charset_ascii_lower((unsigned char)t[0]);
}

/*
 * Append a transliteration.  "Zh", "Shch", "Th" are written in capitals
 * inside an all-capitals word, so that ЖӘРДЕМӘЛИ reads ZHARDEMALI and not
 * ZhARDEMALI.
 */
static void
charset_put_translit(struct buf *out, const char *t, uint32_t prev, uint32_t next)
{
	size_t	 i, n = strlen(t);

	if (n >= 2 && charset_ascii_upper((unsigned char)t[0]) &&
	    charset_ascii_lower((unsigned char)t[1]) &&
	    (charset_is_capital(next) || (!charset_is_letter(next) && charset_is_capital(prev)))) {
		for (i = 0; i < n; i++)
			buf_putc(out, charset_ascii_lower((unsigned char)t[i]) ?
			    t[i] - 'a' + 'A' : t[i]);
		return;
	}
	buf_append(out, t, n);
}

/*
 * One pass for both fold and encode: "final" writes Latin-1 as single
 * bytes and turns TAB into a space; otherwise the result stays UTF-8 and
 * TAB is kept for the caller (tab expansion in preformatted text).
 */
static int
charset_convert(struct buf *out, enum charset cs, const char *s, size_t len,
    int final)
{
	const char	*t;
	size_t		 i, n;
	uint32_t	 cp, prev = ' ', next;

	for (i = 0; i < len; i += n) {
		n = charset_decode(s + i, len - i, &cp);
		if (cp == CHARSET_INVALID)
			buf_puts(out, cs == CHARSET_UTF8 ?
			    "\xEF\xBF\xBD" : "?");
		else if (cp == '\t')
			buf_putc(out, final ? ' ' : '\t');
		else if (charset_is_control(cp))
			;	/* controls never reach a client */
		else if (cp < 0x80 || cs == CHARSET_UTF8)
			buf_append(out, s + i, n);
		else if (cs == CHARSET_LATIN1 && cp <= 0xFF) {
			if (final)
				buf_putc(out, (int)cp);
			else
				buf_append(out, s + i, n);
		} else if ((t = charset_translit(cp)) != NULL) {
			if (i + n < len)
				(void)charset_decode(s + i + n, len - i - n,
				    &next);
			else
				next = ' ';
			charset_put_translit(out, t, prev, next);
		} else
			buf_putc(out, '?');
		prev = cp;
	}
	return buf_failed(out) ? -1 : 0;
}

/*
 * UTF-8 in, UTF-8 out holding only what the charset can show: so columns
 * can be counted, and lines wrapped, on exactly the text the client gets.
 * Control characters are dropped, TAB kept; invalid UTF-8 becomes U+FFFD
 * (UTF-8) or '?'.
 */
int
charset_fold(struct buf *out, enum charset cs, const char *s, size_t len)
{
	return charset_convert(out, cs, s, len, 0);
}

/*
 * UTF-8 in, the client's bytes out: charset_fold() plus the Latin-1
 * encoding, and TAB made a space.  No byte below 0x20, nor DEL, is ever
 * written, so the result is safe in any Gopher field.
 */
int
charset_encode(struct buf *out, enum charset cs, const char *s, size_t len)
{
	return charset_convert(out, cs, s, len, 1);
}
