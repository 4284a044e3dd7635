#!/bin/bash
# The code's shape (issue 15), checked so it stays: the modules of src/
# (x.c with x.h) include one another without a circle, no src/*.c file is
# over 800 lines and no function over 80, and only the TLS files include
# OpenSSL.  Reads the sources only; no server is started.
TOP="${YURT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}"
SRC="$TOP/src"
n=0 failed=0
# A file or function a change in flight is shortening may be named here
# ("x.c", "f()") so the rest is held meanwhile; whoever shortens it takes
# it off.  None is now.
PENDING=""

pending() {
	local l
	while read -r l; do
		[ -z "$l" ] && continue
		case " $PENDING " in
		*" $(echo "$l" | awk '{print $2}') "* | \
		*" $(basename "$(echo "$l" | awk '{print $1}')") "*)
			echo "# pending: $l" >&2 ;;
		*) echo "$l" ;;
		esac
	done
}
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# One edge per '#include "y.h"' in x.c or x.h, from module x to module y.
edges=$(for f in "$SRC"/*.[ch]; do
	m=$(basename "$f"); m=${m%.*}
	sed -n 's/^#include "\([a-z0-9_]*\)\.h".*/\1/p' "$f" |
	    while read -r d; do [ "$d" != "$m" ] && echo "$m $d"; done
done | sort -u)
# tsort names a cycle on stderr ("input contains a loop")
cycle=$(printf '%s\n' "$edges" | tsort 2>&1 >/dev/null)
ok "$([ -z "$cycle" ]; echo $?)" "no include circle among src/ modules"
[ -n "$cycle" ] && printf '%s\n' "$cycle" | sed 's/^/# /'

big=$(wc -l "$SRC"/*.c | awk '$2 != "total" && $1 > 800 {print $2 " " $1}' | pending)
ok "$([ -z "$big" ]; echo $?)" "no src/*.c file over 800 lines"
[ -n "$big" ] && printf '%s\n' "$big" | sed "s|$SRC/|# |"

# A function: its name at the start of a line, its body from '{' to '}'
# at the start of lines (the style's); its length counts name to '}'.
long=$(awk 'FNR == 1 { name = "" }
	/^[a-z_][a-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); from = FNR }
	/^}/ && name != "" { if (FNR - from + 1 > 80)
		printf "%s %s() %d\n", FILENAME, name, FNR - from + 1
		name = "" }' "$SRC"/*.c | pending)
ok "$([ -z "$long" ]; echo $?)" "no function over 80 lines"
[ -n "$long" ] && printf '%s\n' "$long" | sed "s|$SRC/|# |"

ssl=$(grep -l '#include <openssl/' "$SRC"/*.[ch] | xargs -n1 basename |
    grep -Ev '^(tls[a-z_]*|cert)\.[ch]$')
ok "$([ -z "$ssl" ]; echo $?)" "only tls*.c and cert.c include OpenSSL"
[ -n "$ssl" ] && printf '%s\n' "$ssl" | sed 's/^/# /'

echo "1..$n"
[ "$failed" -eq 0 ]
