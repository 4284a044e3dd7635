/* Unit tests for src/charset.c: UTF-8 decoding and transliteration. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "tap.h"
#include "nitems.h"

static struct buf out;

static const char *
encode(enum charset cs, const char *s)
{
	buf_reset(&out);
	if (charset_encode(&out, cs, s, strlen(s)) == -1)
		return "(failed)";
	return out.data != NULL ? out.data : "";
}

static const char *
fold(enum charset cs, const char *s)
{
	buf_reset(&out);
	if (charset_fold(&out, cs, s, strlen(s)) == -1)
		return "(failed)";
	return out.data != NULL ? out.data : "";
}

static void
test_decode(void)
{
	static const struct {
		const char	*in;
		size_t		 len;
		uint32_t	 cp;
		size_t		 n;
		const char	*what;
	} t[] = {
		{ "A", 1, 'A', 1, "ASCII" },
		{ "\xC3\xA9", 2, 0xE9, 2, "two bytes" },
		{ "\xE2\x80\x94", 3, 0x2014, 3, "three bytes" },
		{ "\xF0\x9F\x98\x80", 4, 0x1F600, 4, "four bytes" },
		{ "\x80", 1, CHARSET_INVALID, 1, "lone continuation" },
		{ "\xC0\x80", 2, CHARSET_INVALID, 1, "overlong NUL" },
		{ "\xE0\x80\xAF", 3, CHARSET_INVALID, 1, "overlong slash" },
		{ "\xED\xA0\x80", 3, CHARSET_INVALID, 1, "surrogate" },
		{ "\xF4\x90\x80\x80", 4, CHARSET_INVALID, 1, "above U+10FFFF" },
		{ "\xE2\x80", 2, CHARSET_INVALID, 1, "truncated" },
		{ "\xC3(", 2, CHARSET_INVALID, 1, "bad continuation" },
		{ "\xFF", 1, CHARSET_INVALID, 1, "0xFF" },
	};
	size_t		 i, n;
	uint32_t	 cp;

	for (i = 0; i < NITEMS(t); i++) {
		n = charset_decode(t[i].in, t[i].len, &cp);
		tap_ok(n == t[i].n && cp == t[i].cp, "decode: %s", t[i].what);
	}
	tap_ok(charset_decode("", 0, &cp) == 0 && cp == CHARSET_INVALID,
	    "decode: empty input");
}

static void
test_names(void)
{
	enum charset	 cs;

	tap_ok(charset_parse("UTF-8", &cs) == 0 && cs == CHARSET_UTF8,
	    "parse UTF-8");
	tap_ok(charset_parse("latin1", &cs) == 0 && cs == CHARSET_LATIN1,
	    "parse latin1");
	tap_ok(charset_parse("ISO-8859-1", &cs) == 0 && cs == CHARSET_LATIN1,
	    "parse ISO-8859-1");
	tap_ok(charset_parse("us-ascii", &cs) == 0 && cs == CHARSET_ASCII,
	    "parse us-ascii");
	tap_ok(charset_parse("ebcdic", &cs) == -1, "parse rejects ebcdic");
	tap_streq(charset_name(CHARSET_LATIN1), "ISO-8859-1", "name latin1");
	tap_streq(charset_name(CHARSET_ASCII), "US-ASCII", "name ascii");
	tap_streq(charset_name(CHARSET_UTF8), "UTF-8", "name utf-8");
}

/* One row per class of the table: what an ASCII reader gets. */
static void
test_ascii(void)
{
	static const struct {
		const char	*in, *want, *what;
	} t[] = {
		{ "\xE2\x80\x98q\xE2\x80\x99 \xE2\x80\x9Aq\xE2\x80\x9B",
		    "'q' ,q'", "single quotes" },
		{ "\xE2\x80\x9Cq\xE2\x80\x9D \xE2\x80\x9Eq\xE2\x80\x9F",
		    "\"q\" \"q\"", "double quotes" },
		{ "a\xE2\x80\x93" "b\xE2\x80\x94" "c\xE2\x80\x90"
		    "d\xE2\x80\x91" "e\xE2\x80\x92" "f", "a-b--c-d-e-f",
		    "dashes" },
		{ "wait\xE2\x80\xA6", "wait...", "ellipsis" },
		{ "\xE2\x80\xA2 a \xC2\xB7 b", "* a * b",
		    "bullet, middle dot" },
		{ "5\xE2\x80\xB2 6\xE2\x80\xB3", "5' 6\"", "primes" },
		{ "\xC2\xABq\xC2\xBB \xE2\x80\xB9q\xE2\x80\xBA", "<<q>> <q>",
		    "guillemets" },
		{ "\xE2\x82\xAC" "5 \xC2\xA3" "5 \xC2\xA5" "5 5\xC2\xA2",
		    "EUR5 GBP5 JPY5 5c", "currency" },
		{ "100 \xE2\x82\xB8, 100 \xE2\x82\xBD", "100 KZT, 100 RUB",
		    "tenge and rouble" },
		{ "a\xC2\xA0" "b\xE2\x80\x80" "c\xE2\x80\x8A" "d\xE2\x80\xAF"
		    "e\xE2\x81\x9F" "f\xE3\x80\x80" "g", "a b c d e f g",
		    "no-break and other spaces" },
		{ "a\xE2\x80\x8B" "b\xE2\x80\x8C" "c\xE2\x80\x8D"
		    "d\xE2\x81\xA0" "e\xEF\xBB\xBF" "f\xC2\xAD" "g", "abcdefg",
		    "zero-width characters removed" },
		{ "\xC2\xA9 \xC2\xAE \xE2\x84\xA2 20\xC2\xB0",
		    "(c) (R) (TM) 20deg", "signs" },
		{ "2\xC3\x97" "3 6\xC3\xB7" "2", "2x3 6/2", "times, divide" },
		{ "\xC2\xBD \xC2\xBC \xC2\xBE", "1/2 1/4 3/4", "fractions" },
		{ "caf\xC3\xA9 Stra\xC3\x9F" "e \xC3\xA6 \xC3\x98 \xC3\xB1",
		    "cafe Strasse ae O n", "Latin-1 letters" },
		{ "\xC5\x81\xC3\xB3" "d\xC5\xBA \xC5\x9F \xC4\xB0 \xC4\xB1 "
		    "\xC5\x93 \xC4\x9F", "Lodz s I i oe g",
		    "Latin Extended-A" },
		{ "\xC8\x98" "a \xC8\x9B", "Sa t", "Romanian comma letters" },
		{ "Vi\xE1\xBB\x87t", "Viet", "Vietnamese" },
		{ "e\xCC\x81t\xC3\xA9", "ete", "combining accent dropped" },
		{ "\xD0\x91\xD0\xBE\xD1\x82\xD0\xB0 "
		    "\xD0\x96\xD3\x99\xD1\x80\xD0\xB4\xD0\xB5\xD0\xBC\xD3\x99"
		    "\xD0\xbb\xD0\xB8", "Bota Zhardemali", "her name" },
		{ "\xD0\x96\xD3\x98\xD0\xA0\xD0\x94\xD0\x95\xD0\x9C\xD3\x98"
		    "\xD0\x9B\xD0\x98", "ZHARDEMALI", "her name in capitals" },
		{ "\xD0\x9A\xD0\xB0\xD0\xB7\xD0\xB0\xD1\x85\xD1\x81\xD1\x82"
		    "\xD0\xB0\xD0\xBD", "Kazakhstan", "Russian spelling" },
		{ "\xD2\x9A\xD0\xB0\xD0\xB7\xD0\xB0\xD2\x9B\xD1\x81\xD1\x82"
		    "\xD0\xB0\xD0\xBD", "Qazaqstan", "Kazakh spelling" },
		{ "\xD3\x99 \xD2\x93 \xD2\x9B \xD2\xA3 \xD3\xA9 \xD2\xB1 "
		    "\xD2\xAF \xD2\xBB \xD1\x96", "a gh q ng o u u h i",
		    "Kazakh letters" },
		{ "\xD0\xA9\xD1\x83\xD0\xBA\xD0\xB0 \xD1\x8A\xD1\x8C "
		    "\xD0\xAE\xD1\x8F", "Shchuka  Yuya", "Russian letters" },
		{ "\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "Athina",
		    "Greek" },
		{ "\xEF\xBC\xA1\xEF\xBC\x91", "A1", "fullwidth" },
		{ "\xE2\x94\x8C\xE2\x94\x80\xE2\x94\x90\xE2\x94\x82",
		    "+-+|", "box drawing" },
		{ "\xE2\x84\x96 5", "No. 5", "numero sign" },
		{ "\xEF\xAC\x81le", "file", "ligature" },
		{ "\xE2\x86\x92 \xE2\x89\xA4", "-> <=",
		    "arrow, less or equal" },
		{ "\xE6\xBC\xA2", "?", "no readable form: ?" },
		{ "a\xFF" "b", "a?b", "invalid UTF-8: ?" },
		{ "a\tb\r\n\x1b[1m\x7F" "c\xC2\x85", "a b[1mc",
		    "controls dropped, TAB a space" },
	};
	size_t	 i;

	for (i = 0; i < NITEMS(t); i++)
		tap_streq(encode(CHARSET_ASCII, t[i].in), t[i].want, t[i].what);
}

