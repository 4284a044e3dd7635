#!/bin/bash
# The capsule's content stays within its rules (issue 12 item 7): a
# symlink never serves a dot-file, a listing does not follow links out of
# the root to say what exists there, and listing labels are valid UTF-8
# with no control characters, over Gemini and Gopher.
. "$(dirname "$0")/lib.sh"

R="$T/root"
mkdir -p "$R/sub" "$R/list" "$R/.hid"
printf '# Links\n' >"$R/index.gmi"
printf 'SECRET-MARKER\n' >"$R/.secret"
printf 'HIDDEN-DIR-MARKER\n' >"$R/.hid/file.txt"
printf 'PLAIN-MARKER\n' >"$R/plain.txt"
ln -s ../.secret "$R/sub/link"
ln -s ../.hid/file.txt "$R/sub/link2"
ln -s ../.hid "$R/sub/hidlink"
ln -s ../plain.txt "$R/sub/ok"
ln -s /etc "$R/list/etcdir"
ln -s ../sub "$R/list/subdir"
# links that can never be served (their targets are hidden): not listed
ln -s ../.hid "$R/list/hidlink"
ln -s ../.secret "$R/list/seclink"
ln -s ../.hid/file.txt "$R/list/inhid"
mkdir "$R/list/real"
printf 'x\n' >"$R/list/bad"$'\377\376'".gmi"
printf 'x\n' >"$R/list/c1"$'\xc2\x9b'"31m.gmi"
printf 'x\n' >"$R/list/café.gmi"
ROOT=$R

test_links() {
ok 'yurt_start' "server starts"
body() { req "$1" 2>/dev/null | tr -d '\r'; }
unlike "$(body gemini://localhost/sub/link)" 'SECRET' "a symlink to a dot-file is not served (Gemini)"
like "$(req -h gemini://localhost/sub/link 2>/dev/null)" '^51' "... 51"
unlike "$(body gemini://localhost/sub/link2)" 'HIDDEN-DIR' "a symlink into a dot-directory is not served"
unlike "$(body gemini://localhost/sub/hidlink/file.txt)" 'HIDDEN-DIR' "a symlinked dot-directory is not served"
like "$(body gemini://localhost/sub/ok)" 'PLAIN-MARKER' "a symlink to an ordinary file within the root still works"
gs() { curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/$1"; }
unlike "$(gs 0/sub/link)" 'SECRET' "a symlink to a dot-file is not served (Gopher)"

list=$(body gemini://localhost/list/)
like "$list" '=> ./real/ real/' "(a real directory lists with its slash)"
like "$list" '=> ./subdir/ subdir/' "a symlink to a directory within the root lists as one"
ok '[[ $list == *"etcdir"* ]] && [[ $list != *"etcdir/"* ]]' \
    "a symlink to /etc does not list as a directory"
ok 'printf "%s" "$list" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1' \
    "a listing with a name that is not UTF-8 is valid UTF-8"
ok '! printf "%s" "$list" | grep -q $'"'"'\xc2\x9b'"'"'' "no C1 control (U+009B) in a listing label"
like "$list" 'café\.gmi' "UTF-8 names are shown as they are"
unlike "$list" 'hidlink' "a symlink to a dot-directory is not listed (Gemini)"
unlike "$list" 'seclink' "a symlink to a dot-file is not listed (Gemini)"
unlike "$list" 'inhid' "a symlink into a dot-directory is not listed (Gemini)"
# the display strings (a selector holds the file's own bytes, to fetch it)
menu=$(gs 1/list/ | cut -f1)
ok 'printf "%s" "$menu" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1' \
    "the Gopher menu of that directory is valid UTF-8"
ok '! printf "%s" "$menu" | grep -q $'"'"'\xc2\x9b'"'"'' "... with no C1 control"
ok '! printf "%s" "$menu" | grep -q "^1etcdir"' "... and /etc is not a menu there"
unlike "$menu" 'hidlink|seclink|inhid' \
    "links to a dot-file, a dot-directory or into one are not in the Gopher menu"
like "$menu" 'subdir' "(the Gopher menu lists the other links)"
ok 'yurt_stop' "stops"
}

run_tests
