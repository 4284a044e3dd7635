#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <magic.h>

#include "charset.h"
#include "mime.h"
#include "nitems.h"

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
 * The one table of names: what an extension says of a file, its content
 * type (for Gemini) and its Gopher item type.  libmagic guesses gemtext,
 * stylesheets, SVG and Markdown as text/plain (or worse); these names are
 * unambiguous.  A NULL type is left to libmagic and the look for text, a
 * 0 item type to the content type (mime_item_of).
 */
static const struct {
	const char	*ext;
	const char	*type;
	char		 item;
} mime_table[] = {
	{ "gmi",	"text/gemini",		'1' },
	{ "gemini",	"text/gemini",		'1' },
	{ "txt",	"text/plain",		'0' },
	{ "text",	NULL,			'0' },
	{ "md",		"text/markdown; charset=utf-8", '0' },
	{ "asc",	NULL,			'0' },
	{ "log",	NULL,			'0' },
	{ "css",	"text/css",		0 },
	{ "csv",	"text/csv",		'0' },
	{ "html",	"text/html",		'h' },
	{ "htm",	"text/html",		'h' },
	{ "xhtml",	NULL,			'h' },
	{ "xml",	"application/xml",	0 },
	{ "atom",	"application/atom+xml",	0 },
	{ "rss",	"application/rss+xml",	0 },
	{ "json",	"application/json",	0 },
	{ "js",		"text/javascript",	0 },
	{ "svg",	"image/svg+xml",	'I' },
	{ "png",	"image/png",		'I' },
	{ "jpg",	"image/jpeg",		'I' },
	{ "jpeg",	"image/jpeg",		'I' },
	{ "gif",	"image/gif",		'g' },
	{ "webp",	"image/webp",		'I' },
	{ "bmp",	NULL,			'I' },
	{ "ico",	NULL,			'I' },
	{ "tif",	NULL,			'I' },
	{ "tiff",	NULL,			'I' },
	{ "avif",	NULL,			'I' },
	{ "pdf",	"application/pdf",	'd' },
	{ "ps",		NULL,			'd' },
	{ "doc",	NULL,			'd' },
	{ "docx",	NULL,			'd' },
	{ "odt",	NULL,			'd' },
	{ "rtf",	NULL,			'd' },
	{ "epub",	NULL,			'd' },
	{ "mp3",	"audio/mpeg",		's' },
	{ "ogg",	"audio/ogg",		's' },
	{ "oga",	NULL,			's' },
	{ "opus",	"audio/ogg",		's' },
	{ "flac",	"audio/flac",		's' },
	{ "wav",	"audio/wav",		's' },
	{ "m4a",	NULL,			's' },
	{ "aac",	NULL,			's' },
	{ "mid",	NULL,			's' },
	{ "midi",	NULL,			's' },
};

/* The table's row for the extension after dot, or -1. */
static int
mime_row(const char *dot)
{
	size_t	 i;

	for (i = 0; i < NITEMS(mime_table); i++)
		if (strcasecmp(dot + 1, mime_table[i].ext) == 0)
			return (int)i;
	return -1;
}

const char *
mime_ext(const char *name)
{
	const char	*dot = strrchr(name, '.');
	int		 i;

	if (dot == NULL || dot == name || strchr(dot, '/') != NULL ||
	    (i = mime_row(dot)) == -1)
		return NULL;
	return mime_table[i].type;
}

char
mime_item(const char *name)
{
	const char	*dot, *slash;
	size_t		 n = strlen(name);
	int		 i;

	if (n == 0 || name[n - 1] == '/')
		return '1';
	slash = strrchr(name, '/');
	dot = strrchr(name, '.');
	if (dot == NULL || (slash != NULL && dot < slash) ||
	    (i = mime_row(dot)) == -1)
		return 0;
	return mime_table[i].item;
}

char
mime_item_of(const char *mime)
{
	if (strncmp(mime, "text/html", 9) == 0)
		return 'h';
	if (strncmp(mime, "text/gemini", 11) == 0)
		return '1';
	if (strncmp(mime, "text/", 5) == 0)
		return '0';
	if (strncmp(mime, "image/gif", 9) == 0)
		return 'g';
	if (strncmp(mime, "image/", 6) == 0)
		return 'I';
	if (strncmp(mime, "audio/", 6) == 0)
		return 's';
	if (strcmp(mime, "application/pdf") == 0 ||
	    strcmp(mime, "application/postscript") == 0 ||
	    strncmp(mime, "application/vnd.oasis.opendocument", 34) == 0 ||
	    strncmp(mime, "application/msword", 18) == 0 ||
	    strncmp(mime, "application/vnd.openxmlformats", 30) == 0)
		return 'd';
	return '9';
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
