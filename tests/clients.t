#!/bin/bash
# The capsule in the Gopher clients its readers really run (issue 13):
# curl, lynx -dump, VF-1 (commands on stdin), and the UMN gopher client
# and sacc, driven in a detached tmux (send-keys, capture-pane).  Each
# opens the main menu, follows a link to every page, reads the testimony
# to its last paragraph, opens the plain-text view and reaches an "h"
# URL: item, with -C utf-8, latin1 and ascii.  What is looked for is
# taken from capsule/ at test time (titles, the testimony's last
# paragraph), so an edit of the capsule needs no edit here.
. "$(dirname "$0")/lib.sh"

for c in tmux gopher sacc vf1 lynx; do
	command -v "$c" >/dev/null 2>&1 || {
		"$YURT_TOP/tests/need-packages" test tmux gopher sacc vf1 lynx \
		    >/dev/null 2>&1; break; }
done
ok '(command -v tmux && command -v gopher && command -v sacc && command -v vf1 &&
    command -v lynx && command -v curl) >/dev/null' "tmux, gopher, sacc, vf1, lynx and curl are installed"

CAP="$YURT_TOP/capsule"
R="$T/root"
mkdir -p "$R"
cp -R "$CAP/." "$R/"
TMUX_SOCK="yurt-clients-$$"

# The pages the main menu links to, in its order.
PAGES=$(sed -n 's/^=>[ 	]*\([^ 	:]*\.gmi\)\([ 	].*\)\{0,1\}$/\1/p' "$CAP/index.gmi")
ok '[ "$(echo "$PAGES" | wc -w)" -ge 3 ]' "the main menu links pages ($(echo $PAGES))"

