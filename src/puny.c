#include <string.h>
#include <strings.h>

#include "charset.h"
#include "puny.h"

/* RFC 3492 section 5: the parameters for IDNA. */
#define PUNY_BASE	36
#define PUNY_TMIN	1
#define PUNY_TMAX	26
#define PUNY_SKEW	38
#define PUNY_DAMP	700
#define PUNY_BIAS	72
#define PUNY_N		0x80
#define PUNY_MAXCP	0x10FFFF

static char
puny_digit_enc(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static int
puny_digit_dec(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 26;
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	return -1;
}

static uint32_t
puny_adapt(uint32_t delta, uint32_t npoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

static uint32_t
puny_threshold(uint32_t k, uint32_t bias)
{
	return k <= bias ? PUNY_TMIN : k >= bias + PUNY_TMAX ? PUNY_TMAX :
	    k - bias;
}

static int
puny_put(char *out, size_t outlen, size_t *o, char c)
{
	if (*o + 1 >= outlen)
		return -1;
	out[(*o)++] = c;
	return 0;
}

int
puny_encode(const uint32_t *in, size_t n, char *out, size_t outlen)
{
	uint32_t	 cp = PUNY_N, delta = 0, bias = PUNY_BIAS, m, q, k, t;
	size_t		 i, o = 0, h, b = 0;

	if (outlen == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (in[i] > PUNY_MAXCP)
			return -1;
		if (in[i] < 0x80) {
			if (puny_put(out, outlen, &o, (char)in[i]) == -1)
				return -1;
			b++;
		}
	}
	h = b;
	/* RFC 3492 6.3: the delimiter follows any basic code points */
	if (b > 0 && puny_put(out, outlen, &o, '-') == -1)
		return -1;
	while (h < n) {
		for (m = UINT32_MAX, i = 0; i < n; i++)
			if (in[i] >= cp && in[i] < m)
				m = in[i];
		if ((uint64_t)(m - cp) * (h + 1) > UINT32_MAX - delta)
			return -1;
		delta += (m - cp) * (uint32_t)(h + 1);
		cp = m;
		for (i = 0; i < n; i++) {
			if (in[i] < cp && ++delta == 0)
				return -1;
			if (in[i] != cp)
				continue;
			for (q = delta, k = PUNY_BASE;; k += PUNY_BASE) {
				t = puny_threshold(k, bias);
				if (q < t)
					break;
				if (puny_put(out, outlen, &o, puny_digit_enc(t +
				    (q - t) % (PUNY_BASE - t))) == -1)
					return -1;
				q = (q - t) / (PUNY_BASE - t);
			}
			if (puny_put(out, outlen, &o, puny_digit_enc(q)) == -1)
				return -1;
			bias = puny_adapt(delta, (uint32_t)(h + 1), h == b);
			delta = 0;
			h++;
		}
		delta++;
		cp++;
	}
	out[o] = '\0';
	return 0;
}

int
puny_decode(const char *in, size_t len, uint32_t *out, size_t outmax,
    size_t *n)
{
	uint32_t	 cp = PUNY_N, i = 0, bias = PUNY_BIAS, oldi, w, k, t;
	size_t		 b = 0, j, p, o = 0;
	int		 d;

	for (j = 0; j < len; j++)
		if (in[j] == '-')
			b = j;
	for (j = 0; j < b; j++) {
		if ((unsigned char)in[j] >= 0x80 || o == outmax)
			return -1;
		out[o++] = (unsigned char)in[j];
	}
	for (p = b > 0 ? b + 1 : 0; p < len; o++) {
		for (oldi = i, w = 1, k = PUNY_BASE;; k += PUNY_BASE) {
			if (p >= len || (d = puny_digit_dec(in[p++])) == -1)
				return -1;
			if ((uint32_t)d > (UINT32_MAX - i) / w)
				return -1;
			i += (uint32_t)d * w;
			t = puny_threshold(k, bias);
			if ((uint32_t)d < t)
				break;
			if (w > UINT32_MAX / (PUNY_BASE - t))
				return -1;
			w *= PUNY_BASE - t;
		}
		bias = puny_adapt(i - oldi, (uint32_t)(o + 1), oldi == 0);
		if (i / (o + 1) > PUNY_MAXCP - cp)
			return -1;
		cp += i / (uint32_t)(o + 1);
		i %= (uint32_t)(o + 1);
		if (o == outmax || cp < 0x80 || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		memmove(out + i + 1, out + i, (o - i) * sizeof(*out));
		out[i++] = cp;
	}
	*n = o;
	return 0;
}

static int
puny_utf8(uint32_t cp, char *out, size_t outlen, size_t *o)
{
	char	 b[4];
	size_t	 n;

	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)),
		    n = 2;
	else if (cp < 0x10000)
		b[0] = (char)(0xE0 | cp >> 12),
		    b[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
		    b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	else
		b[0] = (char)(0xF0 | cp >> 18),
		    b[1] = (char)(0x80 | (cp >> 12 & 0x3F)),
		    b[2] = (char)(0x80 | (cp >> 6 & 0x3F)),
		    b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	if (*o + n >= outlen)
		return -1;
	memcpy(out + *o, b, n);
	*o += n;
	return 0;
}

/* One label's ASCII form appended at out + *o. */
static int
puny_label_ascii(const char *s, size_t len, char *out, size_t outlen,
    size_t *o)
{
	uint32_t	 cp[PUNY_LABEL_MAX];
	char		 enc[PUNY_LABEL_MAX + 1];
	size_t		 i, k, n = 0, ascii = 1, el;

	for (i = 0; i < len; i += k) {
		if (n == PUNY_LABEL_MAX)
			return -1;
		k = charset_decode(s + i, len - i, &cp[n]);
		/* no NUL, blank or control character in a name */
		if (cp[n] == CHARSET_INVALID || cp[n] <= 0x20 ||
		    charset_is_control(cp[n]))
			return -1;
		if (cp[n] >= 'A' && cp[n] <= 'Z')
			cp[n] += 'a' - 'A';
		ascii &= cp[n] < 0x80;
		n++;
	}
	if (n == 0)
		return -1;
	if (ascii) {
		if (n > PUNY_LABEL_MAX || *o + n >= outlen)
			return -1;
		for (i = 0; i < n; i++)
			out[(*o)++] = (char)cp[i];
		return 0;
	}
	if (puny_encode(cp, n, enc, sizeof(enc) - 4) == -1 ||
	    (el = strlen(enc)) + 4 > PUNY_LABEL_MAX || *o + el + 4 >= outlen)
		return -1;
	memcpy(out + *o, "xn--", 4);
	memcpy(out + *o + 4, enc, el);
	*o += el + 4;
	return 0;
}

int
puny_host_ascii(const char *s, size_t len, char *out, size_t outlen)
{
	const char	*dot, *end = s + len;
	size_t		 o = 0;

	if (outlen == 0)
		return -1;
	if (len > 1 && s[len - 1] == '.')
		end--;
	for (; s <= end; s = dot + 1) {
		if ((dot = memchr(s, '.', (size_t)(end - s))) == NULL)
			dot = end;
		if (o > 0 && puny_put(out, outlen, &o, '.') == -1)
			return -1;
		if (puny_label_ascii(s, (size_t)(dot - s), out, outlen, &o) ==
		    -1)
			return -1;
	}
	out[o] = '\0';
	return 0;
}

int
puny_host_unicode(const char *s, size_t len, char *out, size_t outlen)
{
	const char	*dot, *end = s + len;
	uint32_t	 cp[PUNY_LABEL_MAX];
	size_t		 o = 0, n, i;
	int		 first = 1;

	if (outlen == 0)
		return -1;
	for (; s <= end; s = dot + 1, first = 0) {
		if ((dot = memchr(s, '.', (size_t)(end - s))) == NULL)
			dot = end;
		if (!first && puny_put(out, outlen, &o, '.') == -1)
			return -1;
		if (dot - s > 4 && strncasecmp(s, "xn--", 4) == 0) {
			if (puny_decode(s + 4, (size_t)(dot - s - 4), cp,
			    PUNY_LABEL_MAX, &n) == -1)
				return -1;
			for (i = 0; i < n; i++)
				if (puny_utf8(cp[i], out, outlen, &o) == -1)
					return -1;
			continue;
		}
		for (; s < dot; s++)
			if (puny_put(out, outlen, &o, *s) == -1)
				return -1;
	}
	out[o] = '\0';
	return 0;
}
