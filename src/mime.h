/*
 * Content types and Gopher item types: one extension table first, for the types libmagic gets
 * wrong or cannot know (text/gemini above all), then libmagic's binary
 * signatures, then a look at the bytes for text.  One
 * struct mime per worker thread, since a magic_t is not thread-safe.
 */
#ifndef YURT_MIME_H
#define YURT_MIME_H

#include <stddef.h>

struct mime;

struct mime *mime_new(char *err, size_t errlen);
void	mime_free(struct mime *);
/* The type of an open file called name; never NULL. */
const char *mime_type(struct mime *, const char *name, int fd);
/* The type from the extension alone, or NULL. */
const char *mime_ext(const char *name);
/*
 * The Gopher item type from the name alone: '1' for a directory (a name
 * ending in '/', or none), the extension's, or 0 when it tells nothing.
 */
char	mime_item(const char *name);
/* The Gopher item type of a content type, for files with no known name. */
char	mime_item_of(const char *type);
/*
 * "text/plain" for UTF-8 text (ASCII included), with charset=iso-8859-1
 * for other text, NULL for anything with other control characters.  buf
 * is a file's start; more says the file goes on (a character may be cut).
 */
const char *mime_text(const char *buf, size_t len, int more);

#endif
