#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <magic.h>

#include "charset.h"
#include "mime.h"

/*
 * What is read of a file to tell its type: a type shows in a file's first
 * bytes (libmagic's default is a megabyte, scanned whole).
 */
#define MIME_BYTES_MAX	(64 * 1024)
/* What is read of a file to tell text from bytes. */
#define MIME_TEXT_SAMPLE	4096
/* Controls that text has: tab, newlines, form feed, backspace, escape. */
#define MIME_TEXT_CONTROL(c)	((c) == '\t' || (c) == '\n' || \
	    (c) == '\r' || (c) == '\f' || (c) == '\b' || (c) == 0x1B)

struct mime {
	magic_t	 magic;
};

/*
 * libmagic guesses gemtext, stylesheets, SVG and Markdown as text/plain
 * (or worse); these names are unambiguous.
 */
static const struct {
	const char	*ext;
	const char	*type;
} mime_table[] = {
	{ "gmi",	"text/gemini" },
	{ "gemini",	"text/gemini" },
	{ "txt",	"text/plain" },
	{ "md",		"text/markdown; charset=utf-8" },
	{ "css",	"text/css" },
	{ "csv",	"text/csv" },
	{ "html",	"text/html" },
	{ "htm",	"text/html" },
	{ "xml",	"application/xml" },
	{ "atom",	"application/atom+xml" },
	{ "rss",	"application/rss+xml" },
	{ "json",	"application/json" },
	{ "js",		"text/javascript" },
	{ "svg",	"image/svg+xml" },
	{ "png",	"image/png" },
	{ "jpg",	"image/jpeg" },
	{ "jpeg",	"image/jpeg" },
	{ "gif",	"image/gif" },
	{ "webp",	"image/webp" },
	{ "pdf",	"application/pdf" },
	{ "mp3",	"audio/mpeg" },
	{ "ogg",	"audio/ogg" },
	{ "opus",	"audio/ogg" },
	{ "flac",	"audio/flac" },
	{ "wav",	"audio/wav" },
};

const char *
mime_ext(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || dot == name || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof(mime_table) / sizeof(mime_table[0]); i++)
		if (strcasecmp(dot + 1, mime_table[i].ext) == 0)
			return mime_table[i].type;
	return NULL;
}

struct mime *
mime_new(char *err, size_t errlen)
{
	struct mime *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		(void)!snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/*
	 * MAGIC_NO_CHECK_COMPRESS and friends: never run decompressors or
	 * look inside archives for a request's sake.  No text tests either
	 * (mime_text does that): they compile libmagic's regular expressions
	 * into 3 MB a worker, kept for good, and take milliseconds a file.
	 */
	m->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
	    MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_TEXT |
	    MAGIC_NO_CHECK_ENCODING | MAGIC_ERROR);
	if (m->magic == NULL || magic_load(m->magic, NULL) == -1) {
		(void)!snprintf(err, errlen, "libmagic: %s", m->magic ?
		    magic_error(m->magic) : "magic_open failed");
		mime_free(m);
		return NULL;
	}
	return m;
}

void
mime_free(struct mime *m)
{
	if (m == NULL)
		return;
	if (m->magic)
		magic_close(m->magic);
	free(m);
}

/* Whether p is the start of a character cut off by the end of a sample. */
static int
mime_cut(const unsigned char *p, size_t n)
{
	size_t need, k;

	if (p[0] < 0xC2 || p[0] >= 0xF5)
		return 0;
	need = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
	if (n >= need)
		return 0;
	for (k = 1; k < n; k++)
		if ((p[k] & 0xC0) != 0x80)
			return 0;
	return 1;
}

const char *
mime_text(const char *buf, size_t len, int more)
{
	const unsigned char	*u = (const unsigned char *)buf;
	uint32_t		 cp;
	size_t			 i, n;
	int			 utf8 = 1;

	for (i = 0; i < len; i += n) {
		n = charset_decode(buf + i, len - i, &cp);
		if (cp == CHARSET_INVALID) {
			if (more && mime_cut(u + i, len - i))
				break;
			utf8 = 0;
			break;
		}
		if (charset_is_control(cp) && !MIME_TEXT_CONTROL(cp))
			return NULL;
	}
	if (utf8)
		return "text/plain";
	/* not UTF-8: Latin-1, if it has no C1 control */
	for (i = 0; i < len; i++)
		if (charset_is_control(u[i]) && !MIME_TEXT_CONTROL(u[i]))
			return NULL;
	return "text/plain; charset=iso-8859-1";
}

const char *
mime_type(struct mime *m, const char *name, int fd)
{
	static const char	 bytes[] = "application/octet-stream";
	const char		*t;
	char			*buf;
	ssize_t			 n;

	if ((t = mime_ext(name)) != NULL)
		return t;
	/* one read serves libmagic's signatures and the look for text */
	if ((buf = malloc(MIME_BYTES_MAX)) == NULL ||
	    (n = pread(fd, buf, MIME_BYTES_MAX, 0)) == -1) {
		free(buf);
		return bytes;
	}
	t = magic_buffer(m->magic, buf, (size_t)n);
	if (t == NULL || strcmp(t, bytes) == 0)	/* no signature it knows */
		t = mime_text(buf, n < MIME_TEXT_SAMPLE ? (size_t)n :
		    MIME_TEXT_SAMPLE, n > MIME_TEXT_SAMPLE);
	free(buf);
	return t != NULL ? t : bytes;
}