/* The typographic set of SPEC 2: pure ASCII out, and no '?'. */
static void
test_typographic(void)
{
	static const char	 sample[] =
	    "\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9A\xE2\x80\x9B\xE2\x80\x9C"
	    "\xE2\x80\x9D\xE2\x80\x9E\xE2\x80\x93\xE2\x80\x94\xE2\x80\x90"
	    "\xE2\x80\x91\xE2\x80\x92\xE2\x80\xA6\xE2\x80\xA2\xC2\xB7"
	    "\xE2\x80\xB2\xE2\x80\xB3\xC2\xAB\xC2\xBB\xE2\x80\xB9\xE2\x80\xBA"
	    "\xE2\x82\xAC\xC2\xA3\xC2\xA5\xC2\xA2\xC2\xA0\xE2\x80\x83"
	    "\xE2\x80\xAF\xE2\x81\x9F\xE3\x80\x80\xE2\x80\x8B\xC2\xA9\xC2\xAE"
	    "\xE2\x84\xA2\xC2\xB0\xC3\x97\xC3\xB7\xC2\xBD\xC2\xBC\xC2\xBE";
	const char	*s;
	size_t		 i;
	int		 high = 0;

	s = encode(CHARSET_ASCII, sample);
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] > 127)
			high = 1;
	tap_ok(!high, "typographic sample: no byte above 127");
	tap_ok(strchr(s, '?') == NULL, "typographic sample: no '?' (%s)", s);
}

