#!/bin/bash
# Black-box tests of programs (CGI and SCGI, issue 17) over Gemini and
# Gopher: the environment, queries and searches, failures, time limits,
# the bound on programs at once, a reader that does not read, SCGI, and
# no child left after the stop.  Every loop here is bounded.
. "$(dirname "$0")/lib.sh"

ok 'command -v perl >/dev/null' "perl is installed"

R="$T/root"
DATA="$T/data"
mkdir -p "$R/cgi/sub" "$DATA"
chmod 777 "$DATA"
cat >"$R/index.gmi" <<'EOF2'
# Test capsule
INDEX-MARKER about the steppe
EOF2
cat >"$R/other.gmi" <<'EOF2'
# Other
OTHER-MARKER about the steppe and the mountains
EOF2
# every variable, sorted, and the working directory
cat >"$R/cgi/env" <<'EOF2'
#!/usr/bin/perl
use Cwd;
print "20 text/plain\r\n" unless ($ENV{SERVER_PROTOCOL} // '') eq 'GOPHER';
print "$_=$ENV{$_}\n" for sort keys %ENV;
print "CWD=", getcwd(), "\n";
print STDERR "a line on stderr with an escape \e[31m\n";
EOF2
printf '#!/bin/sh\nexit 3\n' >"$R/cgi/fail"
printf '#!/bin/sh\necho hello\n' >"$R/cgi/badheader"
printf '#!/bin/sh\nprintf "20 text/plain\\n"\n' >"$R/cgi/lf"
printf '#!/bin/sh\nprintf "20 %%01100d\\r\\n" 0\n' >"$R/cgi/longmeta"
printf '#!/bin/sh\nexec sleep 60\n' >"$R/cgi/hang"
printf '#!/bin/sh\nprintf "20 text/plain\\r\\nSTART\\n"\nexec sleep 60\n' \
    >"$R/cgi/slowbody"
printf '#!/bin/sh\nprintf "20 text/plain\\r\\n"\nyes 0123456789 | head -c 50000000\n' \
    >"$R/cgi/flood"
printf '#!/bin/sh\nprintf "20 text/plain\\r\\n"\n' >"$R/cgi/notexec"
cat >"$R/cgi/writer" <<EOF2
#!/bin/sh
printf "20 text/plain\\r\\n"
echo \$\$ >"$DATA/pids"
sleep 60 &
echo \$! >>"$DATA/pids"
echo data >"$DATA/written" && echo DATA-WRITTEN
echo capsule >"$R/cgi/written" 2>/dev/null || echo CAPSULE-REFUSED
exec sleep 60
EOF2
cp "$YURT_TOP/tests/cgi/search" "$R/cgi/search"
chmod 755 "$R"/cgi/*
chmod 644 "$R/cgi/notexec"
printf '#!/bin/sh\necho 20\n' >"$R/cgi/.hidden"
chmod 755 "$R/cgi/.hidden"

SOCK="$T/scgi.sock"
CONF="$T/yurt.conf"
cat >"$CONF" <<EOF2
cgi /cgi/*
scgi /app/** $SOCK
EOF2

# gopher SELECTOR-LINE: the reply to one raw Gopher request (programs
# may take their time)
gopher() {
	printf '%s\r\n' "$1" | GRAW_SECONDS=20 graw
}

# the variables' names in a reply, one a line, sorted
names() { sed -n 's/^\([A-Z_]*\)=.*/\1/p' | grep -v '^CWD$' | sort | tr '\n' ' '; }

test_programs() {
OUT="$T/out"
yurt_start -c "$CONF" -T 20 -D "$DATA" || return 1
P=$YURT_PORT

# --- the environment, Gemini --------------------------------------------
req "gemini://localhost:$P/cgi/env/more/path?a%20b&c" >"$OUT"
like "$(head -n 1 "$OUT")" '^20 text/plain' "gemini: the program's header is the reply's"
is "$(names <"$OUT")" "GATEWAY_INTERFACE GEMINI_URL PATH_INFO QUERY_STRING REQUEST_METHOD SCRIPT_NAME SERVER_NAME SERVER_PORT SERVER_PROTOCOL SERVER_SOFTWARE TLS_CIPHER TLS_VERSION " \
    "gemini: exactly the listed variables, no address, no certificate"
for want in "GATEWAY_INTERFACE=CGI/1.1" "SERVER_PROTOCOL=GEMINI" \
    "SERVER_SOFTWARE=yurt/" "SERVER_NAME=localhost" "SERVER_PORT=$P" \
    "GEMINI_URL=gemini://localhost:$P/cgi/env/more/path?a%20b&c" \
    "SCRIPT_NAME=/cgi/env" "PATH_INFO=/more/path" "QUERY_STRING=a%20b&c" \
    "REQUEST_METHOD=" "TLS_VERSION=TLSv1.3" "TLS_CIPHER=TLS_" \
    "CWD=$(cd "$R/cgi" && pwd -P)"; do
	like "$(cat "$OUT")" "(^|
)$(printf '%s' "$want" | sed 's/[][\.*^$?+(){}|]/\\&/g')" "gemini: $want"
done
req "gemini://localhost:$P/cgi/env" >"$OUT"
like "$(cat "$OUT")" '(^|
)PATH_INFO=
QUERY_STRING=
' "gemini: PATH_INFO and QUERY_STRING set, empty, when there are none"
like "$(cat "$YURT_LOG")" 'cgi /cgi/env: stderr: a line on stderr with an escape \\x1b\[31m' \
    "the program's stderr is logged, escaped"

