/*
 * Punycode (RFC 3492) and the host-name forms built on it: a host name
 * written in Unicode ("bücher.example") and its ASCII form
 * ("xn--bcher-kva.example") name the same host.  Pure functions over
 * (buf, len), table-tested and fuzzed.
 *
 * Only what comparing served names needs: labels are lower-cased in
 * ASCII only, with no Nameprep or UTS #46 mapping, so an operator and a
 * client are expected to write the Unicode form in lower case.
 */
#ifndef YURT_PUNY_H
#define YURT_PUNY_H

#include <stddef.h>
#include <stdint.h>

#define PUNY_LABEL_MAX	63	/* DNS: bytes in one ASCII label */

/*
 * Encodes n code points as Punycode (without the "xn--" prefix) into out
 * (NUL-terminated).  -1 when it does not fit or on overflow.
 */
int	puny_encode(const uint32_t *, size_t n, char *out, size_t outlen);
/*
 * Decodes Punycode (without the prefix) into at most outmax code points;
 * *n gets their number.  -1 for anything that is not valid Punycode.
 */
int	puny_decode(const char *, size_t, uint32_t *out, size_t outmax,
	    size_t *n);
/*
 * A host name in its ASCII form: every label that is not ASCII becomes
 * "xn--" and its Punycode, ASCII is lower-cased, one trailing dot goes.
 * -1 for invalid UTF-8, an empty or too long label, or no room.
 */
int	puny_host_ascii(const char *, size_t, char *out, size_t outlen);
/*
 * The Unicode form (UTF-8): every "xn--" label decoded.  -1 for a label
 * that does not decode.
 */
int	puny_host_unicode(const char *, size_t, char *out, size_t outlen);

#endif