/* Every letter of these blocks has a readable form. */
static void
test_coverage(void)
{
	static const struct {
		uint32_t	 lo, hi;
		const char	*what;
	} r[] = {
		{ 0x00A0, 0x00FF, "Latin-1 Supplement" },
		{ 0x0100, 0x017F, "Latin Extended-A" },
		{ 0x0400, 0x045F, "Cyrillic" },
		{ 0x0391, 0x03A1, "Greek capitals" },
		{ 0x03B1, 0x03C9, "Greek small" },
		{ 0x1EA0, 0x1EF9, "Vietnamese" },
		{ 0x2010, 0x2027, "punctuation" },
	};
	static const uint32_t kazakh[] = {
		0x04D8, 0x04D9, 0x0492, 0x0493, 0x049A, 0x049B, 0x04A2, 0x04A3,
		0x04E8, 0x04E9, 0x04B0, 0x04B1, 0x04AE, 0x04AF, 0x04BA, 0x04BB,
		0x0406, 0x0456
	};
	const char	*t;
	size_t		 i;
	uint32_t	 cp, bad;

	for (i = 0; i < NITEMS(r); i++) {
		bad = 0;
		for (cp = r[i].lo; cp <= r[i].hi; cp++) {
			if ((t = charset_translit(cp)) == NULL ||
			    strchr(t, '?') != NULL) {
				if (cp != 0xBF)		/* ¿ is a '?' */
					bad = cp;
			}
		}
		tap_ok(bad == 0, "translit covers %s (U+%04X)", r[i].what,
		    (unsigned)bad);
	}
	bad = 0;
	for (i = 0; i < NITEMS(kazakh); i++)
		if ((t = charset_translit(kazakh[i])) == NULL || *t == '\0')
			bad = kazakh[i];
	tap_ok(bad == 0, "translit covers the Kazakh letters (U+%04X)",
	    (unsigned)bad);
	tap_ok(charset_translit(0x4E00) == NULL, "translit: CJK unknown");
	tap_streq(charset_translit(0x0301), "", "translit: combining is \"\"");
	tap_streq(charset_translit(0x1E9E), "SS", "translit: capital sharp s");
}

