#!/bin/bash
# Black-box tests of the Gopher side (SPEC §2): start the real yurt on
# loopback and talk to it with real clients (curl, lynx) and with raw
# bytes over a plain TCP socket (perl).  Every loop here is bounded.
. "$(dirname "$0")/lib.sh"

command -v lynx >/dev/null 2>&1 ||
    "$YURT_TOP/tests/need-packages" test lynx >/dev/null 2>&1
ok 'command -v curl >/dev/null && command -v lynx >/dev/null && command -v perl >/dev/null' \
    "curl, lynx and perl are installed"

# --- fixtures ------------------------------------------------------------

R="$T/root"
mkdir -p "$R/dir" "$R/sub" "$R/listdir" "$R/.hiddendir" "$T/outside"
cat >"$R/index.gmi" <<'EOF'
# Test capsule

INDEX-MARKER
=> page.gmi A page
=> links.gmi All the links
=> render.gmi Rendering
=> latin.gmi Latin-1 text
=> dir/ A directory
=> listdir/ A listing
EOF
cat >"$R/page.gmi" <<'EOF'
# Page

PAGE-MARKER
.leading dot paragraph
.
..
```
.pre dot
```
=> links.gmi To links
=> https://example.com/out Out
EOF
# links.gmi is written once the ports are known (it links to our own
# Gemini port); this is the part that does not depend on them.
links_gmi() {
	cat <<EOF
# Links
=> sub/page.gmi Sub page
=> notes.txt Notes
=> anim.gif Gif
=> pic.png Png
=> page.html Html
=> song.mp3 Mp3
=> doc.pdf Pdf
=> blob.xyz Blob
=> picture Magic picture
=> dir/ Dir slash
=> dir Dir noslash
=> /sub/other.txt Absolute path
=> gopher://example.org:7071/0/some/file.txt Remote gopher
=> gopher://example.net/1/menu Remote menu
=> gopher://example.org/0/a%0D%0Aievil%09x%09evil.example%0970 Injection
=> http://example.com/a?b=c Http
=> https://example.com/x Https
=> gemini://other.example/p.gmi Other gemini
=> gemini://localhost:$YURT_PORT/page.gmi Own gemini
=> mailto:someone@example.com Mail
=> https://example.com/"><script>alert(1)</script> Xss
=> javascript:alert(1) Js
=> page.gmi Label	with	tab
=> page.gmi Label with CR
=> tab%09name.txt Tab file
=> missing.gmi Missing
=> page.gmi A very long label that goes on and on well past the sixty-seven columns of a menu line LONG-END
EOF
}
# The CR inside a label: a gemtext line only ends at LF.
write_links() {
	links_gmi | sed 's/Label with CR/Label\rwith CR/' >"$R/links.gmi"
}
printf '# Dir index\n=> ../page.gmi Up\n' >"$R/dir/index.gmi"
printf '# Sub page\n=> ../links.gmi Back\n=> other.txt Other\n' >"$R/sub/page.gmi"
printf 'other\n' >"$R/sub/other.txt"
PNG='iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
printf '%s' "$PNG" | base64 -d >"$R/pic.png"
printf '%s' "$PNG" | base64 -d >"$R/picture"
printf 'GIF89a\001\000\001\000\000\000\000;' >"$R/anim.gif"
printf '<html><body>hi</body></html>\n' >"$R/page.html"
printf 'ID3\003\000\000\000\000\000\000' >"$R/song.mp3"
printf '%%PDF-1.4\n%%%%EOF\n' >"$R/doc.pdf"
head -c 4096 /dev/urandom >"$R/blob.xyz"
printf 'plain notes\n' >"$R/notes.txt"
printf 'tab file\n' >"$R/tab	name.txt"
printf 'a\n' >"$R/listdir/a.txt"
printf 'tab\n' >"$R/listdir/tab	name.txt"
printf 'newline\n' >"$R/listdir/x
iinjected	sel	evil.example	70"
printf 'HIDDEN-MARKER\n' >"$R/.hidden"
printf 'HIDDEN-MARKER\n' >"$R/.hiddendir/file.txt"
printf 'TOPSECRET-OUTSIDE\n' >"$T/outside/secret.txt"
ln -s "$T/outside/secret.txt" "$R/escape.txt"
printf '' >"$R/empty.gmi"
printf '# Bad \xff\xfe bytes\nText with \xc3 truncated and \xed\xa0\x80 surrogate.\n=> page.gmi Bad\xffLabel\n' \
    >"$R/badutf.gmi"
# Terminal escapes, C0 and C1 controls, DEL and NUL in every kind of line.
printf '# Esc\033[1m\nRed \033[31mRED\033[0m C1 \xc2\x9b31m DEL \x7f NUL \000 end\n=> page.gmi Link\033[2J label\n```\npre \033]0;title\a end\n```\n* item \001\002\003 x\n> quote \x0b\x0c end\n' \
    >"$R/ctl.gmi"
# Links that must not become items.
printf '=> .hidden Hidden\n=> .hiddendir/file.txt Hiddendir\n=> ../../etc/passwd Passwd\n=> escape.txt Escape\n=> %%2e%%2e/%%2e%%2e/etc/passwd Encoded\n' \
    >"$R/dead.gmi"
# Wrapping puts ".dotword" at the start of the second line.
printf 'Aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm .dotword wrapped here\n' \
    >"$R/dotwrap.gmi"
# A file whose selector is exactly 1024 bytes (SELECTOR_MAX).
LONGSEL=""
for c in a b c d; do
	LONGSEL="$LONGSEL/$(printf "$c%.0s" $(seq 200))"
done
mkdir -p "$R$LONGSEL"
LONGSEL="$LONGSEL/$(printf 'f%.0s' $(seq 215)).txt"
printf 'LONGPATH-MARKER\n' >"$R$LONGSEL"
printf '=> %s Long\n' "${LONGSEL#/}" >"$R/long.gmi"
head -c 2097152 /dev/urandom >"$R/big.bin"
BIGSUM=$(sha256sum <"$R/big.bin" | cut -d' ' -f1)

# Multibyte words: 67 characters of them are far more than 67 bytes.
MB='Été déjà là où ça café crème brûlée naïve façade Ülm öl ärger über élève à côté de lʼhôtel près du marché forêt île'
cat >"$R/render.gmi" <<EOF
# Café Ünïcödé

