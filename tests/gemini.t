#!/bin/bash
# Black-box tests of the Gemini side (SPEC §1): start the real yurt on
# loopback, talk to it with build/tests/gg and openssl s_client.
. "$(dirname "$0")/lib.sh"

# --- fixtures ------------------------------------------------------------

R="$T/root"
mkdir -p "$R/dir" "$R/list/sub" "$R/.hiddendir" "$T/outside" "$T/root2"
printf '# Test capsule\nINDEX-MARKER\n=> page.gmi A page\n' >"$R/index.gmi"
printf '# Page\nPAGE-MARKER\n' >"$R/page.gmi"
printf 'plain text file\n' >"$R/plain.txt"
printf 'body { color: black; }\n' >"$R/style.css"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>\n' \
    >"$R/image.svg"
printf '# Notes\n\nSome *markdown* text.\n' >"$R/notes.md"
printf 'This is an ordinary text file without any extension.\nIt has lines.\n' \
    >"$R/README"
PNG='iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
printf '%s' "$PNG" | base64 -d >"$R/pic.png"
printf '%s' "$PNG" | base64 -d >"$R/picture"
printf 'CAFE-MARKER\n' >"$R/café.gmi"
printf 'HIDDEN-MARKER\n' >"$R/.hidden"
printf '# Dir\nDIR-INDEX-MARKER\n' >"$R/dir/index.gmi"
printf 'SECRET-MARKER\n' >"$R/dir/.secret"
printf 'HIDDEN-MARKER\n' >"$R/.hiddendir/file.txt"
printf '# A\n' >"$R/list/a.gmi"
printf 'b\n' >"$R/list/b.txt"
printf 'SECRET-MARKER\n' >"$R/list/.secret"
printf '# Sub\n' >"$R/list/sub/index.gmi"
printf 'spaces\n' >"$R/list/my file.txt"
printf 'percent\n' >"$R/list/100%%.txt"
printf 'newline\n' >"$R/list/x
=> gemini:evil injected"
mkfifo "$R/fifo"
printf 'NOPERM-MARKER\n' >"$R/noperm.txt"
chmod 000 "$R/noperm.txt"
mkdir "$R/nopermdir"
printf 'NOPERM-MARKER\n' >"$R/nopermdir/f.txt"
chmod 000 "$R/nopermdir"
ln -s loop "$R/loop"
printf 'TOPSECRET-OUTSIDE\n' >"$T/outside/secret.txt"
ln -s "$T/outside/secret.txt" "$R/escape.txt"
ln -s ../outside/secret.txt "$R/escape-rel.txt"
ln -s "$T/outside" "$R/outdir"
ln -s index.gmi "$R/alias.gmi"
printf '# Second host\nROOT2-MARKER\n' >"$T/root2/index.gmi"
head -c 20000000 /dev/urandom >"$R/big.bin"
BIGSUM=$(sha256sum <"$R/big.bin" | cut -d' ' -f1)

OUT="$T/out"
ERR="$T/err"

# status URL — just the two-digit status (empty when there was no reply).
status() {
	header "$1" | cut -c1-2
}

# Expect the header of a request (URL, or raw bytes on stdin with -r) to
# match an ERE.
expect() {
	local url=$1 re=$2 desc=$3
	like "$(header "$url")" "$re" "$desc"
}
# expect_raw PRINTF-FORMAT ERE DESCRIPTION — the request is printf's output.
expect_raw() {
	local fmt=$1 re=$2 desc=$3
	# shellcheck disable=SC2059
	like "$(printf "$fmt" | rawheader)" "$re" "$desc"
}

# sclient ARGS... — one request for / with openssl s_client; its report
sclient() {
	printf 'gemini://localhost/\r\n' | timeout 15 openssl s_client \
	    -ign_eof -connect "127.0.0.1:$YURT_PORT" -servername localhost \
	    "$@" 2>&1
}
# =========================================================================
# Command line (no server running)
# =========================================================================
test_command_line() {

out=$(timeout 10 "$YURT" --version 2>&1); rc=$?
is "$rc" 0 "--version exits 0"
like "$out" '[0-9]+\.[0-9]+' "--version prints a version"
out=$(timeout 10 "$YURT" -V 2>&1); rc=$?
is "$rc" 0 "-V exits 0"
out=$(timeout 10 "$YURT" --help 2>&1); rc=$?
is "$rc" 0 "--help exits 0"
like "$out" '--root' "--help lists the options"
out=$(timeout 10 "$YURT" -h 2>&1); rc=$?
is "$rc" 0 "-h exits 0"
out=$(timeout 10 "$YURT" --no-such-option -a 127.0.0.1 -p 1 -r "$R" 2>&1); rc=$?
ok '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]' "a bad option exits non-zero (got $rc)"
like "$out" '[A-Za-z]' "a bad option prints a message"
out=$(timeout 10 "$YURT" -n -p notaport -r "$R" -d "$T/ncerts" 2>&1); rc=$?
ok '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]' "a bad port exits non-zero (got $rc)"
like "$out" 'port|notaport' "a bad port is named in the message"
out=$(timeout 10 "$YURT" -n -a 127.0.0.1 -p 1 -r "$T/does-not-exist" \
    -d "$T/ncerts" 2>&1); rc=$?
ok '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]' "a missing root fails the check (got $rc)"
out=$(timeout 10 "$YURT" -n -a 127.0.0.1 -p 23456 -r "$R" -d "$T/ncerts" \
    -H localhost -w 1 -t 7 -i 9 -m 33 -l en 2>&1); rc=$?
is "$rc" 0 "-n with a good configuration exits 0"
like "$out" '23456' "-n prints the effective port"
like "$out" "$R" "-n prints the effective root"
like "$out" 'localhost' "-n prints the host"
like "$out" '33' "-n prints the connection bound"
ok '! port_listening 23456' "-n does not leave a server listening"
}