static void
test_latin1(void)
{
	tap_streq(encode(CHARSET_LATIN1, "caf\xC3\xA9 \xC3\x9F"),
	    "caf\xE9 \xDF", "latin1: Latin-1 letters as single bytes");
	tap_streq(encode(CHARSET_LATIN1, "\xC2\xA0\xC2\xAB"), "\xA0\xAB",
	    "latin1: no-break space and guillemet kept");
	tap_streq(encode(CHARSET_LATIN1, "\xE2\x82\xAC \xC5\x81\xC3\xB3"
	    "d\xC5\xBA"), "EUR L\xF3" "dz", "latin1: others transliterated");
	tap_streq(encode(CHARSET_LATIN1, "\xE2\x80\x9Cq\xE2\x80\x9D"),
	    "\"q\"", "latin1: curly quotes");
	tap_streq(encode(CHARSET_LATIN1, "a\xC2\x85" "b\xC0"), "ab?",
	    "latin1: C1 control dropped, invalid is ?");
	tap_streq(fold(CHARSET_LATIN1, "\xC3\xA9\xE2\x80\x94"), "\xC3\xA9--",
	    "latin1 fold stays UTF-8");
}

static void
test_utf8(void)
{
	tap_streq(encode(CHARSET_UTF8, "\xE2\x80\x9C\xD0\x96\xE6\xBC\xA2"),
	    "\xE2\x80\x9C\xD0\x96\xE6\xBC\xA2", "utf-8: passes through");
	tap_streq(encode(CHARSET_UTF8, "a\xFF" "b"), "a\xEF\xBF\xBD" "b",
	    "utf-8: invalid byte becomes U+FFFD");
	tap_streq(encode(CHARSET_UTF8, "a\tb\r\n\x01" "c\x7F"), "a bc",
	    "utf-8: controls dropped, TAB a space");
	tap_streq(fold(CHARSET_UTF8, "a\tb\n"), "a\tb",
	    "utf-8 fold keeps TAB");
	tap_streq(fold(CHARSET_ASCII, "\xE2\x80\x94\t"), "--\t",
	    "ascii fold keeps TAB");
}

static void
test_bounded(void)
{
	struct buf	 b;

	buf_init(&b, 4);
	tap_ok(charset_encode(&b, CHARSET_ASCII, "\xE2\x82\xAC\xE2\x82\xAC",
	    6) == -1, "encode fails past the buffer's max");
	buf_free(&b);
}

int
main(void)
{
	buf_init(&out, 0);
	test_decode();
	test_names();
	test_ascii();
	test_typographic();
	test_coverage();
	test_latin1();
	test_utf8();
	test_bounded();
	buf_free(&out);
	return tap_done();
}