# --- a client certificate ------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/client.key" -out "$T/client.crt" -days 30 \
    -subj "/CN=a reader" >/dev/null 2>&1
fp=$(openssl x509 -in "$T/client.crt" -outform DER | openssl dgst -sha256 -r |
    cut -d' ' -f1 | tr a-f A-F)
req -c "$T/client.crt" -k "$T/client.key" gemini://localhost/cgi/env >"$OUT"
like "$(cat "$OUT")" "(^|
)TLS_CLIENT_HASH=SHA256:$fp
" "certificate: TLS_CLIENT_HASH is the SHA-256 of its DER, upper-case hex"
like "$(cat "$OUT")" "(^|
)AUTH_TYPE=CERTIFICATE
" "certificate: AUTH_TYPE=CERTIFICATE"
like "$(cat "$OUT")" "(^|
)REMOTE_USER=a reader
" "certificate: REMOTE_USER is the subject's CN"
like "$(cat "$OUT")" "(^|
)TLS_CLIENT_NOT_AFTER=20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z
" "certificate: TLS_CLIENT_NOT_AFTER"
like "$(cat "$OUT")" "(^|
)TLS_CLIENT_NOT_BEFORE=20[0-9][0-9]-" "certificate: TLS_CLIENT_NOT_BEFORE"
unlike "$(cat "$OUT")" "REMOTE_ADDR" "certificate: still no address"

# --- the environment, Gopher --------------------------------------------
gopher "/cgi/env	kazakh lawyer" >"$OUT"
is "$(names <"$OUT")" "GATEWAY_INTERFACE PATH_INFO QUERY_STRING REQUEST_METHOD SCRIPT_NAME SEARCHREQUEST SELECTOR SERVER_NAME SERVER_PORT SERVER_PROTOCOL SERVER_SOFTWARE " \
    "gopher: exactly the listed variables, no address, no TLS"