# =========================================================================
# Main server: generated certificate, requests, URLs, files
# =========================================================================

test_certificate() {
ok 'yurt_start' "server starts (empty certs dir)"

# --- certificate generation ---------------------------------------------
CRT="$CERTS/localhost.crt" KEY="$CERTS/localhost.key"
ok '[ -s "$CRT" ]' "certs/localhost.crt generated"
ok '[ -s "$KEY" ]' "certs/localhost.key generated"
is "$(stat -c %a "$KEY" 2>/dev/null)" 600 "key file mode is 0600"
text=$(openssl x509 -noout -text -in "$CRT" 2>/dev/null)
like "$text" 'NIST CURVE: P-256|prime256v1' "certificate key is EC P-256"
like "$text" 'Subject:.*CN ?= ?localhost' "certificate CN is localhost"
like "$text" 'DNS:localhost' "certificate SAN is localhost"
ok 'openssl x509 -noout -checkend 31536000 -in "$CRT" >/dev/null 2>&1' \
    "certificate is valid for more than a year"
ok 'openssl pkey -noout -in "$KEY" 2>/dev/null' "key is a readable PEM key"
FP=$(cert_fp "$CRT")
like "$FP" '^[0-9A-F]{64}$' "openssl reads the certificate fingerprint"
logfp=$(grep -a 'SHA-256' "$YURT_LOG" | grep -oE '([0-9A-F]{2}:){31}[0-9A-F]{2}' |
    head -n 1 | tr -d ':')
is "$logfp" "$FP" "log shows the SHA-256 fingerprint of the new certificate"
is "$(served_fp localhost)" "$FP" "the served certificate is the file"
ok 'grep -q listening "$YURT_LOG"' "log says listening"

}

test_plain_request() {
yurt_need
# --- a plain request ----------------------------------------------------
printf 'gemini://localhost/\r\n' | rawreq >"$OUT" 2>"$ERR"; rc=$?
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "gemini://localhost/ gives 20 text/gemini"
ok 'grep -q INDEX-MARKER "$OUT"' "the body is index.gmi"
is "$rc" 0 "close_notify after a 20"
out=$(printf 'gemini://localhost/\r\n' | timeout 15 openssl s_client -quiet \
    -connect "127.0.0.1:$YURT_PORT" -servername localhost 2>/dev/null)
is "$(printf '%s\n' "$out" | head -n 1)" $'20 text/gemini\r' "openssl s_client gets 20 text/gemini"
like "$out" 'INDEX-MARKER' "openssl s_client gets the body"
like "$(sclient -tls1_3)" 'Cipher is TLS_AES_128_GCM_SHA256' \
    "TLS 1.3: AES-128-GCM with SHA-256 is chosen over the client's default order"
like "$(sclient -tls1_3 -ciphersuites \
    TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256)" \
    'Cipher is TLS_CHACHA20_POLY1305_SHA256' \
    "TLS 1.3: a client that lists ChaCha20 first gets ChaCha20"
like "$(sclient -tls1_2)" 'Cipher is ECDHE-ECDSA-AES128-GCM-SHA256' \
    "TLS 1.2: ECDHE-ECDSA-AES128-GCM-SHA256"
# the ticket leaves with the reply; the next connection resumes with it
out=$(sclient -tls1_3 -sess_out "$T/sess.pem")
like "$out" 'INDEX-MARKER' "a session ticket is given with the reply..."
ok '[ -s "$T/sess.pem" ]' "... and kept by the client"
out=$(sclient -tls1_3 -sess_in "$T/sess.pem")
like "$out" 'Reused, TLSv1.3' "... which resumes the session"
like "$out" 'INDEX-MARKER' "... and the resumed connection is served"
req gemini://localhost >"$OUT" 2>/dev/null
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "empty path gives 20 (no redirect)"
ok 'grep -q INDEX-MARKER "$OUT"' "empty path serves the same index"
expect gemini://localhost/index.gmi '^20 text/gemini$' "/index.gmi gives 20"
printf 'gemini://localhost/page.gmi\r\n' | rawreq -d 10 >"$OUT" 2>/dev/null
ok 'grep -q PAGE-MARKER "$OUT"' "a request sent one byte at a time is served"

}

test_close_notify() {
yurt_need
# --- close_notify on every reply ------------------------------------------
for u in gemini://localhost/nope gemini://localhost/dir \
    gemini://example.com/ //localhost/; do
	req "$u" >"$OUT" 2>"$ERR"; rc=$?
	is "$rc" 0 "close_notify after '$(head -c 2 "$OUT")' for $u"
done
is "$(status gemini://localhost/nope)" 51 "a missing file is 51"
is "$(status gemini://example.com/)" 53 "another host is 53"

}

