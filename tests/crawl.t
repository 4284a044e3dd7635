#!/bin/bash
# Crawl the bundled capsule over Gemini: starting at /, follow every link
# into the capsule and expect 20 for each.  Links to other hosts and other
# schemes are skipped; fragments are dropped (a request may not carry one).
. "$(dirname "$0")/lib.sh"

ROOT="$YURT_TOP/capsule"
MAX_PAGES=300

test_crawl() {
ok 'yurt_start' "server starts on the bundled capsule"

declare -A seen=()	# path -> the page that first linked it
queue=("/")
seen["/"]="(start)"

# resolve BASE-PATH LINK — the capsule path LINK points to, or nothing
# when it leads out of the capsule.
resolve() {
	local base=$1 link=$2 path out seg
	local -a segs=()
	link=${link%%#*}
	case $link in
	gemini://*|//*)
		local rest=${link#gemini:}
		rest=${rest#//}
		local auth=${rest%%/*}
		[ "$auth" = "$rest" ] && rest="$rest/"
		auth=${auth,,}
		auth=${auth%.}
		case $auth in
		localhost|localhost:"$YURT_PORT"|localhost:1965) ;;
		*) return 0 ;;
		esac
		path="/${rest#*/}"
		;;
	[a-zA-Z]*:*)
		# Another scheme (https:, mailto:, gopher:...) unless the colon
		# comes after a slash, in which case it is a relative path.
		local scheme=${link%%:*}
		case $scheme in
		*/*) path="${base%/*}/$link" ;;
		*) return 0 ;;
		esac
		;;
	/*) path=$link ;;
	'') path=$base ;;
	*) path="${base%/*}/$link" ;;
	esac
	# Resolve . and .. segments, keeping a trailing slash.
	local query=""
	case $path in *\?*) query="?${path#*\?}"; path=${path%%\?*} ;; esac
	IFS=/ read -r -a parts <<<"${path#/}"
	for seg in "${parts[@]}"; do
		case $seg in
		''|.) ;;
		..) [ "${#segs[@]}" -gt 0 ] && unset 'segs[${#segs[@]}-1]' ;;
		*) segs+=("$seg") ;;
		esac
	done
	out=""
	for seg in "${segs[@]}"; do
		out="$out/$seg"
	done
	case $path in */|*/.|*/..) out="$out/" ;; esac
	[ -n "$out" ] || out=/
	echo "$out$query"
}

n=0
while [ "${#queue[@]}" -gt 0 ] && [ "$n" -lt "$MAX_PAGES" ]; do
	path=${queue[0]}
	queue=("${queue[@]:1}")
	n=$((n + 1))
	req "gemini://localhost$path" >"$T/page" 2>"$T/err"
	rc=$?
	h=$(head -n 1 "$T/page" | tr -d '\r')
	like "$h" '^20 ' "$path gives 20 (linked from ${seen[$path]})"
	ok '[ "$rc" -eq 0 ]' "$path ends with close_notify"
	case $path in
	*.gmi|*/) is "${h%%;*}" "20 text/gemini" "$path is text/gemini" ;;
	esac
	case $h in
	"20 text/gemini"*) ;;
	*) continue ;;
	esac
	while read -r link; do
		target=$(resolve "$path" "$link")
		[ -n "$target" ] || continue
		[ -n "${seen[$target]+x}" ] && continue
		seen["$target"]=$path
		queue+=("$target")
	done < <(sed -n '2,$s/^=>[ \t]*\([^ \t\r]*\).*/\1/p' "$T/page")
done
ok '[ "${#queue[@]}" -eq 0 ]' "the crawl ends within $MAX_PAGES pages ($n fetched)"

# The pages SPEC §3 promises must all be reachable from the index.
for p in /profile.gmi /testimony.gmi /references.gmi /timeline.gmi; do
	ok '[ -n "${seen[$p]+x}" ]' "$p is reachable from /"
done
ok 'yurt_alive' "server alive after the crawl"
ok 'yurt_stop' "server stops cleanly on SIGTERM"

}

run_tests
