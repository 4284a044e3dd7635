/* Unit tests for src/gopherplus.c: Gopher+ attribute blocks. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gopherplus.h"
#include "tap.h"

static struct buf out;

/* Every item of ours is a day old, 2 KB, and /p.gmi has a text view. */
static int
item(void *arg, char type, const char *sel, size_t sellen,
    struct gopherplus_item *it)
{
	int	*calls = arg;

	(*calls)++;
	it->date = 86400;
	it->size = 2048;
	it->text_view = sellen == 6 && memcmp(sel, "/p.gmi", 6) == 0;
	if (type == 'I')
		it->view = "image/png";
	return 0;
}

static const char *
menu(const char *m, int *calls)
{
	struct gopherplus_opts	 o = { "h.example", "70", 0, item, calls };

	buf_reset(&out);
	if (gopherplus_menu(&out, &o, m, strlen(m)) == -1)
		return "(failed)";
	return out.len ? out.data : "";
}

int
main(void)
{
	int	 calls = 0;

	buf_init(&out, 0);
	tap_streq(menu("1Page\t/p.gmi\th.example\t70\r\n.\r\n", &calls),
	    "+INFO: 1Page\t/p.gmi\th.example\t70\t+\r\n"
	    "+ADMIN:\r\n"
	    " Admin: the operator of h.example <>\r\n"
	    " Mod-Date: <19700102000000>\r\n"
	    "+VIEWS:\r\n"
	    " application/gopher-menu: <2k>\r\n"
	    " text/plain: <2k>\r\n"
	    ".\r\n", "a page: menu and text views, its date and size");
	tap_ok(calls == 1, "... asked of the caller once");
	calls = 0;
	tap_streq(menu("iJust text\t\th.example\t70\r\n"
	    "0Elsewhere\t/x.txt\tother.example\t70\r\n.\r\n", &calls),
	    "+INFO: iJust text\t\th.example\t70\t+\r\n"
	    "+ADMIN:\r\n"
	    " Admin: the operator of h.example <>\r\n"
	    " Mod-Date: <19700101000000>\r\n"
	    "+VIEWS:\r\n"
	    "+INFO: 0Elsewhere\t/x.txt\tother.example\t70\t+\r\n"
	    "+ADMIN:\r\n"
	    " Admin: the operator of h.example <>\r\n"
	    " Mod-Date: <19700101000000>\r\n"
	    "+VIEWS:\r\n"
	    " text/plain: <0k>\r\n"
	    ".\r\n", "an info line has no view; another server's item is "
	    "not asked about");
	tap_ok(calls == 0, "... the caller was not asked");
	tap_streq(menu("IPic\t/a.png\th.example\t70\r\n.\r\n", &calls) +
	    strlen("+INFO: IPic\t/a.png\th.example\t70\t+\r\n+ADMIN:\r\n"
	    " Admin: the operator of h.example <>\r\n"
	    " Mod-Date: <19700102000000>\r\n"),
	    "+VIEWS:\r\n image/png: <2k>\r\n.\r\n", "the caller's view");
	tap_streq(menu("hWeb\tURL:https://w.example/\th.example\t70\r\n.\r\n",
	    &calls) + strlen("+INFO: hWeb\tURL:https://w.example/\th.example"
	    "\t70\t+\r\n+ADMIN:\r\n"
	    " Admin: the operator of h.example <>\r\n"
	    " Mod-Date: <19700102000000>\r\n"),
	    "+VIEWS:\r\n.\r\n", "an HTML item offers no text/html view "
	    "(the UMN client would rewrite its selector)");
	tap_streq(menu("no tabs here\r\n.\r\n", &calls), "(failed)",
	    "a line that is no menu item fails");
	tap_streq(menu("1A\t/\th.example\t70", &calls), "(failed)",
	    "... and a line without its line end");
	tap_streq(menu(".\r\n", &calls), ".\r\n", "an empty menu");
	buf_free(&out);
	return tap_done();
}