for want in "SERVER_PROTOCOL=GOPHER" "SELECTOR=/cgi/env" \
    "SEARCHREQUEST=kazakh lawyer" "QUERY_STRING=kazakh lawyer" \
    "SERVER_PORT=$YURT_GOPHER_PORT" "SCRIPT_NAME=/cgi/env"; do
	like "$(cat "$OUT")" "(^|
)$want(
|$)" "gopher: $want"
done
gopher "/cgi/env/x?q=1" >"$OUT"
like "$(cat "$OUT")" "QUERY_STRING=q=1
" "gopher: what follows ? in a selector is the query"
like "$(cat "$OUT")" "PATH_INFO=/x
" "gopher: PATH_INFO"
unlike "$(cat "$OUT")" "^20 " "gopher: the output passes as it is"

# --- the search example ---------------------------------------------------
is "$(header "gemini://localhost/cgi/search")" "10 Words to search for" \
    "search: Gemini asks for input (10)"
req "gemini://localhost/cgi/search?mountains" >"$OUT"
like "$(cat "$OUT")" "=> /other.gmi" "search: Gemini finds the page with the word"
unlike "$(cat "$OUT")" "=> /index.gmi" "search: and not the page without it"
gopher "/cgi/search" >"$OUT"
like "$(cat "$OUT")" "^iSearch the pages.*
7Search	/cgi/search	localhost	$YURT_GOPHER_PORT" \
    "search: Gopher offers a type-7 item"
gopher "/cgi/search	steppe" >"$OUT"
like "$(cat "$OUT")" "1index.gmi	/index.gmi" "search: Gopher finds the pages (1)"
like "$(cat "$OUT")" "1other.gmi	/other.gmi" "search: Gopher finds the pages (2)"

# --- failures --------------------------------------------------------------
is "$(header gemini://localhost/cgi/fail)" "42 Program failed" "fail: no output is 42"
like "$(cat "$YURT_LOG")" "cgi /cgi/fail: no output" "fail: the log names the script and the mistake"
like "$(cat "$YURT_LOG")" "cgi /cgi/fail: exited with status 3" "fail: and its exit status"
is "$(header gemini://localhost/cgi/badheader)" "42 Program failed" "bad header: 42"
like "$(cat "$YURT_LOG")" "cgi /cgi/badheader: header" "bad header: logged"
is "$(header gemini://localhost/cgi/lf)" "42 Program failed" "header without CR: 42"
is "$(header gemini://localhost/cgi/longmeta)" "42 Program failed" "META over 1024 bytes: 42"
like "$(cat "$YURT_LOG")" "cgi /cgi/longmeta: header longer than 1024" "META over 1024 bytes: logged"
is "$(header gemini://localhost/cgi/notexec)" "51 Not found" "not executable: not run, not served"
unlike "$(req gemini://localhost/cgi/notexec)" "printf" "not executable: its text is not shown"
is "$(header gemini://localhost/cgi/.hidden)" "51 Not found" "a hidden script is never run"
like "$(gopher /cgi/fail)" "^3The program failed" "gopher: a failing program is a type-3 line"
is "$(header gemini://localhost/index.gmi)" "20 text/gemini" "files outside the rule are served as files"

# --- sandbox: what a program may write --------------------------------------
req -t 3 gemini://localhost/cgi/writer >"$OUT" 2>/dev/null
like "$(cat "$OUT")" "DATA-WRITTEN" "sandbox: a program writes in the data directory"
like "$(cat "$OUT")" "CAPSULE-REFUSED" "sandbox: and not in the capsule"
ok '[ ! -e "$R/cgi/written" ]' "sandbox: nothing was written in the capsule"

# --- a reader that does not read: memory stays bounded ----------------------
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$YURT_PID/status"; }
rss0=$(rss)
req -P 3 -b 4096 -B gemini://localhost/cgi/flood 2>/dev/null | wc -c >"$OUT" &
fl=$!
sleep 2
rss1=$(rss)
wait $fl
ok '[ $((rss1 - rss0)) -lt 16384 ]' \
    "flood: 50 MB to a paused reader: yurt grew $((rss1 - rss0)) KB (< 16 MB)"
