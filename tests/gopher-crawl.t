#!/bin/bash
# Crawl the bundled capsule over Gopher with curl: starting at the root
# menu, follow every type-0 and type-1 item that points at this server (and
# open every "URL:" page it offers), expecting well-formed menus and no
# error anywhere.  Then read the testimony with lynx.  Bounded: at most
# MAX_FETCHES requests.
. "$(dirname "$0")/lib.sh"

command -v lynx >/dev/null 2>&1 ||
    "$YURT_TOP/tests/need-packages" test lynx >/dev/null 2>&1
ok 'command -v curl >/dev/null && command -v lynx >/dev/null && command -v perl >/dev/null' \
    "curl, lynx and perl are installed"

ROOT="$YURT_TOP/capsule"
MAX_FETCHES=200
WIDTH=67

# -R 0 (no rate limit) throughout: these tests make hundreds of requests
# in a few seconds from one address.
test_crawl() {
ok 'yurt_start -R 0' "server starts on the bundled capsule"
GP=$YURT_GOPHER_PORT

# gfetch TYPE SELECTOR — curl, with the selector percent-encoded into the URL.
gfetch() {
	local enc
	enc=$(printf '%s' "$2" | perl -pe 's{([^A-Za-z0-9/._~-])}{sprintf("%%%02X", ord $1)}ge')
	curl -s --max-time 10 "gopher://127.0.0.1:$GP/$1$enc"
}


# maxcols — the longest line on stdin, in UTF-8 characters (CR dropped).
maxcols() {
	perl -CSD -ne 's/\r?\n\z//; $m = length if length > $m;
	    END { print $m + 0, "\n" }'
}

# The source page of a selector ("/x.gmi", "/.text/x.gmi", "/"), if it has
# no preformatted block (whose lines are never wrapped).
wrapped_source() {
	local p=${1#/.text}
	case $p in
	/|'') p=/index.gmi ;;
	esac
	[ -f "$ROOT$p" ] && ! grep -q '^```' "$ROOT$p"
}

# --- the crawl ---------------------------------------------------------------
declare -A seen=()	# "TYPE SELECTOR" -> the menu that first offered it
queue=($'1\t')		# the root: empty selector
seen[$'1\t']="(start)"
n=0 menus=0 texts=0 urls=0 foreign=0
while [ "${#queue[@]}" -gt 0 ] && [ "$n" -lt "$MAX_FETCHES" ]; do
	item=${queue[0]}
	queue=("${queue[@]:1}")
	type=${item%%$'\t'*} sel=${item#*$'\t'}
	from=${seen[$item]}
	n=$((n + 1))
	gfetch "$type" "$sel" >"$T/page"
	case $type in
	1)
		menus=$((menus + 1))
		is "$(menu_problems "$T/page" localhost "$GP")" "" \
		    "menu '$sel' is well-formed (from $from)"
		ok '! grep -qa "^3" "$T/page"' "menu '$sel' holds no error line"
		if wrapped_source "$sel"; then
			w=$(perl -ne 'print "$1\n" if /^i([^\t]*)\t/' "$T/page" | maxcols)
			ok '[ "$w" -le "$WIDTH" ]' "menu '$sel': text wrapped at $WIDTH (longest $w)"
		fi
		while IFS=$'\t' read -r td isel ihost iport; do
			t=${td:0:1}
			iport=${iport%$'\r'}
			case $t in 0|1|h) ;; *) continue ;; esac
			if [ "$ihost" != localhost ] || [ "$iport" != "$GP" ]; then
				foreign=$((foreign + 1))
				continue
			fi
			[ "$t" = h ] && case $isel in URL:*) ;; *) continue ;; esac
			key="$t"$'\t'"$isel"
			[ -n "${seen[$key]+x}" ] && continue
			seen[$key]=$sel
			queue+=("$key")
		done <"$T/page"
		;;
	0)
		texts=$((texts + 1))
		ok '[ -s "$T/page" ] && ! head -n 1 "$T/page" | grep -qaE "^3[^	]*	[^	]*	[^	]*	[0-9]+"$'\''\r?$'\' \
		    "text '$sel' is served, not an error (from $from)"
		case $sel in
		/.text/*)
			is "$(text_problems "$T/page")" "" "text '$sel' is well-formed"
			if wrapped_source "$sel"; then
				# the text, not the list of URLs at its end
				w=$(perl -0777 -pe 's/\r\nLinks\r\n-----\r\n.*\z/\r\n/s' "$T/page" | maxcols)
				ok '[ "$w" -le "$WIDTH" ]' "text '$sel': wrapped at $WIDTH (longest $w)"
			fi
			;;
		esac
		;;
	h)
		urls=$((urls + 1))
		page=$(cat "$T/page")
		lc=${page,,}
		ok '[[ $lc =~ \<meta\ http-equiv=\"refresh\"\ content=\"([0-9]|10)\;url= ]] &&
		    [[ $lc != *"<script"* ]]' \
		    "URL: page for '${sel:0:60}' is a refresh page without script (from $from)"
		;;
	esac
done
ok '[ "${#queue[@]}" -eq 0 ]' \
    "the crawl ends within $MAX_FETCHES fetches ($n: $menus menus, $texts texts, $urls URL: pages)"
is "$foreign" 0 "no item of the capsule points at another host or port"

# Every page is reached both as a menu and as plain text.
for f in "$ROOT"/*.gmi; do
	p=/$(basename "$f")
	[ "$p" = /index.gmi ] && alt=/ || alt=$p
	[ "$p" = /index.gmi ] ||
	    ok '[ -n "${seen[1	$p]+x}" ]' "the menu $p is reachable from the root"
	ok '[ -n "${seen[0	/.text$p]+x}" ] || [ -n "${seen[0	/.text$alt]+x}" ]' \
	    "the plain text /.text$p is reachable"
done
ok '[ -n "${seen[0	/.text/]+x}" ]' "the root offers its plain text /.text/"

# --- the testimony through lynx ------------------------------------------------
LYNX=(lynx -dump -width=80 -display_charset=utf-8)
timeout 20 "${LYNX[@]}" "gopher://127.0.0.1:$GP/1/testimony.gmi" >"$T/lynx"
# What lynx shows of the menu: the lines before its list of references.
sed '/^References$/,$d' "$T/lynx" >"$T/lynx.body"
joined=$(sed 's/^ *//' "$T/lynx.body" | tr '\n' ' ' | tr -s ' ')
like "$joined" 'Despite my political asylum, I remained in danger even in Belgium\.' \
    "lynx shows the testimony (a sentence from it, across wrapped lines)"