Text
## Zweite Überschrift
### Trois été
end
* A list item that is long enough to wrap across more than one line of sixty-seven columns, LIST-END
> A quotation that is long enough to wrap across more than one line of sixty-seven columns, QUOTE-END
\`\`\`alt text
PRE	TAB	EXPANDED and a very long line that would be wrapped if it were not preformatted 0123456789
\`\`\`
$MB $MB
EOF
# Only characters ISO-8859-1 has.
cat >"$R/latin.gmi" <<'EOF'
# Été à Zürich

Ça coûte 5 £, « déjà vu », ½ × 3 ÷ 2 ± 1, naïve façade, ©®°¿¡ñÑßøÅæ.
* Crème brûlée
=> page.gmi Página
EOF

OUT="$T/out"

# --- helpers ---------------------------------------------------------------

# gcurl TYPE+SELECTOR — what curl gets for gopher://127.0.0.1:PORT/TYPESEL.
gcurl() {
	curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/$1"
}

# gdrip DELAY-MS — like graw, one byte every DELAY-MS milliseconds.
gdrip() {
	perl -e '
		use IO::Socket::INET; use Time::HiRes qw(usleep);
		binmode STDIN; binmode STDOUT;
		local $/; my $req = <STDIN>;
		$SIG{ALRM} = sub { exit 4 }; alarm 20;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Proto => "tcp") or exit 2;
		$s->autoflush(1);
		for my $c (split //, $req) { print $s $c; usleep($ARGV[1] * 1000) }
		my $b; while (sysread($s, $b, 65536)) { print $b }
		exit 0;' "$YURT_GOPHER_PORT" "$1"
}

# disp FILE — the display text of each info line of a menu.
disp() {
	perl -ne 'print "$1\n" if /^i([^\t]*)\t/' "$1"
}

# maxcols — the longest line on stdin, in UTF-8 characters (CR dropped).
maxcols() {
	perl -CSD -ne 's/\r?\n\z//; $m = length if length > $m;
	    END { print $m + 0, "\n" }'
}

# ends_dot FILE — FILE ends with the ".\r\n" line.
ends_dot() {
	[ "$(tail -c 3 "$1"; echo x)" = $'.\r\nx' ]
}

# has_re FILE ERE — a line of FILE (CRLF-terminated) matches ^ERE$.
has_re() {
	grep -qaE -- "^$2"$'\r$' "$1"
}

# has_line FILE LINE — FILE has LINE (CRLF-terminated) exactly.
has_line() {
	grep -qaFx -- "$2"$'\r' "$1"
}

# count of bytes above 127
highcount() {
	perl -ne '$n += () = /[\x80-\xff]/g; END { print $n + 0, "\n" }' "$1"
}

LYNX=(lynx -dump -width=80 -display_charset=utf-8 -nolist)
LYNXL=(lynx -dump -width=80 -display_charset=utf-8)
linkis() {	# linkis TYPE DISPLAY SELECTOR [HOST PORT] DESCRIPTION
	local want
	if [ $# -eq 6 ]; then
		want="$1$2	$3	$4	$5"
		ok 'has_line "$OUT" "$want"' "$6"
	else
		want="$1$2	$3$TAIL"
		ok 'has_line "$OUT" "$want"' "$4"
	fi || diag "  no line '$want'" \
	    "  got: $(grep -aF "$2" "$OUT" | head -n 1 | tr '\t\r' '>|')"
}
# fixture_server — the server of the fixture capsule, default settings,
# shared by the cases after test_menus (which starts it and checks that).
fixture_server() {
	local n=$YURT_STARTS
	yurt_need -R 0 || return 1
	[ "$n" = "$YURT_STARTS" ] && return 0
	GP=$YURT_GOPHER_PORT
	write_links
	chmod -R a+rX "$R"
	TAIL=$'\tlocalhost\t'"$GP"
	FOREIGN=$'example\\.org\t7071|example\\.net\t70'
}

# =========================================================================
# The fixture capsule, default settings
# =========================================================================

# -R 0 (no rate limit) throughout: these tests make hundreds of requests
# in a few seconds from one address.
test_menus() {
ok 'yurt_start -R 0' "server starts"
GP=$YURT_GOPHER_PORT
write_links
chmod -R a+rX "$R"
TAIL=$'\tlocalhost\t'"$GP"
FOREIGN=$'example\\.org\t7071|example\\.net\t70'

# --- every menu is well-formed, with curl ------------------------------------
for s in "" 1/ 1/index.gmi 1/page.gmi 1/links.gmi 1/render.gmi 1/latin.gmi \
    1/dir/ 1/dir 1/sub/page.gmi 1/listdir/ 1/listdir 1/empty.gmi 1/badutf.gmi \
    1/ctl.gmi 1/dead.gmi 1/dotwrap.gmi; do
	gcurl "$s" >"$OUT"
	is "$(menu_problems "$OUT" localhost "$GP" "$FOREIGN")" "" \
	    "menu '/${s#?/}' is well-formed (4 fields, CRLF, ours, ends with .)"
done
gcurl "" >"$OUT"
ok 'grep -q INDEX-MARKER "$OUT"' "the root menu is index.gmi"
ok 'has_line "$OUT" "iINDEX-MARKER	$TAIL"' \
    "an info line is i<text> TAB (empty selector) TAB host TAB port"
ok 'has_line "$OUT" "1A page	/page.gmi$TAIL"' "the root menu links /page.gmi as type 1"
ok 'has_line <(head -n 5 "$OUT") "0This page as plain text	/.text/$TAIL"' \
    "the root menu offers /.text/ as a type-0 item near the top"
gcurl 1/page.gmi >"$OUT"
ok 'has_re <(head -n 5 "$OUT") "0[^	]*	/\.text/page\.gmi$TAIL"' \
    "a page menu offers /.text/page.gmi as a type-0 item near the top"
gcurl 1/listdir/ >"$OUT"
ok 'has_line "$OUT" "0a.txt	/listdir/a.txt$TAIL"' "a listing has its files as items"
ok 'grep -q a.txt "$OUT" && ! grep -qa "evil.example" "$OUT"' \
    "a file name with a newline cannot inject a menu line"

gcurl 1/empty.gmi >"$OUT"
ok 'has_line "$OUT" "0This page as plain text	/.text/empty.gmi$TAIL"' \
    "an empty page is a menu with just its plain-text item"
gcurl 1/badutf.gmi >"$OUT"
ok 'iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1' \
    "a page with invalid UTF-8 still gives a valid UTF-8 menu"
gcurl 0/.text/badutf.gmi >"$OUT"
ok 'iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1' "... and valid UTF-8 plain text"
gcurl 1/ctl.gmi >"$OUT"
ok '[ -s "$OUT" ] && perl -0777 -ne '\''exit 1 if /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]/'\'' "$OUT"' \
    "no C0/C1 control, ESC, DEL or NUL from the page reaches the menu"
ok 'grep -q "RED" "$OUT" && grep -q "^1Link" "$OUT" && grep -q "^ipre" "$OUT"' \
    "... which still shows the text around them"
gcurl 0/.text/ctl.gmi >"$OUT"
ok '[ -s "$OUT" ] && perl -0777 -ne '\''exit 1 if /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]/'\'' "$OUT"' \
    "no control character reaches the plain text either"
gcurl 1/dead.gmi >"$OUT"
ok '[ -s "$OUT" ] && ! grep -qaE "^[^i].*(hidden|passwd|escape)" "$OUT"' \
    "links to dot-files, out of the root or through an escaping symlink are no items"
ok 'grep -qa "^iHidden	" "$OUT" && grep -qa "^iPasswd	" "$OUT"' "... but their labels are shown"

}

test_lynx() {
fixture_server
# --- the same menus through lynx -----------------------------------------
for s in "" 1/page.gmi 1/links.gmi 1/render.gmi 1/latin.gmi 1/dir/ \
    1/sub/page.gmi 1/listdir/ 1/ctl.gmi; do
	out=$(timeout 20 "${LYNX[@]}" "gopher://127.0.0.1:$GP/$s")
	ok '[ -n "$out" ] && ! printf "%s" "$out" | grep -qE "$GP|localhost|	"' \
	    "lynx shows '/${s#?/}' with no field (host, port, TAB) leaking into the text"
done
out=$(timeout 20 "${LYNXL[@]}" "gopher://127.0.0.1:$GP/")
like "$out" 'INDEX-MARKER' "lynx shows the root menu's text"
like "$out" '\[[0-9]+\]A page' "lynx shows the root menu's link"
like "$out" "gopher://localhost:$GP/1/page\.gmi" "lynx resolves the link to our host and port"
unlike "$(printf '%s' "$out" | sed '/^References$/,$d')" "$GP|localhost" \
    "no host or port leaks into what lynx displays"
out=$(timeout 20 "${LYNXL[@]}" "gopher://127.0.0.1:$GP/1/links.gmi")
like "$out" '\[[0-9]+\]Sub page' "lynx shows the links menu"
like "$out" "gopher://example\.org:7071/0/some/file\.txt" "lynx sees the remote gopher item"
like "$out" "gopher://localhost:$GP/hURL:https://example\.com/x" "lynx sees the URL: item"
unlike "$(printf '%s' "$out" | sed '/^References$/,$d')" "$GP|	" \
    "no port or TAB leaks into the links menu in lynx"
out=$(timeout 20 "${LYNX[@]}" "gopher://127.0.0.1:$GP/1/page.gmi")
like "$out" 'PAGE-MARKER' "lynx shows a page menu"
out=$(timeout 20 "${LYNX[@]}" "gopher://127.0.0.1:$GP/0/.text/page.gmi")
like "$out" 'PAGE-MARKER' "lynx shows the plain-text version"

}

test_rendering() {
fixture_server
# --- rendering ---------------------------------------------------------------
gcurl 1/render.gmi >"$OUT"
disp "$OUT" >"$T/disp"
h1=$(grep -aA2 -Fx 'Café Ünïcödé' "$T/disp"; echo '|')
is "$h1" $'Café Ünïcödé\n============\n\n|' \
    "level-1 heading underlined with = of its width in characters, then a blank line"
h2=$(grep -aA2 -Fx 'Zweite Überschrift' "$T/disp"; echo '|')
is "$h2" $'Zweite Überschrift\n------------------\n\n|' "level-2 heading underlined with -"
h3=$(grep -aA2 -Fx 'Trois été' "$T/disp"; echo '|')
is "$h3" $'Trois été\n---------\n\n|' "level-3 heading underlined with -"
ok 'has_line <(grep -aA2 "^iCafé Ünïcödé	" "$OUT" | sed -n 3p) "i	$TAIL"' \
    "the blank line after a heading is an info line with all four fields"
list=$(sed -n '/^\* A list item/,/LIST-END/p' "$T/disp")
like "$list" $'^\\* A list item[^\n]*\n  [^ ][^\n]*LIST-END$' \
    "a list item wraps with a two-space hanging indent"
quote=$(sed -n '/^> A quotation/,/QUOTE-END/p' "$T/disp")
ok '[ "$(printf "%s\n" "$quote" | wc -l)" -ge 2 ] &&
    ! printf "%s\n" "$quote" | grep -qv "^> "' "a quote keeps '> ' on every wrapped line"
ok 'grep -qaFx "PRE     TAB     EXPANDED and a very long line that would be wrapped if it were not preformatted 0123456789" "$T/disp"' \
    "a preformatted line is verbatim: not wrapped, tabs expanded to 8"
ok '! grep -qa "\`\`\`\|alt text" "$T/disp"' "the preformatting toggles are dropped"
mb=$(grep -a '^Été' "$T/disp" | head -n 1)
w=$(grep -avF 'PRE     TAB' "$T/disp" | maxcols)
ok '[ "$w" -le 67 ] && [ "$w" -ge 60 ]' \
    "no info line is longer than 67 characters (the longest has $w)"
ok '[ "$(printf "%s" "$mb" | wc -c)" -gt 67 ] && [ "$(printf "%s\n" "$mb" | maxcols)" -ge 60 ]' \
    "width counts characters, not bytes (a line of $(printf '%s' "$mb" | wc -c) bytes)"
words=$(grep -a -A3 '^Été' "$T/disp" | tr '\n' ' ' | tr -s ' ')
like "$words" "^$MB $MB ?$" "the wrapped paragraph keeps every word, in order"
gcurl 0/.text/render.gmi >"$OUT"
is "$(text_problems "$OUT")" "" "/.text/render.gmi is well-formed text"
w=$(grep -avF 'PRE     TAB' "$OUT" | maxcols)
ok '[ "$w" -le 67 ] && [ "$w" -ge 60 ]' "the plain text is wrapped at 67 characters too (longest $w)"
gcurl 0/.text/dotwrap.gmi >"$OUT"
is "$(text_problems "$OUT")" "" "a wrapped line that would start with . is escaped too"
ok 'has_re "$OUT" "( \.|\.\.)dotword wrapped here"' "... and keeps its text"
gcurl 0/.text/big.bin >"$OUT"
like "$(head -c 1 "$OUT")" '^3$' "/.text/ of a file that is not gemtext is a type-3 error"
}

test_links() {
fixture_server
gcurl 1/links.gmi >"$OUT"
long=$(grep -a '^1A very long' "$OUT" | cut -f1 | cut -c2-)
ok '[ -n "$long" ] && [ "$(printf "%s\n" "$long" | maxcols)" -le 67 ] && [[ $long != *LONG-END* ]]' \
    "a long link label is shortened to the width ($(printf '%s\n' "$long" | maxcols) chars)"

# --- links -------------------------------------------------------------------
linkis 1 'Sub page' /sub/page.gmi "relative .gmi link: type 1, resolved selector"
linkis 0 Notes /notes.txt ".txt link: type 0"
linkis g Gif /anim.gif ".gif link: type g"
linkis I Png /pic.png ".png link: type I"
linkis h Html /page.html ".html link: type h"
linkis s Mp3 /song.mp3 ".mp3 link: type s"
linkis d Pdf /doc.pdf ".pdf link: type d"
linkis 9 Blob /blob.xyz "unknown binary: type 9"
linkis I 'Magic picture' /picture "PNG bytes, no extension: type I (libmagic)"
linkis 1 'Dir slash' /dir/ "a directory link: type 1"
ok 'has_re "$OUT" "1Dir noslash	/dir/?$TAIL"' "a directory link without its slash: type 1"
linkis 0 'Absolute path' /sub/other.txt "an absolute path link"
linkis 0 'Remote gopher' /some/file.txt example.org 7071 \
    "gopher:// link: native item, type, selector, host and port from the URL"
linkis 1 'Remote menu' /menu example.net 70 "gopher:// link without a port: port 70"
linkis h Http 'URL:http://example.com/a?b=c' "http link: h item with URL: selector, here"
linkis h Https 'URL:https://example.com/x' "https link: h item with URL: selector"
linkis h 'Other gemini' 'URL:gemini://other.example/p.gmi' "gemini link to another host: h URL:"
linkis 1 'Own gemini' /page.gmi "gemini link to this server: native type 1 item"
linkis h Mail 'URL:mailto:someone@example.com' "mailto link: h URL:"
ok '! grep -qa "javascript" "$OUT"' "a javascript: link is not offered as a URL: item"
ok 'grep -qa "^.Injection	" "$OUT" && ! grep -qaE "^[^	]*	[^	]*	evil\.example" "$OUT"' \
    "a gopher:// link with an encoded CRLF cannot add a line or a host"
ok 'has_re "$OUT" "1Label ?with ?tab	/page\.gmi$TAIL"' \
    "a label with a TAB stays one item, TAB gone"
ok 'has_re "$OUT" "1Label ?with CR	/page\.gmi$TAIL"' \
    "a label with a CR stays one item, CR gone"
xsssel=$(grep -a '^hXss' "$OUT" | cut -f2)
like "$xsssel" '^URL:https://example\.com/' "the <script> link is an h URL: item"
unlike "$xsssel" '[<>"]' "... whose selector holds no raw < > \""
gcurl 1/sub/page.gmi >"$OUT"
linkis 1 Back /links.gmi "../ in a link resolves against the page"
linkis 0 Other /sub/other.txt "a relative link in a subdirectory"
gcurl 1/dir >"$OUT"
linkis 1 Up /page.gmi "links in a directory's index resolve against the directory (no slash asked)"

# --- URL: pages ----------------------------------------------------------
urlpage_ok() {	# urlpage_ok DESCRIPTION — checks $OUT
	local page lc
	page=$(cat "$OUT")
	lc=${page,,}
	like "$lc" '<meta http-equiv="refresh" content="([0-9]|10);' "$1: META refresh within 10 s"
	unlike "$lc" '<script' "$1: no <script> tag"
	unlike "$lc" '<(img|link|iframe|object|embed|style|frame)|src=' "$1: nothing loaded"
}
printf '%s\r\n' "$xsssel" | graw >"$OUT"
urlpage_ok "URL: page of the menu's <script> link"
like "$(cat "$OUT")" 'example\.com/(%22|&quot;)(%3E|&gt;)(%3C|&lt;)script' \
    "... holds the URL, escaped"
printf 'URL:https://example.com/"><script>alert(1)</script>\r\n' | graw >"$OUT"
urlpage_ok "URL: page for a raw \"><script> selector"
like "$(cat "$OUT")" '(%3C|&lt;)script' "... holds the URL, escaped"
unlike "$(cat "$OUT")" '"><' "... and no raw \"><"
printf 'URL:https://example.com/?a=1&b=2\r\n' | graw >"$OUT"
like "$(cat "$OUT")" 'a=1&amp;b=2' "& in the URL is HTML-escaped"
like "$(head -n 1 "$OUT")" 'HTML 3\.2' "the URL: page is HTML 3.2"
printf '/URL:https://example.com/slash\r\n' | graw >"$OUT"
like "$(cat "$OUT")" 'HREF="https://example\.com/slash"' "/URL: works like URL:"
gcurl 'hURL:https://example.com/x' >"$OUT"
like "$(cat "$OUT")" 'HREF="https://example\.com/x"' "curl follows an h URL: item to its page"
for u in 'URL:javascript:alert(1)' '/URL:javascript:alert(1)' \
    'URL:JavaScript:alert(1)' 'URL:data:text/html,<script>alert(1)</script>' \
    'URL:vbscript:msgbox(1)' 'URL:file:///etc/passwd'; do
	printf '%s\r\n' "$u" | graw >"$OUT"
	like "$(head -n 1 "$OUT")" '^3' "$u gives a type-3 error"
	ok '! grep -qai "<html\|<script\|root:" "$OUT" && ends_dot "$OUT"' \
	    "... and no page, just the error and ."
done

}

test_plain_text() {
fixture_server
# --- plain text ------------------------------------------------------------
gcurl 0/.text/page.gmi >"$OUT"
is "$(text_problems "$OUT")" "" "/.text/page.gmi: CRLF, no lone ., no line starting with ., no . line at the end"
ok 'grep -q PAGE-MARKER "$OUT"' "/.text/page.gmi is the page"
ok 'has_re "$OUT" "(\.| )\.leading dot paragraph"' \
    "a paragraph starting with . is escaped, not dropped"
ok 'has_re "$OUT" "( \.|\.\.)"' "a line that is just . is escaped"
ok 'has_re "$OUT" "( \.\.|\.\.\.)"' "a line that is .. is escaped"
ok 'has_re "$OUT" "( \.|\.\.)pre dot"' "a preformatted line starting with . is escaped"
ok 'has_re "$OUT" "\[L1\] To links"' "a link becomes a numbered reference [L1]"
ok 'has_line "$OUT" "[L1] gopher://localhost:$GP/1/links.gmi"' \
    "the URL list at the end gives [L1] a gopher:// URL"
ok 'has_line "$OUT" "[L2] https://example.com/out"' \
    "an external link is listed as written"
ok '[ "$(grep -an "^\[L1\] gopher" "$OUT" | cut -d: -f1)" -gt "$(grep -an "^\[L1\] To links" "$OUT" | cut -d: -f1)" ]' \
    "the URL list comes after the text"
gcurl 0/.text/ >"$OUT"
is "$(text_problems "$OUT")" "" "/.text/ (the root) is well-formed text"
ok 'grep -q INDEX-MARKER "$OUT"' "/.text/ is the root page"
gcurl 0/.text/links.gmi >"$OUT"
is "$(text_problems "$OUT")" "" "/.text/links.gmi is well-formed text (tabs, CR in labels)"

}

test_protocol() {
fixture_server
# --- protocol ---------------------------------------------------------------
printf '/page.gmi\n' | graw >"$OUT"
ok 'grep -q PAGE-MARKER "$OUT"' "a request ending in a bare LF is served"
printf '/page.gmi\r\n' | graw >"$T/a"
printf '/page.gmi\tsome query\r\n' | graw >"$T/b"
ok '[ -s "$T/a" ] && cmp -s "$T/a" "$T/b"' "selector TAB query is served like the selector"
printf '\r\n' | graw >"$OUT"
ok 'grep -q INDEX-MARKER "$OUT"' "an empty selector is the root menu"
printf '/page.gmi\r\n' | gdrip 20 >"$OUT"
ok 'cmp -s "$OUT" "$T/a"' "a request sent one byte at a time (CR and LF apart) is served"
printf '%s\r\n' "$LONGSEL" | graw >"$OUT"
ok 'grep -q LONGPATH-MARKER "$OUT"' "a selector of exactly 1024 bytes is served"
printf '%s\tsearch\r\n' "$LONGSEL" | graw >"$OUT"
ok 'grep -q LONGPATH-MARKER "$OUT"' "... also followed by TAB and a search string (the cap is on the selector)"
printf '/.%s\r\n' "$LONGSEL" | graw >"$OUT"
like "$(head -c 1 "$OUT")" '^3?$' "a selector of 1026 bytes gets a type-3 error or a close"
gcurl 1/long.gmi >"$OUT"
ok 'grep -qaF "0Long	$LONGSEL	localhost	$GP" "$OUT"' "a link to it is an item with the 1024-byte selector"
# Many clients at once (one worker thread): every one gets the same menu.
gcurl 1/links.gmi >"$T/links.1"
pids=""
for i in $(seq 1 40); do
	gcurl 1/links.gmi >"$T/par.$i" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done
bad=0
for i in $(seq 1 40); do
	cmp -s "$T/links.1" "$T/par.$i" || bad=$((bad + 1))
done
ok '[ -s "$T/links.1" ] && [ "$bad" -eq 0 ]' "40 clients at once all get the whole menu ($bad did not)"
{ head -c 2000 /dev/zero | tr '\0' a; printf '\r\n'; } | graw >"$OUT"; rc=$?
ok '[ "$rc" -eq 0 ] && { [ ! -s "$OUT" ] || [ "$(head -c 1 "$OUT")" = 3 ]; }' \
    "a 2000-byte selector gets a type-3 error or a close"
ok 'yurt_alive' "... the server survives it"
gcurl "" >"$OUT"
ok 'grep -q INDEX-MARKER "$OUT"' "... and still serves"
for s in /../../etc/passwd ../../etc/passwd /dir/../../../etc/passwd \
    /../outside/secret.txt /escape.txt; do
	printf '%s\r\n' "$s" | graw >"$OUT"
	ok '[ "$(head -c 1 "$OUT")" = 3 ] && ! grep -qE "root:|TOPSECRET" "$OUT"' \
	    "$s: type-3 error, never the file"
	is "$(menu_problems "$OUT" localhost "$GP")" "" "... a well-formed error menu"
done
for s in /.hidden /.hiddendir/file.txt /.text/.hidden; do
	printf '%s\r\n' "$s" | graw >"$OUT"
	ok '[ "$(head -c 1 "$OUT")" = 3 ] && ! grep -q HIDDEN-MARKER "$OUT"' \
	    "dot-file $s: type-3 error"
done
printf '/nope.gmi\r\n' | graw >"$OUT"
is "$(wc -l <"$OUT")" 2 "an error is one type-3 line plus ."
printf '/page.gmi\0x\r\n' | graw >"$OUT"
like "$(head -c 1 "$OUT")" '^3?$' "a NUL in a selector: type-3 or close"
printf 'GET / HTTP/1.0\r\n\r\n' | graw >"$OUT"
like "$(head -n 1 "$OUT")" '^HTTP/1\.0 ' "GET / HTTP/1.0 gets an HTTP/1.0 reply"
like "$(cat "$OUT")" '[Gg]opher' "... that says this is Gopher"
# plus_problems FILE — a Gopher+ attribute reply checked line by line
# against the grammar of the Gopher+ specification (appendix II): the
# DataHead ("+" and the length, or -1/-2), then for each item an InfoBlock
# ("+INFO: " and a G+DirEntity), an +ADMIN block with its " Admin: ...
# <address>" and " Mod-Date: ... <YYYYMMDDhhmmss>" lines and a +VIEWS
# block of " type[ language]: <Nk>" lines; then ".".  Prints the item
# count last.
plus_problems() {
	perl -e '
		open(my $fh, "<:raw", $ARGV[0]) or die; local $/; my $d = <$fh>;
		my @p; my $n = 0; my %seen;
		$d =~ s/\A\+(\d+|-1|-2)\r\n// or push @p, "no DataHead";
		my $len = $1 // "";
		push @p, "length $len, body " . length($d)
		    if $len =~ /^\d+$/ && $len != length $d;
		$d =~ s/\.\r\n\z// or push @p, "no . at the end";
		my $check = sub {
			push @p, "item $n: no $_" for grep { !$seen{$_} }
			    qw(INFO ADMIN Admin Mod-Date VIEWS);
		};
		my $block = "";
		for my $l (split /\r\n/, $d) {
			if ($l =~ /^\+INFO: (.*)$/) {
				$check->() if $n++;
				%seen = (INFO => 1); $block = "INFO";
				push @p, "bad G+DirEntity: $1" unless
				    $1 =~ /^[^\t\r\n\0][^\t\r\n\0]*\t[^\t\r\n\0]*\t[^\t\r\n\0.]+(\.[^\t\r\n\0.]+)*\t\d+\t[+?]$/;
			} elsif ($l =~ /^\+([^+ :]+):( .*)?$/) {
				$block = $1; $seen{$1} = 1;
				push @p, "$1 before +INFO" unless $n;
			} elsif ($l =~ /^ /) {
				if ($block eq "ADMIN" && $l =~ /^ Admin:[^\t\r\n\0]*<[^<>]*>$/) {
					$seen{Admin} = 1;
				} elsif ($block eq "ADMIN" && $l =~ /^ Mod-Date:[^\t\r\n\0]*<\d{14}>$/) {
					$seen{"Mod-Date"} = 1;
				} elsif ($block eq "VIEWS") {
					push @p, "bad view: $l" unless $l =~ m{^ [^ :<>]+( [^ :<>]+)?: ?<\d+k>$};
				} elsif ($block eq "ADMIN") {
					push @p, "bad +ADMIN line: $l";
				}
			} else {
				push @p, "not a block line: $l";
			}
		}
		$check->() if $n;
		print "$_\n" for @p[0 .. ($#p < 7 ? $#p : 7)];
		print "items $n\n";' "$1"
}
# A legacy terminal's reader picks a charset from any menu: the page in
# ASCII or Latin-1, by a selector prefix that its links keep.
gcurl 1/latin.gmi >"$OUT"
ok 'grep -qa "^1This page in plain ASCII[^	]*	/.ascii/latin.gmi	localhost	$GP" "$OUT" &&
    grep -qa "^1This page in Latin-1[^	]*	/.latin1/latin.gmi	localhost	$GP" "$OUT"' \
    "a UTF-8 menu offers the page in ASCII and in Latin-1"
gcurl 1/.ascii/latin.gmi >"$OUT"
ok '[ -s "$OUT" ] && ! LC_ALL=C grep -q "[^ -~	]" <(tr -d "\r" <"$OUT")' \
    "/.ascii/latin.gmi is pure ASCII"
ok 'grep -qa "^0[^	]*	/.ascii/.text/latin.gmi	" "$OUT" &&
    grep -qa "^1This page in UTF-8	/latin.gmi	" "$OUT"' \
    "... its text view stays in ASCII, and it offers UTF-8 back"
gcurl 1/.ascii/ >"$OUT"
ok 'grep -qa "^1[^	]*	/.ascii/page.gmi	" "$OUT"' "... links keep the /.ascii/ prefix"
gcurl 0/.latin1/.text/latin.gmi >"$OUT"
ok '[ -s "$OUT" ] && ! iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1 &&
    iconv -f ISO-8859-1 -t UTF-8 "$OUT" >/dev/null 2>&1' \
    "/.latin1/.text/latin.gmi is Latin-1, not UTF-8"

# a link to a directory without index.gmi is a menu when listings are on
printf '/\r\n' | graw >"$OUT"
ok 'grep -qa "^1A listing	/listdir/	localhost	$GP" "$OUT"' \
    "a link to a directory without index.gmi is a type-1 item"
printf '/\t$\r\n' | graw >"$OUT"
printf '/\r\n' | graw >"$T/menu"
nmenu=$(($(wc -l <"$T/menu") - 1))
is "$(plus_problems "$OUT")" "items $nmenu" \
    'Gopher+ "\t$": +INFO, +ADMIN and +VIEWS for each item of the menu, by the grammar'
ok 'grep -qa "^+INFO: 1[^	]*	/page.gmi	localhost	$GP	+" "$OUT"' \
    '... the items are the menu'"'"'s'
ok 'grep -qa "^ text/plain: <[0-9]*k>" "$OUT"' "... a page offers its text/plain view"
printf '/\t+\r\n' | graw >"$OUT"
like "$(head -n 1 "$OUT")" $'^\\+[0-9]+\r$' 'Gopher+ "\t+" on a menu gets "+SIZE"'
ok '[ "$(($(wc -c <"$OUT") - $(head -n 1 "$OUT" | wc -c)))" = "$(head -n 1 "$OUT" | tr -dc 0-9)" ] &&
    ends_dot "$OUT" && grep -q INDEX-MARKER "$OUT"' \
    "... then exactly that many bytes: the menu, ending with ."
printf '/page.gmi\t!\r\n' | graw >"$OUT"
is "$(plus_problems "$OUT")" "items 1" 'Gopher+ "\t!": one item'"'"'s blocks, by the grammar'
ok 'grep -qa "^+INFO: 1[^	]*	/page.gmi	localhost	$GP	+" "$OUT"' \
    "... and +INFO: with the item line"
printf '/page.gmi\t+text/plain\r\n' | graw >"$OUT"
ok 'head -n 1 "$OUT" | grep -q "^+[0-9]" && grep -q "^PAGE-MARKER" "$OUT" &&
    ! grep -q "	" "$OUT"' 'Gopher+ "\t+text/plain": the page as plain text'
printf '/page.gmi\r\n' | graw >"$OUT"
ok '! grep -q "^+" "$OUT"' "a Gopher0 request sees nothing of Gopher+"
ok 'yurt_alive' "the server keeps running after Gopher+ probes"
gcurl 1/page.gmi >"$OUT"
ok 'grep -q PAGE-MARKER "$OUT"' "... and keeps serving"
is "$(gcurl 9/big.bin | sha256sum | cut -d' ' -f1)" "$BIGSUM" \
    "a 2 MB binary file is served byte-identical"
gcurl "" >"$T/plain"
curl -sk --max-time 10 "gophers://127.0.0.1:$GP/" >"$T/tls"
ok '[ -s "$T/plain" ] && cmp -s "$T/plain" "$T/tls"' "gophers:// (TLS) gives the same menu as gopher://"
curl -sk --max-time 10 "gophers://127.0.0.1:$GP/1/page.gmi" >"$T/tls"
ok 'grep -q PAGE-MARKER "$T/tls"' "gophers:// serves a page"
gcurl 0caps.txt >"$OUT"
like "$(cat "$OUT")" 'ServerDefaultEncoding=UTF-8' "generated caps.txt: ServerDefaultEncoding=UTF-8"
like "$(cat "$OUT")" "ServerTLSPort=$GP"$'\r' "generated caps.txt: ServerTLSPort is the Gopher port"
like "$(cat "$OUT")" 'CapsVersion=1' "generated caps.txt: CapsVersion"
printf 'CAPS\r\nOWN-CAPS-MARKER\r\n' >"$R/caps.txt"
chmod 644 "$R/caps.txt"
gcurl 0caps.txt >"$OUT"
ok 'grep -q OWN-CAPS-MARKER "$OUT" && ! grep -q ServerSoftware "$OUT"' \
    "the capsule's own caps.txt replaces the generated one"
rm -f "$R/caps.txt"
printf '/log-probe-one\r\n' | graw >/dev/null
is "$(grep -a "log-probe-one" "$YURT_LOG" | grep -c " gopher ")" 1 \
    "one log line for a gopher request, and it says gopher"
ok '[ -n "$(grep -a "^[0-9].* gopher " "$YURT_LOG")" ] &&
    ! grep -a "^[0-9].* gopher " "$YURT_LOG" | grep -q 127.0.0.1' \
    "gopher log lines have no client address"
printf '/log\xffprobe\xc2\x85x\r\n' | graw >/dev/null
printf '/log\033[31mprobe\r\n' | graw >/dev/null
ok '[ -s "$YURT_LOG" ] && iconv -f UTF-8 -t UTF-8 "$YURT_LOG" >/dev/null 2>&1 &&
    ! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n\t" <"$YURT_LOG")' \
    "selectors with invalid UTF-8 and controls leave the log valid UTF-8 without raw controls"
# The rendered-page cache: a page is kept a second, but an edit, a
# replaced file or a symlink put in its place shows at once.
printf '\nCACHE-ONE\n' >"$R/cached.gmi"
like "$(gcurl 1/cached.gmi)" 'CACHE-ONE' "cache: a page rendered"
like "$(gcurl 1/cached.gmi)" 'CACHE-ONE' "cache: ... and the same again"
printf '\nCACHE-TWO, longer\n' >"$R/cached.gmi"
like "$(gcurl 1/cached.gmi)" 'CACHE-TWO' "cache: rewritten, the new page shows at once"
printf '\nCACHE-333, longer\n' >"$T/cached.new"
mv "$T/cached.new" "$R/cached.gmi"
like "$(gcurl 1/cached.gmi)" 'CACHE-333' \
    "cache: replaced by rename (same size and second), the new page shows at once"
cp "$R/dir/index.gmi" "$R/dir/index.gmi.keep"
printf '\nDIR-CACHE-ONE\n' >"$R/dir/index.gmi"
like "$(gcurl 1/dir/)" 'DIR-CACHE-ONE' "cache: a directory's page"
printf '\nDIR-CACHE-TWO\n' >"$R/dir/index.gmi"
like "$(gcurl 1/dir/)" 'DIR-CACHE-TWO' "cache: its index rewritten shows at once"
mv "$R/dir/index.gmi.keep" "$R/dir/index.gmi"
printf '\nCACHE-LINK\n' >"$R/linked.gmi"
like "$(gcurl 1/linked.gmi)" 'CACHE-LINK' "cache: a page cached..."
cp "$T/outside/secret.txt" "$T/outside/secret.gmi"
ln -sf "$T/outside/secret.gmi" "$R/linked.gmi"
out=$(gcurl 1/linked.gmi)
ok '! grep -q TOPSECRET <<<"$out" && ! grep -q CACHE-LINK <<<"$out"' \
    "cache: ... then replaced by a symlink out of the root: neither the old page nor the file outside"
rm -f "$R/linked.gmi" "$R/cached.gmi"
ok 'yurt_alive' "server alive after all of the above"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# -G and -P: the public name and port in every line
# =========================================================================

test_public_name() {
[ -e "$R/links.gmi" ] || write_links	# alone: the page test_menus writes
ok 'yurt_start -R 0 -G gopher.example -P 7070' "server starts with -G gopher.example -P 7070"
GP=$YURT_GOPHER_PORT
write_links
for s in "" 1/page.gmi 1/links.gmi 1/render.gmi 1/dir 1/listdir/ 1/nope.gmi; do
	gcurl "$s" >"$OUT"
	is "$(menu_problems "$OUT" gopher.example 7070 "$FOREIGN")" "" \
	    "-G/-P: every line of '/${s#?/}' has gopher.example and 7070"
done
gcurl 0/.text/page.gmi >"$OUT"
ok 'has_line "$OUT" "[L1] gopher://gopher.example:7070/1/links.gmi"' \
    "-G/-P: the plain text's URLs use the public name and port"
printf 'GET / HTTP/1.1\r\n\r\n' | graw >"$OUT"
like "$(cat "$OUT")" 'gopher://gopher\.example:7070/' "-G/-P: the HTTP reply names the public URL"
gcurl 0caps.txt >"$OUT"
like "$(cat "$OUT")" $'ServerTLSPort=7070\r' "-G/-P: caps.txt gives the public port as ServerTLSPort"
out=$(timeout 20 "${LYNXL[@]}" "gopher://127.0.0.1:$GP/1/page.gmi")
like "$out" 'gopher://gopher\.example:7070/1/links\.gmi' "-G/-P: lynx sees links to the public name and port"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# -G naming a virtual host with its own root: Gopher serves that root
# =========================================================================

test_vhost_root() {
mkdir -p "$T/root2"
printf '# Root two\nROOT2-MARKER\n' >"$T/root2/index.gmi"
chmod -R a+rX "$T/root2"
ok 'yurt_start -R 0 -H "other.example=$T/root2" -G other.example' \
    "server starts with -H other.example=DIR -G other.example"
GP=$YURT_GOPHER_PORT
gcurl "" >"$OUT"
ok 'grep -q ROOT2-MARKER "$OUT"' "Gopher serves the root of the -G host"
is "$(menu_problems "$OUT" other.example "$GP")" "" "... in menus naming other.example"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# Rate limit (-R 1 -B 3): over it, a Gopher client gets a type-3 error
# =========================================================================

test_rate_limit() {
ok 'yurt_start -R 1 -B 3' "server starts with -R 1 -B 3"
GP=$YURT_GOPHER_PORT
served=0
for i in 1 2 3 4 5 6; do
	printf '/page.gmi\r\n' | graw >"$T/rl.$i"
	grep -q PAGE-MARKER "$T/rl.$i" && served=$((served + 1))
done
ok '[ "$served" -ge 3 ] && [ "$served" -le 5 ]' "-R 1 -B 3: the burst is served, then not ($served of 6 served)"
like "$(head -n 1 "$T/rl.6")" '^3' "-R 1 -B 3: over the limit, a type-3 error"
is "$(menu_problems "$T/rl.6" localhost "$GP")" "" "... as a well-formed error menu"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# -W 40
# =========================================================================

test_wrap() {
ok 'yurt_start -R 0 -W 40 -t 1' "server starts with -W 40 -t 1"
GP=$YURT_GOPHER_PORT
gcurl 1/render.gmi >"$OUT"
disp "$OUT" | grep -avF 'PRE     TAB' >"$T/disp"
w=$(maxcols <"$T/disp")
ok '[ "$w" -le 40 ] && [ "$w" -ge 34 ]' "-W 40: no info line longer than 40 characters (the longest has $w)"
ok 'grep -qaFx "PRE     TAB     EXPANDED and a very long line that would be wrapped if it were not preformatted 0123456789" <(disp "$OUT")' \
    "-W 40: preformatted text still not wrapped"
list=$(sed -n '/^\* A list item/,/LIST-END/p' "$T/disp")
like "$list" $'^\\* A list item[^\n]*\n(  [^ ][^\n]*\n)+  [^ ][^\n]*LIST-END$' \
    "-W 40: a list item wraps on three or more lines, all with the hanging indent"
gcurl 0/.text/render.gmi >"$OUT"
w=$(grep -avF 'PRE     TAB' "$OUT" | maxcols)
ok '[ "$w" -le 40 ] && [ "$w" -ge 34 ]' "-W 40: the plain text too (longest $w)"
# -t 1: a client that never ends its request is closed after about 1 s.
t0=$(now_ms)
printf '/page.gmi' | perl -e '
	use IO::Socket::INET;
	$SIG{ALRM} = sub { exit 4 }; alarm 10;
	my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
	    PeerPort => $ARGV[0], Proto => "tcp") or exit 2;
	print $s <STDIN>;
	my $b; while (sysread($s, $b, 4096)) { print $b }
	exit 0;' "$YURT_GOPHER_PORT" >"$OUT"; rc=$?
t1=$(now_ms)
ok '[ "$rc" -eq 0 ] && [ $((t1 - t0)) -lt 5000 ]' \
    "-t 1: an unfinished request is closed in time ($((t1 - t0)) ms, status $rc)"
ok '! grep -q PAGE-MARKER "$OUT"' "... without serving it"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# Charsets.  -C latin1 on the fixture: its Latin-1 page round-trips
# exactly.  (-P keeps the port fields of the two runs the same.)
# =========================================================================

test_latin1() {
ok 'yurt_start -R 0 -P 7070' "server starts (UTF-8, for reference)"
GP=$YURT_GOPHER_PORT
gcurl 1/latin.gmi >"$T/latin.utf8.menu"
gcurl 0/.text/latin.gmi >"$T/latin.utf8.text"
ok 'yurt_stop' "server stops cleanly"
ok 'yurt_start -R 0 -P 7070 -C latin1' "server starts with -C latin1"
GP=$YURT_GOPHER_PORT
for f in menu text; do
	[ $f = menu ] && s=1/latin.gmi || s=0/.text/latin.gmi
	gcurl "$s" >"$T/latin.l1.$f"
	ok '[ -s "$T/latin.l1.$f" ] && ! iconv -f UTF-8 -t UTF-8 "$T/latin.l1.$f" >/dev/null 2>&1' \
	    "-C latin1: /${s#?/} is not UTF-8"
	# but for the offers of the page in the other charsets
	ok 'iconv -f ISO-8859-1 -t UTF-8 "$T/latin.l1.$f" | grep -v "^1This page in " |
	    cmp -s - <(grep -v "^1This page in " "$T/latin.utf8.$f")' \
	    "-C latin1: /${s#?/} converted back from ISO-8859-1 is the UTF-8 rendering"
done
is "$(menu_problems "$T/latin.l1.menu" localhost 7070)" "" "-C latin1: the menu is well-formed"
ok 'grep -qa "$(printf "\\xc9t\\xe9 \\xe0 Z\\xfcrich")" "$T/latin.l1.menu"' \
    "-C latin1: É, é, à, ü are the single bytes C9, E9, E0, FC"
gcurl 0caps.txt >"$OUT"
like "$(cat "$OUT")" 'ServerDefaultEncoding=ISO-8859-1' "-C latin1: caps.txt says ISO-8859-1"
ok 'yurt_stop' "server stops cleanly"
}


# =========================================================================
# Charsets on the real capsule: UTF-8 for reference, then US-ASCII and
# ISO-8859-1.  Transliteration must never leave a '?' the UTF-8 rendering
# does not have.
# =========================================================================

test_capsule_charsets() {
local ROOT="$YURT_TOP/capsule"
PAGES=""
for f in "$ROOT"/*.gmi; do
	PAGES="$PAGES $(basename "$f")"
done
ok '[ -n "$PAGES" ] && [ -f "$ROOT/testimony.gmi" ]' "the bundled capsule has its pages"
# fetch_all DIR — every page's menu and text into DIR (names m.X and t.X)
fetch_all() {
	local p
	mkdir -p "$1"
	gcurl "" >"$1/m.root"
	gcurl 0/.text/ >"$1/t.root"
	for p in $PAGES; do
		gcurl "1/$p" >"$1/m.$p"
		gcurl "0/.text/$p" >"$1/t.$p"
	done
}
qcount() {
	tr -cd '?' <"$1" | wc -c
}

ok 'yurt_start -R 0 -P 7070' "server starts on the bundled capsule (UTF-8)"
GP=$YURT_GOPHER_PORT
fetch_all "$T/utf8"
ok 'yurt_stop' "server stops cleanly"

ok 'yurt_start -R 0 -P 7070 -C ascii' "server starts on the bundled capsule with -C ascii"
GP=$YURT_GOPHER_PORT
fetch_all "$T/ascii"
for f in "$T"/ascii/*; do
	n=$(basename "$f")
	ok '[ -s "$f" ] && [ "$(highcount "$f")" -eq 0 ]' \
	    "-C ascii: $n has no byte above 127 ($(highcount "$f") found)"
	is "$(qcount "$f")" "$(qcount "$T/utf8/$n")" \
	    "-C ascii: $n has no '?' that the UTF-8 rendering lacks"
	case $n in
	m.*) is "$(menu_problems "$f" localhost 7070 '[^\t]+\t[0-9]+')" "" \
	    "-C ascii: $n is a well-formed menu" ;;
	t.*) is "$(text_problems "$f")" "" "-C ascii: $n is well-formed text" ;;
	esac
done
for p in $PAGES; do
	src=$(tr -cd '?' <"$ROOT/$p" | wc -c)
	ok '[ "$(qcount "$T/ascii/m.$p")" -le "$src" ] && [ "$(qcount "$T/ascii/t.$p")" -le "$src" ]' \
	    "-C ascii: the menu and text of $p have no more '?' than its source ($src)"
done
tx=$(cat "$T/ascii/t.testimony.gmi")
like "$tx" 'as "lawyer in danger\."' "-C ascii: curly double quotes became straight"
like "$tx" "Kazakhstan's" "-C ascii: curly apostrophes became straight"
like "$tx" 'EUR ?15,000' "-C ascii: EUR for the euro sign"
like "$tx" 'SLAPP ?--? ?Strategic' "-C ascii: a dash for the em dash"
like "$(cat "$T/ascii/t.references.gmi")" 'condamnes' "-C ascii: e for e acute"
gcurl 0caps.txt >"$OUT"
like "$(cat "$OUT")" 'ServerDefaultEncoding=(US-)?ASCII' "-C ascii: caps.txt advertises US-ASCII"
like "$(cat "$OUT")" $'ServerTLSPort=7070\r' "-C ascii: caps.txt advertises the TLS port"
ok 'yurt_stop' "server stops cleanly"

ok 'yurt_start -R 0 -P 7070 -C latin1' "server starts on the bundled capsule with -C latin1"
GP=$YURT_GOPHER_PORT
fetch_all "$T/latin1"
bad=""
for f in "$T"/latin1/*; do
	n=$(basename "$f")
	[ -s "$f" ] || bad="$bad $n(empty)"
	# C1 controls are no ISO-8859-1 text; C3 xx would be UTF-8 for Latin-1
	perl -ne 'exit 1 if /[\x80-\x9f]|[\xc2\xc3][\x80-\xbf]/' "$f" || bad="$bad $n"
	[ "$(qcount "$f")" -eq "$(qcount "$T/utf8/$n")" ] || bad="$bad $n(?)"
done
is "$bad" "" "-C latin1: every page is ISO-8859-1 text: no C1 byte, no UTF-8 sequence, no new '?'"
ok 'grep -qa "$(printf "condamn\\xe9s")" "$T/latin1/t.references.gmi"' \
    "-C latin1: é is the byte E9"
ok 'iconv -f ISO-8859-1 -t UTF-8 "$T/latin1/t.references.gmi" | grep -q "condamnés"' \
    "-C latin1: iconv from ISO-8859-1 gives é back"
ok 'iconv -f ISO-8859-1 -t UTF-8 "$T/latin1/t.testimony.gmi" | grep -q "as \"lawyer in danger"' \
    "-C latin1: curly quotes (not in Latin-1) became straight"
ok 'yurt_stop' "server stops cleanly"
}


run_tests