is "$(tr -d ' ' <"$OUT")" "50000000" "flood: the reader gets all 50 MB after its pause"

# --- SCGI -------------------------------------------------------------------
perl "$YURT_TOP/tests/cgi/scgi-server" "$SOCK" &
SP=$!
for i in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
req "gemini://localhost/app/x/y?q%20r" >"$OUT"
is "$(head -n 1 "$OUT" | tr -d '\r')" "20 text/plain" "scgi: the application's reply"
is "$(sed -n 2,3p "$OUT" | tr '\n' ' ')" "CONTENT_LENGTH=0 SCGI=1 " \
    "scgi: CONTENT_LENGTH first, then SCGI=1"
like "$(cat "$OUT")" "QUERY_STRING=q%20r
" "scgi: the same environment (query)"
like "$(cat "$OUT")" "GEMINI_URL=gemini://localhost/app/x/y" "scgi: the same environment (URL)"
is "$(sed 1d "$OUT" | names)" "CONTENT_LENGTH GATEWAY_INTERFACE GEMINI_URL PATH_INFO QUERY_STRING REQUEST_METHOD SCGI SCRIPT_NAME SERVER_NAME SERVER_PORT SERVER_PROTOCOL SERVER_SOFTWARE TLS_CIPHER TLS_VERSION " \
    "scgi: no address"
gopher "/app/s	words" >"$OUT"
like "$(cat "$OUT")" "SEARCHREQUEST=words" "scgi: over Gopher"
kill "$SP"; wait "$SP" 2>/dev/null
is "$(header gemini://localhost/app/x)" "42 Program failed" "scgi: no application: 42"
ok 'yurt_stop' "the server stops cleanly"

# --- the stop: no child left ------------------------------------------------
ok '[ -s "$DATA/pids" ]' "stop: the writer ran and named its processes"
left=""
# dead is dead: a zombie handed to PID 1 is its to reap, not a survivor
for p in $(cat "$DATA/pids" 2>/dev/null); do
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$p/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && left="$left $p($st)"
done
is "$left" "" "stop: no program or child of one outlives yurt"

}

# Programs while other connections come and go, with every worker
# busy (the default count, at least two): a script's start must not
# leave another worker's closed connection in its epoll set (the child
# holds a copy of every descriptor until it execs).
test_concurrent() {
	local out alive
	printf '#!/bin/sh\nprintf "20 text/gemini\\r\\n# hi\\n"\n' >"$R/cgi/hello"
	chmod 755 "$R/cgi/hello"
	yurt_start -c "$CONF" -R 0 || return 1
	out=$("$BUILD/tests/bench/loadgen" -q -c 16 -d 4 -t 10 \
	    "gemini://localhost:$YURT_PORT/cgi/hello" 2>&1)
	alive=$(kill -0 "$YURT_PID" 2>/dev/null && echo yes || echo no)
	is "$alive" yes "16 clients running a script for 4 s: yurt is alive"
	like "$out" 'ok=[1-9]' "... and their requests were answered"
	like "$(req -B gemini://localhost/cgi/hello 2>/dev/null)" '# hi' \
	    "... and it still runs programs"
	ok 'yurt_stop' "... and stops cleanly (no sanitizer report under SAN=1)"
}

# A rule written for a program's exact path holds whatever follows a
# "?" in a Gopher selector (the query is not part of the path the rules
# see, no more than over Gemini).
test_rules_hold() {
	local conf="$T/rules-hold.conf"
	{ cat "$CONF"; printf 'gone /cgi/env Withdrawn\n'; } >"$conf"
	yurt_start -c "$conf" || return 1
	like "$(req -h gemini://localhost/cgi/env?x 2>/dev/null)" '^52' \
	    "gone /cgi/env: gemini://.../cgi/env?x gets 52"
	out=$(gopher '/cgi/env?x')
	like "$out" '^3Withdrawn' "... and the Gopher selector /cgi/env?x a type-3 line"
	unlike "$out" 'GATEWAY_INTERFACE' "... the program not run"
	ok 'yurt_stop' "the server stops cleanly"
}