like "$joined" 'SLAPP—Strategic Lawsuit Against Public Participation' \
    "lynx shows the testimony's UTF-8 punctuation"
# lynx indents info lines by 7 columns ("(FILE) " and " (DIR) " for items)
# and does not re-wrap lines that fit its width.
w=$(grep -a '^       [^ ]' "$T/lynx.body" | maxcols)
ok '[ -n "$w" ] && [ "$w" -le $((WIDTH + 7)) ] && [ "$w" -ge $((WIDTH + 7 - 10)) ]' \
    "lynx: no text line longer than $WIDTH + its indent of 7 (longest $w)"
# The lines lynx shows are exactly the server's info lines: its wrapping
# is kept, line for line.
gfetch 1 /testimony.gmi >"$T/menu"
perl -ne 'print "$1\n" if /^i([^\t]*)\t/' "$T/menu" | sed 's/[[:space:]]*$//' |
    grep -v '^$' >"$T/server.lines"
grep -a '^       ' "$T/lynx.body" | sed 's/^       //; s/[[:space:]]*$//' |
    grep -vx ' *Gopher Menu' >"$T/lynx.lines"
ok '[ -s "$T/server.lines" ] && cmp -s "$T/server.lines" "$T/lynx.lines"' \
    "lynx shows the server's lines as wrapped, one for one ($(wc -l <"$T/server.lines") lines)" ||
    diag "$(diff "$T/server.lines" "$T/lynx.lines" | head -n 6)"
items=$(grep -c $'^[01h]' "$T/menu")
ok '[ "$(grep -cE "^ ?\((FILE|DIR|HTML)\) \[[0-9]+\]" "$T/lynx.body")" -eq "$items" ]' \
    "lynx shows each of the $items items of the menu as a link"

# --- the whole capsule through lynx ------------------------------------------
# lynx shows a type-3 (error) item as "(UNKN)"; follow every menu and text
# page of ours it lists, from the root, and look for one.
declare -A seen=()
queue=("gopher://127.0.0.1:$GP/1/")
fetched=0 bad=""
while [ "${#queue[@]}" -gt 0 ] && [ "$fetched" -lt 100 ]; do
	u=${queue[0]}
	queue=("${queue[@]:1}")
	[ -n "${seen[$u]:-}" ] && continue
	seen[$u]=1
	fetched=$((fetched + 1))
	timeout 20 "${LYNX[@]}" "$u" >"$T/lynx.page" 2>/dev/null ||
	    bad="$bad $u(lynx failed)"
	grep -aq '(UNKN)' "$T/lynx.page" && bad="$bad $u(error item)"
	[ -s "$T/lynx.page" ] || bad="$bad $u(empty)"
	for v in $(sed -n '/^References$/,$p' "$T/lynx.page" |
	    grep -aoE "gopher://[^ ]+:$GP/[01][^ ]*"); do
		v=$(printf '%s' "$v" | sed -E "s|^gopher://[^/]+/|gopher://127.0.0.1:$GP/|")
		[ -z "${seen[$v]:-}" ] && queue+=("$v")
	done
done
is "$bad" "" "lynx: no page of the crawl shows an error item"
ok '[ "$fetched" -ge 12 ]' \
    "lynx: the crawl reached every menu and its text version ($fetched pages)"
ok '[ -n "${seen[gopher://127.0.0.1:$GP/1/references.gmi]:-}" ] &&
    [ -n "${seen[gopher://127.0.0.1:$GP/0/.text/testimony.gmi]:-}" ]' \
    "lynx: the crawl went through the references and the testimony as text"

ok 'yurt_alive' "server alive after the crawl"
ok 'yurt_stop' "server stops cleanly on SIGTERM"

}

run_tests
