/*
 * Unit tests for src/puny.c: Punycode (RFC 3492, its section 7.1
 * samples among them) and host names in their two forms.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "charset.h"
#include "puny.h"
#include "tap.h"
#include "nitems.h"

/* UTF-8 to code points, for writing the table in UTF-8. */
static size_t
cps(const char *s, uint32_t *out, size_t max)
{
	size_t	 i, n = 0, len = strlen(s);

	for (i = 0; i < len && n < max; n++)
		i += charset_decode(s + i, len - i, &out[n]);
	return n;
}

static void
test_codec(void)
{
	static const struct {
		const char *u, *p, *what;
	} t[] = {
		{ "b\xC3\xBC" "cher", "bcher-kva", "bücher" },
		{ "m\xC3\xBC" "nchen", "mnchen-3ya", "münchen" },
		{ "\xC3\xBC", "tda", "one non-ASCII character" },
		{ "a\xC3\xBC", "a-eha", "ASCII then not" },
		{ "\xE4\xB8\xAD\xE6\x96\x87", "fiq228c", "Chinese" },
		{ "3\xE5\xB9\xB4" "B\xE7\xB5\x84\xE9\x87\x91\xE5\x85\xAB"
		    "\xE5\x85\x88\xE7\x94\x9F", "3B-ww4c5e180e575a65lsy2b",
		    "RFC 3492 7.1 (L), mixed case kept" },
		{ "\xD9\x84\xD9\x8A\xD9\x87\xD9\x85\xD8\xA7\xD8\xA8\xD8\xAA"
		    "\xD9\x83\xD9\x84\xD9\x85\xD9\x88\xD8\xB4\xD8\xB9\xD8\xB1"
		    "\xD8\xA8\xD9\x8A\xD8\x9F", "egbpdaj6bu4bxfgehfvwxn",
		    "RFC 3492 7.1 (A), Arabic" },
		{ "Pro\xC4\x8Dprost\xC4\x9Bnemluv\xC3\xAD\xC4\x8D" "esky",
		    "Proprostnemluvesky-uyb24dma41a", "RFC 3492 7.1 (C), Czech" },
		{ "\xF0\x9F\x98\x80", "e28h", "outside the BMP" },
		{ "abc", "abc-", "all ASCII: the delimiter still follows (fuzzer)" },
	};
	uint32_t	 in[64], out[64];
	char		 enc[128];
	size_t		 i, n, m;

	for (i = 0; i < NITEMS(t); i++) {
		n = cps(t[i].u, in, NITEMS(in));
		tap_ok(puny_encode(in, n, enc, sizeof(enc)) == 0,
		    "encode: %s", t[i].what);
		tap_streq(enc, t[i].p, t[i].what);
		tap_ok(puny_decode(t[i].p, strlen(t[i].p), out, NITEMS(out),
		    &m) == 0 && m == n && memcmp(in, out, n * sizeof(*in)) == 0,
		    "decode: %s", t[i].what);
	}
	tap_ok(puny_encode(in, cps("b\xC3\xBC" "cher", in, 64), enc, 9) == -1,
	    "encode: no room, no overflow");
	tap_ok(puny_decode("99999999999", 11, out, 64, &m) == -1,
	    "decode: overflow refused");
	tap_ok(puny_decode("a-!", 3, out, 64, &m) == -1,
	    "decode: a bad digit refused");
	tap_ok(puny_decode("\xC3\xBC-a", 4, out, 64, &m) == -1,
	    "decode: non-ASCII before the delimiter refused");
	tap_ok(puny_decode("tda", 3, out, 0, &m) == -1,
	    "decode: no room refused");
}

static void
test_host(void)
{
	static const struct {
		const char *in, *ascii, *what;
	} t[] = {
		{ "b\xC3\xBC" "cher.example", "xn--bcher-kva.example",
		    "one label" },
		{ "B\xC3\xBC" "cher.Example.", "xn--bcher-kva.example",
		    "ASCII lower-cased, the trailing dot dropped" },
		{ "XN--BCHER-KVA.example", "xn--bcher-kva.example",
		    "punycode stays, lower-cased" },
		{ "localhost", "localhost", "ASCII stays" },
		{ "127.0.0.1", "127.0.0.1", "an address stays" },
		{ "a..b", NULL, "an empty label" },
		{ "", NULL, "nothing" },
		{ "caf\xC3", NULL, "invalid UTF-8" },
		{ "a b", NULL, "a blank" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "\xC3\xBC", NULL, "a label of more than 63 characters" },
	};
	char	 out[256], uni[256];
	size_t	 i;
	int	 rc;

	for (i = 0; i < NITEMS(t); i++) {
		rc = puny_host_ascii(t[i].in, strlen(t[i].in), out,
		    sizeof(out));
		if (t[i].ascii == NULL)
			tap_ok(rc == -1, "host refused: %s", t[i].what);
		else
			tap_streq(rc == 0 ? out : "(failed)", t[i].ascii,
			    t[i].what);
	}
	tap_ok(puny_host_unicode("xn--bcher-kva.example", 21, uni,
	    sizeof(uni)) == 0, "to Unicode");
	tap_streq(uni, "b\xC3\xBC" "cher.example", "... bücher.example");
	tap_ok(puny_host_unicode("xn--!.example", 13, uni, sizeof(uni)) == -1,
	    "a label that does not decode");
	tap_ok(puny_host_ascii("b\xC3\xBC" "cher.example", 13, out, 10) == -1,
	    "no room");
	tap_ok(puny_host_ascii("\0\0", 2, out, sizeof(out)) == -1,
	    "NUL bytes (found by the fuzzer)");
}

int
main(void)
{
	test_codec();
	test_host();
	return tap_done();
}