test_addresses() {
# --- addresses only with -A ------------------------------------------------
yurt_start -c "$CONF" -A || return 1
req gemini://localhost/cgi/env >"$OUT"
like "$(cat "$OUT")" "REMOTE_ADDR=127.0.0.1
REMOTE_HOST=127.0.0.1" "-A: REMOTE_ADDR and REMOTE_HOST (Gemini)"
like "$(gopher /cgi/env)" "REMOTE_ADDR=127.0.0.1" "-A: REMOTE_ADDR (Gopher)"
ok 'yurt_stop' "the server stops cleanly"

}

test_time_limit() {
# --- time limit, bound on programs, the loop never blocked -------------------
yurt_start -c "$CONF" -T 2 -M 2 -R 0 || return 1
# reference: a file, served with nothing else running (best of three)
best() { local b=999999 i t0 t; for i in 1 2 3; do t0=$(now_ms)
	req "$1" >/dev/null 2>&1; t=$(($(now_ms) - t0)); [ $t -lt $b ] && b=$t
	done; echo $b; }
ref=$(best gemini://localhost/index.gmi)
t0=$(now_ms)
req gemini://localhost/cgi/hang >"$T/hang1" 2>/dev/null &
h1=$!
req gemini://localhost/cgi/slowbody >"$T/hang2" 2>/dev/null &
h2=$!
sleep 0.5
loaded=$(best gemini://localhost/index.gmi)
is "$(header gemini://localhost/cgi/env)" "44 1" "cgi-max 2: a third program gets 44"
like "$(gopher /cgi/env)" "^3Too many programs" "cgi-max 2: over Gopher a type-3 line"
wait $h1; wait $h2; rc2=$?
el=$(($(now_ms) - t0))
is "$(head -n 1 "$T/hang1" | tr -d '\r')" "42 Program timed out" "timeout: no header in time is 42"
like "$(cat "$T/hang2")" "^20 text/plain.*START" "timeout after the header: the reply so far"
is "$rc2" "3" "timeout after the header: cut, without close_notify (gg status 3)"
ok '[ $el -ge 1800 ] && [ $el -lt 8000 ]' "timeout: both ended at the 2 s limit (${el} ms)"
ok '[ $loaded -le $((ref * 20 + 200)) ]' \
    "timeout: other requests served at once while programs hang (${loaded} ms vs ${ref} ms unloaded)"
like "$(cat "$YURT_LOG")" "cgi /cgi/hang: no header in time" "timeout: logged"
ok 'yurt_stop' "the server stops cleanly"

}

test_sandbox_read() {
# --- sandbox: what yurt reads and a program must not -----------------------
# Every file here is readable by yurt's user (nobody when started as root,
# else the user running the tests), so only Landlock stands in the way.
U=$(id -un); [ "$(id -u)" = 0 ] && U=nobody
K="$T/keys"; LD="$T/logs"; C2="$T/conf"
mkdir -p "$K" "$LD" "$C2"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$K/localhost.key" -out "$K/localhost.crt" -days 30 \
    -subj "/CN=localhost" >/dev/null 2>&1
cp "$CONF" "$C2/yurt.conf"
: >"$LD/yurt.log"
chmod 644 "$K"/* "$C2/yurt.conf" "$LD/yurt.log"
chmod 755 "$K" "$C2"
[ "$(id -u)" = 0 ] && chown -R nobody "$K" "$LD" "$C2"
cat >"$R/cgi/peek" <<EOF2
#!/usr/bin/perl
use Errno qw(EACCES);
print "20 text/plain\\r\\n";
for my \$f ("$K/localhost.key", "$C2/yurt.conf", "$LD/yurt.log") {
	if (open(my \$fh, '<', \$f)) { print "READ \$f\\n" }
	else { print \$!{EACCES} ? "EACCES \$f\\n" : "OTHER \$f: \$!\\n" }
}
if (opendir(my \$d, "$K")) { print "LISTED $K\\n" }
else { print \$!{EACCES} ? "EACCES-DIR $K\\n" : "OTHER-DIR $K: \$!\\n" }
if (open(my \$fh, '>>', "$LD/yurt.log")) { print "APPENDED\\n" }
else { print \$!{EACCES} ? "EACCES-LOG\\n" : "OTHER-LOG: \$!\\n" }
if (open(my \$fh, '<', "$R/index.gmi")) { print "CAPSULE-READ\\n" }
if (open(my \$fh, '>', "$DATA/peek")) { print "DATA-WRITTEN\\n" }
print kill(0, getppid()) ? "SIGNALLED\\n" : "NO-SIGNAL: \$!\\n";
EOF2
chmod 755 "$R/cgi/peek"
yurt_start -c "$C2/yurt.conf" -d "$K" -O "$LD/yurt.log" -D "$DATA" || return 1
ok 'su -s /bin/sh "$U" -c "cat \"$K/localhost.key\" \"$C2/yurt.conf\" \"$LD/yurt.log\" && ls \"$K\"" >/dev/null 2>&1' \
    "sandbox: the key, the configuration and the log are readable by user $U"
req gemini://localhost/cgi/peek >"$OUT"
for f in "$K/localhost.key" "$C2/yurt.conf" "$LD/yurt.log"; do
	like "$(cat "$OUT")" "(^|
)EACCES $f
" "sandbox: a program cannot read $(basename "$f") (EACCES)"
done
like "$(cat "$OUT")" "EACCES-DIR $K" "sandbox: a program cannot list the certificate directory"
like "$(cat "$OUT")" "EACCES-LOG" "sandbox: a program cannot write in the log"
like "$(cat "$OUT")" "CAPSULE-READ" "sandbox: a program still reads the capsule"
like "$(cat "$OUT")" "DATA-WRITTEN" "sandbox: and still writes its data directory"
if grep -qE 'Landlock ABI ([6-9]|[1-9][0-9])' "$LD/yurt.log"; then
	like "$(cat "$OUT")" "NO-SIGNAL: Operation not permitted" \
	    "sandbox (Landlock ABI 6): a program cannot signal yurt"
else
	skip "signals: Landlock ABI < 6 cannot scope them"
fi
ok 'yurt_stop' "the server stops cleanly"

# the certificates inside the data directory: a hole in what may be written
D2="$T/data2"
mkdir -p "$D2/pub"
mv "$K" "$D2/keys"
chmod 777 "$D2/pub"
[ "$(id -u)" = 0 ] && chown -R nobody "$D2"
cat >"$R/cgi/peek2" <<EOF2
#!/bin/sh
printf '20 text/plain\\r\\n'
cat "$D2/keys/localhost.key" >/dev/null 2>&1 || echo KEY-DENIED
echo x >"$D2/pub/x" && echo PUB-WRITTEN
EOF2
chmod 755 "$R/cgi/peek2"
yurt_start -c "$C2/yurt.conf" -d "$D2/keys" -D "$D2" || return 1
req gemini://localhost/cgi/peek2 >"$OUT"
like "$(cat "$OUT")" "KEY-DENIED" "sandbox: certificates inside the data directory stay out of reach"
like "$(cat "$OUT")" "PUB-WRITTEN" "sandbox: the rest of the data directory is written"
like "$(cat "$YURT_LOG")" "cgi-data $D2 holds what programs must not reach" \
    "sandbox: the log warns that the data directory holds the certificates"
like "$(cat "$YURT_LOG")" "programs in a stricter domain" \
    "sandbox: the start-up log says programs have a domain of their own"
ok 'yurt_stop' "the server stops cleanly"

}

run_tests