# probe FILE — words to look for on a page: the last four consecutive
# words of ASCII letters of its title (they read the same in every charset)
title_probe() {
	perl -ne 'if (/^#\s*(.*\S)/) { my @w = grep { /^[A-Za-z][A-Za-z,.;:()-]*$/ } split /\s+/, $1;
		print join(" ", @w[0 .. ($#w < 1 ? $#w : 1)]), "\n"; exit }' "$1"
}
# the last four ASCII words of the testimony's last paragraph of text
# (not a link, heading, list, quote or preformatted line)
last_words() {
	perl -e 'my ($pre, $last) = (0, "");
		while (<>) { s/\r?\n\z//;
			if (/^```/) { $pre = !$pre; next } next if $pre;
			next if /^(=>|#|\*|>)/ || !/\S/; $last = $_ }
		my @w = split /\s+/, $last; my @run;
		for my $x (reverse @w) { last unless $x =~ /^[\x21-\x7e]+$/; unshift @run, $x; last if @run == 4 }
		print join(" ", @run), "\n"' "$1"
}
LAST=$(last_words "$CAP/testimony.gmi")
ok '[ "$(echo "$LAST" | wc -w)" -ge 2 ]' "the testimony's last paragraph ends with words to find ($LAST)"

# flat FILE — the text as one line: runs of white space made one space,
# terminal escapes out (a wrapped paragraph reads as one)
flat() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1" | tr -s ' \t\r\n' '    '; }
has_words() { flat "$1" | grep -qF -- "$2"; }
# a menu as curl prints it: the display fields only
displays() { cut -f1 "$1" | cut -c2- >"$1.d"; echo "$1.d"; }

# An "h" item (URL: selector) on some page, for each client to reach.
h_item() {
	grep -h "^h[^	]*	URL:" "$@" | head -n 1
}

# umn_read FILE — page through what the screen shows (space), to its
# last page ("Page: N/N" in a menu, "100%" in the pager), each screen's
# lines but the title and the footer appended to FILE
umn_read() {
	local i
	: >"$1"
	for i in $(seq 1 60); do
		sleep 0.3
		umn_screen "$1.s"
		sed -e '1,2d' -e '/^Press ? for Help/d' -e '/^\[Help: ?\]/d' \
		    -e '/^+---*+$/d' "$1.s" >>"$1"
		grep -qE 'Page: ([0-9]+)/\1 *$|100%' "$1.s" && return 0
		umn_keys Space 2>/dev/null || umn_keys " "
	done
	return 1
}

umn_keys() {
	tmux -L "$TMUX_SOCK" send-keys -t c "$@"
	sleep 0.4
}
umn_screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t c >"$1"; }
# wait_screen FILE TEXT — up to ~5 s for TEXT on the tmux screen
wait_screen() {
	local i
	for i in $(seq 1 25); do
		umn_screen "$1"
		has_words "$1" "$2" && return 0
		sleep 0.2
	done
	return 1
}

# clients_run CHARSET — every client against a server started with -C CHARSET.
clients_run() {
	local cs=$1
	ok "yurt_start -R 0 -C $cs" "$cs: server starts"
	GP=$YURT_GOPHER_PORT
	U="gopher://127.0.0.1:$GP"

	# --- curl: the raw replies --------------------------------------
	curl -s -m 10 "$U/1/" >"$T/c.menu"
	ok 'grep -q "^1" "$T/c.menu" && has_words "$(displays "$T/c.menu")" "$(title_probe "$CAP/index.gmi")"' \
	    "$cs curl: the main menu"
	for p in $PAGES; do
		sel=$(grep -m1 "^1[^	]*	/$p	" "$T/c.menu" | cut -f2)
		curl -s -m 10 "$U/1$sel" >"$T/c.$p"
		ok '[ -n "$sel" ] && has_words "$(displays "$T/c.$p")" "$(title_probe "$CAP/$p")"' \
		    "$cs curl: the menu's link to $p opens it"
	done
	ok 'has_words "$(displays "$T/c.testimony.gmi")" "$LAST"' \
	    "$cs curl: the testimony to its last paragraph"
	tsel=$(grep -m1 "^0[^	]*	[^	]*\.text/testimony.gmi	" "$T/c.testimony.gmi" | cut -f2)
	curl -s -m 10 "$U/0$tsel" >"$T/c.text"
	ok '[ -n "$tsel" ] && has_words "$T/c.text" "$LAST" && [ "$(tail -c 3 "$T/c.text")" != $'"'"'.\r\n'"'"' ]' \
	    "$cs curl: the plain-text view, to the end, no . line"
	h=$(h_item "$T"/c.*.gmi)
	hsel=$(printf '%s' "$h" | cut -f2)
	hurl=${hsel#URL:}
	curl -s -m 10 "$U/h$hsel" >"$T/c.h"
	ok '[ -n "$hurl" ] && grep -qF "HREF=\"$hurl\"" "$T/c.h"' "$cs curl: an h URL: item leads to its URL"

	# --- lynx -dump ---------------------------------------------------
	lynx -dump -nolist "$U/1/" >"$T/l.menu" 2>/dev/null
	ok 'has_words "$T/l.menu" "$(title_probe "$CAP/index.gmi")"' "$cs lynx: the main menu"
	lynx -dump "$U/1/" >"$T/l.menul" 2>/dev/null
	for p in $PAGES; do
		# the link as lynx lists it, followed
		link=$(grep -o "gopher://[^ ]*/1/$p\$" "$T/l.menul" | head -n 1)
		lynx -dump -nolist "$link" >"$T/l.$p" 2>/dev/null
		ok '[ -n "$link" ] && has_words "$T/l.$p" "$(title_probe "$CAP/$p")"' \
		    "$cs lynx: follows the link to $p"
	done
	ok 'has_words "$T/l.testimony.gmi" "$LAST"' "$cs lynx: the testimony to its last paragraph"
	lynx -dump -nolist "$U/0$tsel" >"$T/l.text" 2>/dev/null
	ok 'has_words "$T/l.text" "$LAST" && [ "$(grep -v "^ *$" "$T/l.text" | tail -n 1 | tr -d " ")" != . ]' \
	    "$cs lynx: the plain-text view, to the end, no . shown"
	lynx -dump -nolist "$U/h$hsel" >"$T/l.h" 2>/dev/null
	ok 'grep -q "out of Gopherspace" "$T/l.h"' "$cs lynx: an h URL: item"

	# --- VF-1: commands on stdin ----------------------------------------
	# its numbers count the menu's items that are not info lines
	num() { grep -v "^i" "$1" | grep -n -m1 "	$2	" | cut -d: -f1; }
	{
		echo "go $U/1/"
		for p in $PAGES; do
			echo "$(num "$T/c.menu" "/$p")"
			echo back
		done
		echo "go $U/1/testimony.gmi"
		echo "$(num "$T/c.testimony.gmi" "$tsel")"
		echo quit
	} >"$T/v.in"
	HOME=$T timeout 60 vf1 <"$T/v.in" >"$T/v.out" 2>&1
	ok 'has_words "$T/v.out" "$(title_probe "$CAP/index.gmi")"' "$cs VF-1: the main menu"
	for p in $PAGES; do
		ok 'has_words "$T/v.out" "$(title_probe "$CAP/$p")"' "$cs VF-1: follows the link to $p"
	done
	ok '[ "$(flat "$T/v.out" | grep -oF -- "$LAST" | wc -l)" -ge 1 ]' \
	    "$cs VF-1: the testimony to its last paragraph"
	ok 'grep -q "^\[L1\]" "$T/v.out" && ! grep -q "^\.\s*$" "$T/v.out"' \
	    "$cs VF-1: the plain-text view, no . shown"
	hpage=$(grep -l "^h[^	]*	URL:" "$T"/c.*.gmi | head -n 1)
	hp=${hpage##*/c.}
	printf 'go %s/1/%s\n%s\nquit\n' "$U" "$hp" "$(num "$hpage" "$hsel")" |
	    HOME=$T timeout 30 vf1 >"$T/v.h" 2>&1
	ok 'grep -qF "$hurl" "$T/v.h"' "$cs VF-1: an h URL: item shows its URL"

	# --- the UMN gopher client, in tmux ----------------------------------
	# On an "h" item it runs the display command gopherrc(5) maps
	# text/html to, with the item's gopher:// URL (the default map is
	# "lynx -force_html %s"): that viewer fetches the item from yurt.
	printf '#!/bin/sh\nlynx -dump -force_html "$@" >"%s" 2>&1\n' "$T/u.h" \
	    >"$T/html-viewer"
	chmod +x "$T/html-viewer"
	printf 'map: text/html,%s %%s,\n' "$T/html-viewer" >"$T/.gopherrc"
	rm -f "$T/u.h"
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	HOME=$T LANG=C tmux -L "$TMUX_SOCK" new-session -d -s c -x 100 -y 40 \
	    "gopher 127.0.0.1 $GP"
	wait_screen "$T/u.s" "RETURN" && umn_keys Enter
	ok 'wait_screen "$T/u.s" "$(title_probe "$CAP/index.gmi")"' "$cs UMN gopher: the main menu"
	cp "$T/u.s" "$T/u.menu"
	for p in $PAGES; do
		# the item's number on the screen, by its label in the menu
		label=$(grep -m1 "^1[^	]*	/$p	" "$T/c.menu" | cut -f1 | cut -c2-)
		n=$(grep -F -- "$label" "$T/u.menu" | grep -o '\[ *[0-9]*\]' | head -n 1 | tr -dc 0-9)
		umn_keys "$n" && umn_keys Enter
		tn=$n
		ok '[ -n "$n" ] && wait_screen "$T/u.$p" "$(title_probe "$CAP/$p")"' \
		    "$cs UMN gopher: follows the link to $p"
		if [ "$p" = testimony.gmi ]; then
			umn_read "$T/u.end"
			ok 'has_words "$T/u.end" "$LAST"' \
			    "$cs UMN gopher: the testimony to its last paragraph"
			umn_keys u && umn_keys "$tn" && umn_keys Enter
			wait_screen "$T/u.t" "$(title_probe "$CAP/$p")"
			tl=$(grep -m1 "	$tsel	" "$T/c.testimony.gmi" | cut -f1 | cut -c2-)
			n=$(grep -F -- "$tl" "$T/u.t" | grep -o '\[ *[0-9]*\]' | head -n 1 | tr -dc 0-9)
			umn_keys "$n" && umn_keys Enter
			umn_read "$T/u.text"
			ok '[ -n "$n" ] && has_words "$T/u.text" "$LAST" && has_words "$T/u.text" "[L1]"' \
			    "$cs UMN gopher: the plain-text view, to the end"
			umn_keys u
		fi
		if [ "c.$p" = "${hpage##*/}" ]; then
			# its number counts every line of the menu; OK the
			# warning that a browser is started
			n=$(grep -n -m1 "	$hsel	" "$hpage" | cut -d: -f1)
			umn_keys "$n" && umn_keys Enter
			wait_screen "$T/u.hw" "HTML Browser" && umn_keys Enter
			for i in $(seq 1 50); do [ -s "$T/u.h" ] && break; sleep 0.2; done
			ok '[ -n "$n" ] && grep -qF "$hurl" "$T/u.h"' \
			    "$cs UMN gopher: an h URL: item, its viewer shows the page leading to its URL"
		fi
		umn_keys u
	done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null

	# --- sacc, in tmux: J moves to the next link, l opens it --------------
	# linkno MENU SELECTOR — the item's rank among the menu's links
	linkno() { num "$@"; }
	# the pager sacc runs for text: keep what it is given
	printf '#!/bin/sh\ncat >"%s"\n' "$T/s.pager" >"$T/pager"
	chmod +x "$T/pager"
	rm -f "$T/s.pager"
	# the plumber sacc runs for what it cannot open itself (xdg-open,
	# fixed at build time, found in PATH): keep what it is given
	mkdir -p "$T/plumb"
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" >>"%s"\n' "$T/s.plumbed" \
	    >"$T/plumb/xdg-open"
	chmod +x "$T/plumb/xdg-open"
	rm -f "$T/s.plumbed"
	HOME=$T LANG=C PAGER=$T/pager PATH="$T/plumb:$PATH" \
	    tmux -L "$TMUX_SOCK" new-session -d -s c -x 100 -y 40 "sacc $U/1/"
	ok 'wait_screen "$T/s.menu" "$(title_probe "$CAP/index.gmi")"' "$cs sacc: the main menu"
	sacc_open() {	# sacc_open MENU SELECTOR: from the top, to it, open
		local i k
		k=$(linkno "$1" "$2")
		[ -n "$k" ] || return 1
		umn_keys g
		for i in $(seq 1 "$k"); do umn_keys J; done
		umn_keys l
	}
	for p in $PAGES; do
		sacc_open "$T/c.menu" "/$p"
		ok 'wait_screen "$T/s.$p" "$(title_probe "$CAP/$p")"' "$cs sacc: follows the link to $p"
		if [ "$p" = testimony.gmi ]; then
			# to its end (G), each line without sacc's 5-column type
			umn_keys G
			umn_screen "$T/s.end.s"
			sed -e '$d' -e 's/^.....//' "$T/s.end.s" >"$T/s.end"
			ok 'has_words "$T/s.end" "$LAST" && grep -q "^100%" "$T/s.end.s"' \
			    "$cs sacc: the testimony to its last paragraph"
			sacc_open "$T/c.testimony.gmi" "$tsel"
			for i in $(seq 1 25); do [ -s "$T/s.pager" ] && break; sleep 0.2; done
			ok 'has_words "$T/s.pager" "$LAST" && has_words "$T/s.pager" "[L1]"' \
			    "$cs sacc: the plain-text view, to the end"
		fi
		if [ "c.$p" = "${hpage##*/}" ]; then
			k=$(linkno "$hpage" "$hsel")
			umn_keys g
			for i in $(seq 1 "$k"); do umn_keys J; done
			umn_keys u
			umn_screen "$T/s.h"
			ok 'grep -qF "$hurl" "$T/s.h"' "$cs sacc: an h URL: item, its URI shown"
			umn_keys l
			for i in $(seq 1 25); do [ -s "$T/s.plumbed" ] && break; sleep 0.2; done
			ok '[ -n "$hurl" ] && grep -qxF "$hurl" "$T/s.plumbed"' \
			    "$cs sacc: an h URL: item opened, its URL given to the plumber"
		fi
		umn_keys h
	done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null

	ok 'yurt_stop' "$cs: server stops cleanly"
}

test_utf8() { clients_run utf-8; }
test_latin1() { clients_run latin1; }
test_ascii() { clients_run ascii; }

run_tests
