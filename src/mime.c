#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <magic.h>

#include "mime.h"

/* What libmagic reads of a file to tell its type. */
#define MIME_BYTES_MAX	(64 * 1024)

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
	 * look inside archives for a request's sake.
	 */
	m->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
	    MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_ELF | MAGIC_ERROR);
	if (m->magic == NULL || magic_load(m->magic, NULL) == -1) {
		(void)!snprintf(err, errlen, "libmagic: %s", m->magic ?
		    magic_error(m->magic) : "magic_open failed");
		mime_free(m);
		return NULL;
	}
	/*
	 * A type shows in a file's first bytes; libmagic's default reads a
	 * megabyte and scans it all for the text tests, which made every
	 * request for a large file of unknown extension cost milliseconds.
	 */
	(void)magic_setparam(m->magic, MAGIC_PARAM_BYTES_MAX, &(size_t){
	    MIME_BYTES_MAX });
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

const char *
mime_type(struct mime *m, const char *name, int fd)
{
	const char *t;

	if ((t = mime_ext(name)) != NULL)
		return t;
	if ((t = magic_descriptor(m->magic, fd)) == NULL)
		return "application/octet-stream";
	return t;
}
