/*
 * The Gopher protocol (RFC 1436): a selector in, the capsule out, every
 * .gmi page rendered on the fly as a menu and, on request, as plain text.
 */
#ifndef YURT_GOPHER_H
#define YURT_GOPHER_H

struct proto;

/*
 * The selector prefix of a page's plain-text rendering: "/.text/a.gmi"
 * is /a.gmi as text.  A dot-directory can never hold a real file.
 */
#define GOPHER_TEXT_PREFIX	"/.text"

extern const struct proto gopher_proto;

#endif
