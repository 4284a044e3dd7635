#!/bin/bash
# One URL module and one extension table (issue 15 part A), checked so
# they stay: no percent-decoding or hex table outside url.c, one NITEMS,
# one extension table (mime.c); and the files part A reshaped stay under
# 800 lines with no function over 80.  Reads the sources only.
TOP="${YURT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}"
SRC="$TOP/src"
n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
# Certificate fingerprints (tls/cert) and the log's \x escapes write hex
# digits, but decode nothing and encode no URL: they are not URL code.
others() { ls "$SRC"/*.c | grep -Ev '/(url|tls[a-z_]*|cert|log)\.c$'; }

# a second hex-digit decoder, or a "%XX" taken apart by hand (a hex
# fingerprint read with url_hexval is no URL)
dec=$( (grep -nE "'[aA]' \+ 10" $(others) "$SRC"/log.c "$SRC"/tls*.c \
    "$SRC"/cert.c 2>/dev/null
    grep -n -A3 "== '%'" $(others) | grep -E 'url_hexval|- .0.') )
ok "$([ -z "$dec" ]; echo $?)" "no percent-decoding outside url.c"
[ -n "$dec" ] && printf '%s\n' "$dec" | sed "s|$SRC/|# |"

hex=$(grep -nE '"0123456789[ABCDEFabcdef]{6}"|%%%c%c|%%%02[Xx]' $(others))
ok "$([ -z "$hex" ]; echo $?)" "no hex table or percent-encoding outside url.c"
[ -n "$hex" ] && printf '%s\n' "$hex" | sed "s|$SRC/|# |"

nit=$(grep -n '#define NITEMS' "$SRC"/*.[ch] "$TOP"/tests/*/*.[ch] |
    grep -v "^$SRC/nitems.h:")
ok "$([ -z "$nit" ]; echo $?)" "one NITEMS, in nitems.h"
[ -n "$nit" ] && printf '%s\n' "$nit" | sed "s|$TOP/|# |"

# an extension table: a row of an extension and what it means
ext=$(grep -lE '\{ *"(gmi|png|jpe?g|txt)", ' "$SRC"/*.c | grep -v '/mime\.c$')
ok "$([ -z "$ext" ]; echo $?)" "one extension table, in mime.c"
[ -n "$ext" ] && printf '%s\n' "$ext" | sed "s|$SRC/|# |"

mine="url.c mime.c gopher.c gophermap.c gopherlink.c program.c spawn.c"
big= long=
for f in $mine; do
	[ -f "$SRC/$f" ] || continue
	l=$(wc -l <"$SRC/$f")
	[ "$l" -gt 800 ] && big="$big $f:$l"
	long="$long$(awk '/^[a-z_][a-z0-9_]*\(/ { name = $0
		sub(/\(.*/, "", name); from = FNR }
		/^}/ && name != "" { if (FNR - from + 1 > 80)
			printf " %s:%s()=%d", FILENAME, name, FNR - from + 1
			name = "" }' "$SRC/$f")"
done
ok "$([ -z "$big" ]; echo $?)" "part A's files under 800 lines"
[ -n "$big" ] && echo "#$big"
ok "$([ -z "$long" ]; echo $?)" "part A's functions under 80 lines"
[ -n "$long" ] && echo "#${long//$SRC\//}"

echo "1..$n"
[ "$failed" -eq 0 ]