test_tls_versions() {
yurt_need
# --- TLS versions ---------------------------------------------------------
out=$(timeout 15 openssl s_client -connect "127.0.0.1:$YURT_PORT" \
    -servername localhost -tls1_2 </dev/null 2>&1); rc=$?
is "$rc" 0 "s_client -tls1_2 connects"
like "$out" 'Protocol *: *TLSv1\.2' "TLS 1.2 is negotiated when asked for"
out=$(timeout 15 openssl s_client -connect "127.0.0.1:$YURT_PORT" \
    -servername localhost -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' \
    </dev/null 2>&1); rc=$?
ok '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]' "s_client -tls1_1 fails"
unlike "$out" 'New, TLSv1(\.[01])?,' "TLS 1.1 is never negotiated"
req -x 1.1 gemini://localhost/ >"$OUT" 2>/dev/null; rc=$?
is "$rc" 5 "gg -x 1.1: handshake fails"
req -x 1.0 gemini://localhost/ >"$OUT" 2>/dev/null; rc=$?
is "$rc" 5 "gg -x 1.0: handshake fails"
req -v -x 1.2 gemini://localhost/ >"$OUT" 2>"$ERR"; rc=$?
is "$rc" 0 "a request over TLS 1.2 ends with close_notify"
ok 'grep -q "^gg: version TLSv1.2$" "$ERR"' "... and is TLS 1.2"
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "... and is served"
req -v gemini://localhost/ >"$OUT" 2>"$ERR"
ok 'grep -q "^gg: version TLSv1.3$" "$ERR"' "TLS 1.3 is preferred"

}

test_framing() {
yurt_need
# --- request framing ---------------------------------------------------------
base=gemini://localhost/
u1024="$base$(head -c $((1024 - ${#base})) /dev/zero | tr '\0' a)"
is "${#u1024}" 1024 "(a URL of exactly 1024 bytes)"
like "$(header "$u1024")" '^(20|51) ' "a 1024-byte URL is accepted (51, not 59)"
req "${u1024}b" >"$OUT" 2>"$ERR"; rc=$?
like "$(head -c 3 "$OUT")" '^(59 |)$' "a 1025-byte URL gets 59 or a close"
ok '[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]' "... and the server closes the connection (gg status $rc)"
req "${u1024}${u1024}" >"$OUT" 2>"$ERR"; rc=$?
like "$(head -c 3 "$OUT")" '^(59 |)$' "a 2048-byte URL gets 59 or a close"
ok '[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]' "... and the server closes the connection (gg status $rc)"
expect_raw 'gemini://localhost/\0\r\n' '^59' "NUL byte is 59"
expect_raw 'gemini://localhost/a\0b.gmi\r\n' '^59' "NUL inside a path is 59"
expect_raw 'gemini://localhost/\xff\r\n' '^59' "invalid UTF-8 (0xff) is 59"
expect_raw 'gemini://localhost/\xc0\xaf\r\n' '^59' "overlong UTF-8 is 59"
expect_raw 'gemini://localhost/\x80\r\n' '^59' "lone continuation byte is 59"
expect_raw 'gemini://localhost/\xed\xa0\x80\r\n' '^59' "UTF-8 surrogate is 59"
expect_raw 'gemini://localhost/caf\xc3\r\n' '^59' "truncated UTF-8 sequence is 59"
expect_raw 'gemini://localhost/a\x01b\r\n' '^59' "control character 0x01 is 59"
expect_raw 'gemini://localhost/a\x1bb\r\n' '^59' "ESC is 59"
expect_raw 'gemini://localhost/a\x7fb\r\n' '^59' "DEL is 59"
expect_raw 'gemini://localhost/a\tb\r\n' '^59' "TAB is 59"
expect_raw 'gemini://localhost/a\xc2\x85b\r\n' '^59' "C1 control character U+0085 is 59"
expect_raw 'gemini://localhost/a\rb\r\n' '^59' "a CR inside the request is 59"
expect_raw '\r\n' '^59' "an empty request is 59"
printf 'gemini://localhost/caf\xc3\xa9.gmi\r\n' | rawreq >"$OUT" 2>/dev/null
ok 'grep -q CAFE-MARKER "$OUT"' "valid UTF-8 in the path is served"
req 'gemini://localhost/caf%C3%A9.gmi' >"$OUT" 2>/dev/null
ok 'grep -q CAFE-MARKER "$OUT"' "percent-encoded UTF-8 in the path is served"

}

test_urls() {
yurt_need
# --- URLs -------------------------------------------------------------------
expect //localhost/ '^59' "no scheme (//localhost/) is 59"
expect /index.gmi '^59' "a relative URL (/index.gmi) is 59"
expect index.gmi '^59' "a relative URL (index.gmi) is 59"
expect 'hello world' '^59' "random text is 59"
expect gemini:/index.gmi '^59' "gemini:/path (no authority) is 59"
expect gemini:// '^59' "gemini:// (no host) is 59"
expect gemini://user@localhost/ '^59' "userinfo is 59"
expect gemini://user:pw@localhost/ '^59' "userinfo with password is 59"
expect 'gemini://localhost/#frag' '^59' "a fragment is 59"
expect 'gemini://localhost/index.gmi#' '^59' "an empty fragment is 59"
expect gemini://LOCALHOST/ '^20 text/gemini$' "the host is case-insensitive"
expect GEMINI://localhost/ '^20 text/gemini$' "the scheme is case-insensitive (RFC 3986 3.1)"
expect 'gemini://[::1]/' '^53' "an IPv6 literal host is 53"
expect gemini://LocalHost./ '^20 text/gemini$' "a trailing dot in the host is ignored"
expect gemini://example.com/ '^53' "another host is 53"
expect gemini://localhost.example/ '^53' "a longer host name is 53"
expect gemini://127.0.0.2/ '^53' "another address is 53"
expect gemini://localhost:1/ '^53' "another port is 53"
expect gemini://localhost:99999/ '^5[39]' "an impossible port is 53 or 59"
expect "gemini://localhost:$YURT_PORT/" '^20 text/gemini$' "the server's own port is accepted"
expect http://localhost/ '^53' "http is 53"
expect https://localhost/ '^53' "https is 53"
expect gopher://localhost/ '^53' "gopher is 53"
expect 'gemini://localhost/index.gmi?a=b' '^20 text/gemini$' "a query string is allowed"

}

test_traversal() {
yurt_need
# --- percent-decoding, dot segments, traversal ------------------------------
expect gemini://localhost/%69ndex.gmi '^20 text/gemini$' "%69ndex.gmi is index.gmi"
expect gemini://localhost/%69NDEX.gmi '^51' "decoding does not fold case"
expect gemini://localhost/%zz '^59' "bad escape %zz is 59"
expect gemini://localhost/index.gmi%2 '^59' "truncated escape is 59"
expect gemini://localhost/%g0 '^59' "bad escape %g0 is 59"
expect gemini://localhost/dir%2findex.gmi '^59' "%2f inside a segment is 59"
expect gemini://localhost/dir%2Findex.gmi '^59' "%2F inside a segment is 59"
expect gemini://localhost/index.gmi%00 '^59' "%00 is 59"
expect gemini://localhost/a/../index.gmi '^20 text/gemini$' "/a/../index.gmi resolves to /index.gmi"
expect gemini://localhost/./index.gmi '^20 text/gemini$' "/./index.gmi resolves"
expect gemini://localhost/dir/./../page.gmi '^20 text/gemini$' "/dir/./../page.gmi resolves"
for u in /../../etc/passwd /../../../../../../etc/passwd /dir/../../etc/passwd \
    /%2e%2e/%2e%2e/etc/passwd /%2E%2E/%2E%2E/%2E%2E/etc/passwd \
    /.%2e/.%2e/etc/passwd /../outside/secret.txt /%2e%2e/outside/secret.txt; do
	req "gemini://localhost$u" >"$OUT" 2>/dev/null
	like "$(head -n 1 "$OUT" | tr -d '\r')" '^5[19]' "$u is 51 or 59"
	ok '! grep -qE "root:|TOPSECRET" "$OUT"' "$u never serves a file outside"
done

}

test_symlinks() {
yurt_need
# --- symlinks and dot-files -------------------------------------------------
for u in /escape.txt /escape-rel.txt /outdir/secret.txt /outdir/; do
	req "gemini://localhost$u" >"$OUT" 2>/dev/null
	like "$(head -n 1 "$OUT" | tr -d '\r')" '^51' "symlink out of the root: $u is 51"
	ok '! grep -q TOPSECRET "$OUT"' "symlink out of the root: $u not served"
done
req gemini://localhost/alias.gmi >"$OUT" 2>/dev/null
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "a symlink inside the root is followed"
ok 'grep -q INDEX-MARKER "$OUT"' "... to its target"
for u in /.hidden /dir/.secret /.hiddendir/file.txt /.hiddendir/ /list/.secret \
    /%2ehidden; do
	req "gemini://localhost$u" >"$OUT" 2>/dev/null
	like "$(head -n 1 "$OUT" | tr -d '\r')" '^51' "dot-file $u is 51"
	ok '! grep -qE "HIDDEN|SECRET" "$OUT"' "dot-file $u not served"
done

t0=$(now_ms)
req -t 5 gemini://localhost/fifo >"$OUT" 2>/dev/null
el=$(($(now_ms) - t0))
like "$(head -n 1 "$OUT" | tr -d '\r')" '^(51|40)' "a FIFO is not served (51)"
ok '[ "$el" -lt 3000 ]' "... promptly (${el} ms)"
expect gemini://localhost/page.gmi '^20 ' "the server still serves after the FIFO"
expect gemini://localhost/loop '^(51|40)' "a symlink loop is 51"
for u in /noperm.txt /nopermdir/ /nopermdir/f.txt; do
	req "gemini://localhost$u" >"$OUT" 2>/dev/null; rc=$?
	like "$(head -n 1 "$OUT" | tr -d '\r')" '^(4[0-2]|5[01]) ' "unreadable $u is a 4x/5x error"
	ok '! grep -q NOPERM "$OUT" && [ "$rc" -eq 0 ]' "... with no content and close_notify"
done

}

test_directories() {
yurt_need
# --- directories ------------------------------------------------------------
h=$(header gemini://localhost/dir)
like "$h" '^31 ([^ ]*/)?dir/$' "a directory without slash is 31 .../dir/"
like "$h" '^31 (gemini://localhost(:'"$YURT_PORT"')?)?/dir/$' "... to the same host and port"
expect gemini://localhost/list '^31 ([^ ]*/)?list/$' "a listed directory without slash is 31"
expect gemini://localhost/list/sub '^31 ([^ ]*/)?list/sub/$' "a nested directory is 31 with the full path"
req gemini://localhost/dir/ >"$OUT" 2>/dev/null
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "a directory with an index is 20 text/gemini"
ok 'grep -q DIR-INDEX-MARKER "$OUT"' "index.gmi serves the directory"
req gemini://localhost/list/ >"$OUT" 2>/dev/null
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "a directory without an index is listed"
ok 'grep -qE "^=>[ 	]*[^ 	]*a\.gmi" "$OUT"' "the listing links a.gmi"
ok 'grep -qE "^=>[ 	]*[^ 	]*b\.txt" "$OUT"' "the listing links b.txt"
ok 'grep -qE "^=>[ 	]*[^ 	]*sub/?([^A-Za-z0-9._/-]|$)" "$OUT"' "the listing links sub"
ok 'grep -q "^=>" "$OUT" && ! grep -q secret "$OUT"' "the listing hides dot-files"
ok 'grep -q "^=>" "$OUT" && ! grep -q "^=> *gemini:evil" "$OUT"' \
    "a newline in a file name cannot inject a listing line"
n=0 bad=""
while read -r link; do
	[ "$n" -lt 20 ] || break
	n=$((n + 1))
	case $link in
	gemini://*) u=$link ;;
	/*) u="gemini://localhost$link" ;;
	*) u="gemini://localhost/list/$link" ;;
	esac
	s=$(status "$u")
	[ "$s" = 20 ] || bad="$bad $link:$s"
done < <(sed -n 's/^=>[ \t]*\([^ \t\r]*\).*/\1/p' "$OUT")
ok '[ "$n" -ge 5 ] && [ -z "$bad" ]' "every link of the listing gives 20 ($n links;$bad)"

}

test_content_types() {
yurt_need
# --- content types ------------------------------------------------------------
expect gemini://localhost/page.gmi '^20 text/gemini$' ".gmi is text/gemini (no lang by default)"
expect gemini://localhost/plain.txt '^20 text/plain(;.*)?$' ".txt is text/plain"
expect gemini://localhost/style.css '^20 text/css(;.*)?$' ".css is text/css"
expect gemini://localhost/image.svg '^20 image/svg\+xml(;.*)?$' ".svg is image/svg+xml"
expect gemini://localhost/notes.md '^20 text/markdown(;.*)?$' ".md is text/markdown"
expect gemini://localhost/pic.png '^20 image/png$' "a PNG is image/png"
expect gemini://localhost/picture '^20 image/png$' "a PNG without extension is image/png (libmagic)"
expect gemini://localhost/README '^20 text/plain(;.*)?$' "text without extension is text/plain (libmagic)"
req -B gemini://localhost/pic.png >"$OUT" 2>/dev/null
ok 'cmp -s "$OUT" "$R/pic.png"' "the PNG arrives byte for byte"

}

test_header_format() {
yurt_need
# --- response header format -----------------------------------------------------
for u in gemini://localhost/ gemini://localhost/nope gemini://localhost/dir \
    gemini://example.com/ 'gemini://localhost/%zz'; do
	h=$(req -h "$u" 2>/dev/null; echo x)
	h=${h%x}
	like "$h" $'^(10|11|20|30|31|40|41|42|43|44|50|51|52|53|59|60|61|62) [^\r\n]*\r\n$' \
	    "header for $u is '<status> <meta>CRLF' with a defined status"
	ok '[ "${#h}" -ge 4 ] && [ "${#h}" -le 1029 ]' "meta for $u is at most 1024 bytes"
done
req gemini://localhost/nope >"$OUT" 2>/dev/null
is "$(head -c 3 "$OUT"):$(sed -n '2,$p' "$OUT" | wc -c)" "51 :0" "51 has no body"
req gemini://localhost/%zz >"$OUT" 2>/dev/null
is "$(head -c 3 "$OUT"):$(sed -n '2,$p' "$OUT" | wc -c)" "59 :0" "59 has no body"
# A 1024-byte URL naming a directory: an absolute redirect would be 1025.
long="$(printf 'a%.0s' $(seq 250))/$(printf 'b%.0s' $(seq 250))/$(printf 'c%.0s' $(seq 250))"
d4=$(printf 'd%.0s' $(seq $((1024 - 19 - ${#long} - 1))))
mkdir -p "$R/$long/$d4"
ulong="gemini://localhost/$long/$d4"
is "${#ulong}" 1024 "(a 1024-byte URL naming a directory)"
h=$(req -h "$ulong" 2>/dev/null; echo x)
h=${h%x}
like "$h" $'^[0-9][0-9] [^\r\n]*\r\n$' "its reply is a well-formed header"
ok '[ "${#h}" -ge 4 ] && [ "${#h}" -le 1029 ]' "its redirect meta is at most 1024 bytes (${#h} bytes with status and CRLF)"

}

test_large_file() {
yurt_need
# --- a large file ------------------------------------------------------------
req -B -t 30 gemini://localhost/big.bin >"$OUT" 2>"$ERR"; rc=$?
is "$rc" 0 "a 20 MB file ends with close_notify"
is "$(sha256sum <"$OUT" | cut -d' ' -f1)" "$BIGSUM" "a 20 MB file arrives intact"
like "$(header gemini://localhost/big.bin)" '^20 application/octet-stream$' \
    "random bytes are application/octet-stream"

}

test_concurrency() {
yurt_need
# --- concurrency: two clients served while others stall -----------------------
gg -S 0 -s localhost -q -t 20 127.0.0.1 "$YURT_PORT" >/dev/null 2>&1 &
st1=$!
gg -S 12 -s localhost -q -t 20 127.0.0.1 "$YURT_PORT" gemini://localhost/ \
    >/dev/null 2>&1 &
st2=$!
sleep 4 3<>"/dev/tcp/127.0.0.1/$YURT_PORT" 2>/dev/null &
st3=$!
sleep 0.5
t0=$(now_ms)
req gemini://localhost/page.gmi >"$T/c1" 2>/dev/null &
c1=$!
req gemini://localhost/plain.txt >"$T/c2" 2>/dev/null &
c2=$!
wait "$c1"; rc1=$?
wait "$c2"; rc2=$?
el=$(($(now_ms) - t0))
ok 'grep -q PAGE-MARKER "$T/c1" && [ "$rc1" -eq 0 ]' "client 1 served while three others stall"
ok 'grep -q "plain text file" "$T/c2" && [ "$rc2" -eq 0 ]' "client 2 served while three others stall"
ok '[ "$el" -lt 2500 ]' "... promptly (${el} ms)"
kill "$st1" "$st2" "$st3" 2>/dev/null
wait "$st1" "$st2" "$st3" 2>/dev/null

}

test_log() {
yurt_need
# --- the log -------------------------------------------------------------------
req gemini://localhost/log-probe-51 >/dev/null 2>&1
req gemini://localhost/page.gmi?log-probe-20 >/dev/null 2>&1
req 'gemini://localhost/ctlA%01ctlB' >/dev/null 2>&1
printf 'gemini://localhost/ctlC\x01ctlD\r\n' | rawreq >/dev/null 2>&1
sleep 0.3
ok 'yurt_alive' "server alive after the main tests"
is "$(grep -ac 'log-probe-51' "$YURT_LOG")" 1 "one log line for one request"
like "$(grep -a 'log-probe-51' "$YURT_LOG")" '(^|[^0-9])51([^0-9]|$)' "the log line has the status"
like "$(grep -a 'log-probe-51' "$YURT_LOG")" '/log-probe-51' "the log line has the path"
like "$(grep -a 'page.gmi' "$YURT_LOG" | tail -n 1)" '(^|[^0-9])20([^0-9]|$)' "a served page is logged with 20"
lines=$(grep -aE 'log-probe|ctl[A-D]|index.gmi|page.gmi' "$YURT_LOG")
ok '[ -n "$lines" ] && ! [[ $lines =~ 127\.0\.0\.1 ]]' \
    "request lines do not log the client address"
ok '[ -s "$YURT_LOG" ] && ! grep -av listen "$YURT_LOG" | grep -q 127.0.0.1' \
    "the log has no client address outside the listening line"
ok '[ -s "$YURT_LOG" ] && ! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n\t" <"$YURT_LOG")' "the log holds no raw control characters"
ok '[ -s "$YURT_LOG" ] && iconv -f UTF-8 -t UTF-8 "$YURT_LOG" >/dev/null 2>&1' \
    "the log is valid UTF-8 after invalid UTF-8 requests (journald stores it as text)"
like "$(grep -a 'ctlA' "$YURT_LOG")" 'ctlA[^ ]{1,6}ctlB' "a decoded control character in the path is logged escaped"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# -l en
# =========================================================================
test_lang() {
# alone, the certificate a restart must keep is made here
[ -n "${FP:-}" ] || { yurt_need; FP=$(cert_fp "$CERTS/localhost.crt"); }
ok 'yurt_start -l en' "server starts with -l en"
is "$(served_fp localhost)" "$FP" "a restart keeps the certificate (clients pin it)"
expect gemini://localhost/page.gmi '^20 text/gemini; ?lang=en$' "-l en: text/gemini; lang=en"
expect gemini://localhost/ '^20 text/gemini; ?lang=en$' "-l en: the index too"
expect gemini://localhost/list/ '^20 text/gemini; ?lang=en$' "-l en: a listing too"
expect gemini://localhost/pic.png '^20 image/png$' "-l en: images have no lang"
ok 'yurt_alive' "server alive after -l en"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# --no-listing
# =========================================================================
test_no_listing() {
ok 'yurt_start --no-listing' "server starts with --no-listing"
req gemini://localhost/list/ >"$OUT" 2>/dev/null
like "$(head -n 1 "$OUT" | tr -d '\r')" '^51' "--no-listing: a directory without index is 51"
ok '! grep -q "a.gmi" "$OUT"' "--no-listing: no entries shown"
expect gemini://localhost/dir/ '^20 text/gemini$' "--no-listing: an index is still served"
ok 'yurt_alive' "server alive after --no-listing"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# Two hosts, SNI
# =========================================================================
test_sni() {
local CERTS="$T/certs2"
ok 'yurt_start -H "example.test=$T/root2"' "server starts with two hosts"
ok '[ -s "$CERTS/localhost.crt" ] && [ -s "$CERTS/localhost.key" ]' "a certificate for localhost"
ok '[ -s "$CERTS/example.test.crt" ] && [ -s "$CERTS/example.test.key" ]' "a certificate for example.test"
is "$(stat -c %a "$CERTS/example.test.key" 2>/dev/null)" 600 "example.test key mode is 0600"
like "$(openssl x509 -noout -text -in "$CERTS/example.test.crt" 2>/dev/null)" \
    'DNS:example\.test' "example.test certificate SAN"
fp1=$(cert_fp "$CERTS/localhost.crt")
fp2=$(cert_fp "$CERTS/example.test.crt")
ok '[ "$fp1" != "$fp2" ] && [[ $fp1$fp2 =~ ^[0-9A-F]{128}$ ]]' "each host has its own certificate"
is "$(served_fp localhost)" "$fp1" "SNI localhost gets the localhost certificate"
is "$(served_fp example.test)" "$fp2" "SNI example.test gets the example.test certificate"
is "$(served_fp EXAMPLE.TEST)" "$fp2" "SNI is case-insensitive"
is "$(grep -a 'SHA-256' "$YURT_LOG" | grep -oE ', SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}' |
    sed 's/.* //' | tr -d ':' | sort -u | tr '\n' ' ')" "$(printf '%s\n' "$fp1" "$fp2" | sort -u | tr '\n' ' ')" \
    "the log shows both fingerprints"
gg -s example.test -t 10 127.0.0.1 "$YURT_PORT" gemini://example.test/ >"$OUT" 2>/dev/null
is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "example.test is served"
ok 'grep -q ROOT2-MARKER "$OUT"' "example.test serves its own root"
req gemini://localhost/ >"$OUT" 2>/dev/null
ok 'grep -q INDEX-MARKER "$OUT"' "localhost still serves its root"
gg -s example.test -t 10 127.0.0.1 "$YURT_PORT" gemini://example.test/page.gmi >"$OUT" 2>/dev/null
like "$(head -n 1 "$OUT" | tr -d '\r')" '^51' "a file of the other host is not found"
gg -s unknown.test -t 10 127.0.0.1 "$YURT_PORT" gemini://unknown.test/ >"$OUT" 2>/dev/null; rc=$?
like "$(head -n 1 "$OUT" | tr -d '\r')" '^53' "an unknown SNI host: the handshake works and the request is 53"
ok 'yurt_alive' "server alive after SNI tests"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
CERTS="$T/certs"
}


# =========================================================================
# Timeouts: -t 2 -i 2
# =========================================================================
test_timeouts() {
ok 'yurt_start -t 2 -i 2' "server starts with -t 2 -i 2"

t0=$(now_ms)
printf 'gemini://localhost/\n' | rawreq -t 15 >"$OUT" 2>"$ERR"; rc=$?
el=$(($(now_ms) - t0))
is "$(wc -c <"$OUT")" 0 "a bare LF is not a request: no reply"
ok '[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]' "bare LF: the server closes the connection (gg status $rc)"
ok '[ "$el" -ge 1500 ] && [ "$el" -le 6000 ]' "bare LF: closed after the request timeout (${el} ms)"

t0=$(now_ms)
gg -S 0 -s localhost -t 15 127.0.0.1 "$YURT_PORT" >"$OUT" 2>"$ERR"; rc=$?
el=$(($(now_ms) - t0))
is "$(wc -c <"$OUT")" 0 "a silent client gets no reply"
ok '{ [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && [ "$el" -ge 1500 ] && [ "$el" -le 6000 ]' \
    "a silent client is closed after the request timeout (${el} ms, gg status $rc)"

t0=$(now_ms)
printf 'gemini://localhost/' | rawreq -t 15 >"$OUT" 2>"$ERR"; rc=$?
el=$(($(now_ms) - t0))
ok '[ "$(wc -c <"$OUT")" -eq 0 ] && { [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && [ "$el" -ge 1500 ] && [ "$el" -le 6000 ]' \
    "a request without its CRLF is closed after the timeout (${el} ms, gg status $rc)"

t0=$(now_ms)
printf 'gemini://localhost/index.gmi?%012d\r\n' 0 | rawreq -d 300 -t 30 >"$OUT" 2>"$ERR"; rc=$?
el=$(($(now_ms) - t0))
ok '[ "$el" -ge 1500 ] && [ "$el" -le 8000 ]' "a client trickling its request is closed after the timeout (${el} ms)"
ok '! grep -q INDEX-MARKER "$OUT"' "... and not served"

# A reader that stops reading: paused 8 s with a tiny receive window.
t0=$(now_ms)
req -B -b 4096 -P 8 -t 30 gemini://localhost/big.bin >"$T/idle.out" 2>"$ERR" &
idle=$!
sleep 1
if command -v ss >/dev/null 2>&1; then
	n=$(ss -Htn state established "( sport = :$YURT_PORT )" | wc -l)
	is "$n" 1 "(the stalled reader is connected)"
fi
req gemini://localhost/page.gmi >"$OUT" 2>/dev/null
ok 'grep -q PAGE-MARKER "$OUT"' "others are served while a reader stalls"
sleep 4
if command -v ss >/dev/null 2>&1; then
	n=$(ss -Htn state established "( sport = :$YURT_PORT )" | wc -l)
	is "$n" 0 "the stalled reader's connection is closed by the server after -i 2"
fi
req gemini://localhost/page.gmi >"$OUT" 2>/dev/null
ok 'grep -q PAGE-MARKER "$OUT"' "others are still served"
wait "$idle"; rc=$?
size=$(wc -c <"$T/idle.out")
ok '[ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "$size" -gt 0 ] && [ "$size" -lt 20000000 ]' \
    "the stalled reader got a cut response ($size bytes, gg status $rc)"
ok 'yurt_alive' "server alive after the timeout tests"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# Connection bound: -m 4
# =========================================================================
test_bound() {
ok 'yurt_start -m 4 -t 20' "server starts with -m 4"
holders=""
# each holder sends a byte: a connection that has said nothing is only
# accepted after a second (TCP_DEFER_ACCEPT) and takes no place before
for i in 1 2 3 4 5 6; do
	(exec 3<>"/dev/tcp/127.0.0.1/$YURT_PORT" && printf x >&3 &&
	    exec sleep 15) 2>/dev/null &
	holders="$holders $!"
done
sleep 1
req -t 4 gemini://localhost/page.gmi >"$OUT" 2>"$ERR"; rc=$?
h=$(head -n 1 "$OUT" | tr -d '\r')
ok '[ "$rc" -ne 4 ] && { [ -z "$h" ] || [[ $h =~ ^41 ]]; }' \
    "over the bound: 41 or refused, not a hang (got '${h:0:20}', gg status $rc)"
ok 'yurt_alive' "over the bound: the server keeps running"
kill $holders 2>/dev/null
wait $holders 2>/dev/null
served=0
for i in $(seq 1 20); do
	if [ "$(status gemini://localhost/page.gmi)" = 20 ]; then
		served=1
		break
	fi
	sleep 0.25
done
ok '[ "$served" = 1 ]' "after the connections close the server serves again"
pids=""
for i in 1 2 3 4 5 6 7 8; do
	req gemini://localhost/page.gmi >"$T/m.$i" 2>/dev/null &
	pids="$pids $!"
done
wait $pids
n=0
for i in 1 2 3 4 5 6 7 8; do
	grep -q PAGE-MARKER "$T/m.$i" && n=$((n + 1))
done
ok '[ "$n" -ge 4 ]' "of 8 clients at once, at least the bound are served ($n)"
ok 'yurt_alive' "server alive after the connection bound tests"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# Several workers: many clients at once
# =========================================================================
test_workers() {
ok 'yurt_start -w 4' "server starts with -w 4"
pids=""
for i in $(seq 1 16); do
	req gemini://localhost/page.gmi >"$T/w.$i" 2>/dev/null &
	pids="$pids $!"
done
for i in 1 2; do
	req -B -t 30 gemini://localhost/big.bin >"$T/wb.$i" 2>/dev/null &
	pids="$pids $!"
done
wait $pids
n=0
for i in $(seq 1 16); do
	grep -q PAGE-MARKER "$T/w.$i" && n=$((n + 1))
done
is "$n" 16 "16 clients at once are all served"
is "$(sha256sum <"$T/wb.1" | cut -d' ' -f1) $(sha256sum <"$T/wb.2" | cut -d' ' -f1)" \
    "$BIGSUM $BIGSUM" "two large downloads at once arrive intact"
ok 'yurt_alive' "server alive after the -w 4 tests"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


# =========================================================================
# IPv6 and SIGHUP reload
# =========================================================================
test_ipv6_reload() {
local CERTS="$T/certs3"
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	ok 'yurt_start -a ::1' "server starts on 127.0.0.1 and ::1"
	gg -s localhost -t 10 ::1 "$YURT_PORT" gemini://localhost/ >"$OUT" 2>/dev/null
	is "$(head -n 1 "$OUT")" $'20 text/gemini\r' "served over IPv6"
else
	diag "no IPv6 loopback: IPv6 not tested"
	ok 'yurt_start' "server starts"
fi
old=$(served_fp localhost)
is "$old" "$(cert_fp "$CERTS/localhost.crt")" "(before reload) the generated certificate is served"
req -B -P 2 -t 30 gemini://localhost/big.bin >"$T/hup.out" 2>"$ERR" &
dl=$!
sleep 0.5
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/new.key" -out "$T/new.crt" -subj /CN=localhost -days 3650 \
    -addext subjectAltName=DNS:localhost >/dev/null 2>&1
chmod 600 "$T/new.key"
cat "$T/new.key" >"$CERTS/localhost.key"
cat "$T/new.crt" >"$CERTS/localhost.crt"
# started as root, yurt reads a new key on reload only if its run user may
# (a key yurt made stays root's: a new one of those needs a restart)
[ "$(id -u)" = 0 ] && chown nobody "$CERTS/localhost.key"
new=$(cert_fp "$T/new.crt")
kill -HUP "$YURT_PID"
got=""
for i in $(seq 1 30); do
	got=$(served_fp localhost)
	[ "$got" = "$new" ] && break
	sleep 0.1
done
is "$got" "$new" "after SIGHUP the new certificate is served"
ok 'yurt_alive' "the server survives SIGHUP"
wait "$dl"; rc=$?
is "$rc" 0 "a download in flight during the reload ends with close_notify"
is "$(sha256sum <"$T/hup.out" | cut -d' ' -f1)" "$BIGSUM" "... and arrives intact"
expect gemini://localhost/page.gmi '^20 text/gemini$' "requests are served after the reload"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
CERTS="$T/certs"
}


# =========================================================================
# --log-clients
# =========================================================================
test_log_clients() {
ok 'yurt_start --log-clients' "server starts with --log-clients"
req gemini://localhost/log-probe-clients >/dev/null 2>&1
sleep 0.3
like "$(grep -a 'log-probe-clients' "$YURT_LOG")" '127\.0\.0\.1' "--log-clients logs the client address"
ok 'yurt_alive' "server alive after --log-clients"
ok 'yurt_stop' "server stops cleanly on SIGTERM"
}


run_tests
