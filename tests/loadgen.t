#!/bin/bash
# Smoke test of the load generator behind `make bench`
# (tests/bench/loadgen.c): a few hundred requests against the real yurt,
# TLS session resumption and raw requests against openssl s_server -WWW,
# Gopher against tests/bench/trivial.c, error accounting, and the refusal
# to send load anywhere but loopback.  Measures nothing: timing is the
# benchmark's business.
. "$(dirname "$0")/lib.sh"

LG="$BUILD/tests/bench/loadgen"
TRIVIAL="$BUILD/tests/bench/trivial"
EXTRA_PIDS=""

extra_cleanup() {
	local pid
	for pid in $EXTRA_PIDS; do
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	lib_cleanup
}
trap extra_cleanup EXIT

# field KEY TEXT — the value of KEY=... on the RESULT line of TEXT.
field() {
	local line
	line=$(printf '%s\n' "$2" | grep '^RESULT' | tail -n 1)
	[[ " $line " =~ \ $1=([^ ]*)\  ]] && echo "${BASH_REMATCH[1]}"
}

# wait_port PID PORT — until something listens on PORT (10 s at most).
wait_port() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 1
		port_listening "$2" && return 0
		sleep 0.1
	done
	return 1
}

ok '[ -x "$LG" ]' "the load generator is built ($LG)"
ok '[ -x "$TRIVIAL" ]' "the trivial server is built ($TRIVIAL)"

R="$T/root"
mkdir -p "$R"
{
	echo "# Load test page"
	for i in $(seq 1 100); do
		echo "Line $i of the page, some words to fill it up to five KB."
	done
} | head -c 5120 >"$R/index.gmi"
PAGE_SIZE=$(wc -c <"$R/index.gmi")
# a file of 3 MB for -z (bytes counted by the kernel, not copied)
head -c 3000000 /dev/zero | tr '\0' 'z' >"$R/big.bin"

test_gemini() {
# --- a 5 KB page over Gemini ---------------------------------------------------

# one client making hundreds of requests: no rate limit
ok 'yurt_start -R 0' "yurt starts (rate limit off)"
URL="gemini://localhost:$YURT_PORT/"

out=$(timeout 60 "$LG" -c 8 -n 300 "$URL" 2>&1); rc=$?
is "$rc" 0 "300 requests, concurrency 8: exit status 0"
is "$(field ok "$out")" 300 "... 300 ok"
is "$(field errors "$out")" 0 "... no error"
is "$(field status_20 "$out")" 300 "... 300 times status 20"
is "$(field aborted "$out")" 0 "... none abandoned"
bytes=$(field bytes "$out")
ok '[ "${bytes:-0}" -gt $((300 * PAGE_SIZE)) ]' "... every response carries the page ($bytes bytes)"
like "$out" 'latency +p50 [0-9.]+ +p90 [0-9.]+ +p99 [0-9.]+ +max [0-9.]+ ms' \
    "... a human table with latency percentiles"
like "$(printf '%s\n' "$out" | grep '^RESULT')" \
    '^RESULT rps=[0-9.]+ p50_ms=[0-9.]+ p90_ms=[0-9.]+ p99_ms=[0-9.]+ max_ms=[0-9.]+ ok=' \
    "... and one RESULT line for scripts"

out=$(timeout 60 "$LG" -r -c 4 -n 100 "$URL" 2>&1); rc=$?
is "$rc" 0 "-r (resume sessions): exit status 0"
is "$(field ok "$out")" 100 "... 100 ok"
is "$(field errors "$out")" 0 "... no error"
is "$(field status_20 "$out")" 100 "... 100 times status 20"
ok '[ "$(field resumed "$out")" -ge 90 ]' \
    "... yurt resumes the sessions ($(field resumed "$out") of 100; the first 4 cannot be)"

out=$(timeout 30 "$LG" -q -d 1 -c 4 "$URL" 2>&1); rc=$?
is "$rc" 0 "-d 1 (a duration): exit status 0"
ok '[ "$(field ok "$out")" -gt 0 ] && [ "$(field errors "$out")" = 0 ]' \
    "... requests answered, no error"
is "$(printf '%s\n' "$out" | grep -vc '^RESULT')" 0 "... -q prints only the RESULT line"

one=$(field ok_bytes "$(timeout 30 "$LG" -q -n 1 "$URL" 2>&1)")
out=$(timeout 60 "$LG" -q -j 2 -c 8 -n 101 "$URL" 2>&1); rc=$?
is "$rc/$(field ok "$out")/$(field ok_bytes "$out")" "0/101/$((101 * one))" \
    "-j 2: two threads share 101 requests, all counted once (status, ok, bytes)"

out=$(timeout 30 "$LG" -q -n 20 "gemini://127.0.0.1:$YURT_PORT/" 2>&1)
is "$(field status_53 "$out")" 20 "status codes are counted (53 for a host yurt does not serve)"

out=$(timeout 30 "$LG" -k 20 -c 4 -d 1 "$URL" 2>&1); rc=$?
like "$out" 'ESTABLISHED open=20 ' "-k 20: twenty connections held open"
is "$(field idle_open "$out")" 20 "... all twenty still open at the end"

if [ -n "${YURT_GOPHER_PORT:-}" ]; then
	out=$(timeout 60 "$LG" -c 8 -n 200 "gopher://localhost:$YURT_GOPHER_PORT/1/" 2>&1); rc=$?
	is "$rc" 0 "gopher:// to yurt, 200 requests: exit status 0"
	is "$(field ok "$out")" 200 "... 200 ok"
	out=$(timeout 60 "$LG" -c 4 -n 50 "gophers://localhost:$YURT_GOPHER_PORT/1/" 2>&1); rc=$?
	is "$rc" 0 "gophers:// to yurt, 50 requests: exit status 0"
	is "$(field ok "$out")" 50 "... 50 ok"
	out=$(timeout 60 "$LG" -z -c 2 -n 6 "gopher://localhost:$YURT_GOPHER_PORT/9/big.bin" 2>&1); rc=$?
	is "$rc" 0 "-z: 6 downloads of 3 MB, counted and dropped in the kernel: exit status 0"
	is "$(field ok "$out")/$(field ok_bytes "$out")" 6/18000000 \
	    "... every byte of every response counted (6 ok, 18000000 bytes)"
fi

ok 'yurt_alive' "yurt survived the load"
pid=$YURT_PID
kill -TERM "$pid"
for i in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
ok '! kill -0 "$pid" 2>/dev/null' "yurt exits on SIGTERM within 5 s"
wait "$pid"; rc=$?
is "$rc" 0 "... with status 0"
YURT_PID=""

out=$(timeout 30 "$LG" -q -n 20 "$URL" 2>&1); rc=$?
is "$rc" 1 "nobody listening: exit status 1"
is "$(field errors "$out")" 20 "... 20 errors"
is "$(field err_connect "$out")" 20 "... all of them connect errors"

}

test_s_server() {
# alone: the certificate yurt makes at its first start
[ -s "$T/certs/localhost.crt" ] || { yurt_start -R 0 && yurt_stop >/dev/null; }
# --- raw requests and resumption against openssl s_server -WWW ------------------

SPORT=$(free_port)
(cd "$R" && exec openssl s_server -accept "127.0.0.1:$SPORT" \
    -cert "$T/certs/localhost.crt" -key "$T/certs/localhost.key" -WWW \
    -quiet) </dev/null >"$T/s_server.log" 2>&1 &
SPID=$!
EXTRA_PIDS="$EXTRA_PIDS $SPID"
if ok 'wait_port "$SPID" "$SPORT"' "openssl s_server -WWW starts with yurt's certificate"; then
	out=$(timeout 60 "$LG" -r -c 4 -n 60 -R 'GET /index.gmi HTTP/1.0\r\n\r\n' \
	    "tls://127.0.0.1:$SPORT" 2>&1); rc=$?
	is "$rc" 0 "-R over tls:// with -r: exit status 0"
	is "$(field status_200 "$out")" 60 "... 60 times HTTP 200"
	ok '[ "$(field resumed "$out")" -gt 40 ]' \
	    "... sessions are resumed ($(field resumed "$out") of 60)"
	out=$(timeout 60 "$LG" -n 10 -R 'GET /index.gmi HTTP/1.0\r\n\r\n' \
	    "gemini://localhost:$SPORT/" 2>&1)
	is "$(field err_header "$out")" 10 "a reply that is not 'DD META\\r\\n' is a Gemini error"
fi

}

test_gopher() {
# --- Gopher against the trivial server -------------------------------------------

GPORT=$(free_port)
printf 'iA menu\t\tlocalhost\t70\r\n.\r\n' >"$T/menu.txt"
"$TRIVIAL" -T 60 -w 1 "$GPORT" "$T/menu.txt" 2>"$T/trivial.log" &
GPID=$!
EXTRA_PIDS="$EXTRA_PIDS $GPID"
if ok 'wait_port "$GPID" "$GPORT"' "the trivial server starts"; then
	out=$(timeout 60 "$LG" -c 8 -n 200 "gopher://127.0.0.1:$GPORT/1/" 2>&1); rc=$?
	is "$rc" 0 "gopher:// 200 requests: exit status 0"
	is "$(field ok "$out")" 200 "... 200 ok"
	is "$(field bytes "$out")" $((200 * $(wc -c <"$T/menu.txt"))) \
	    "... every reply complete"
	out=$(timeout 60 "$LG" -c 2 -n 20 -R 'x\r\n' "tcp://127.0.0.1:$GPORT" 2>&1)
	is "$(field ok "$out")" 20 "-R over tcp://: 20 ok"
fi

}

test_loopback() {
# --- loopback only ------------------------------------------------------------

for target in gemini://192.0.2.1:1965/ 'gemini://[2001:db8::1]:1965/' \
    gopher://10.0.0.1:70/1/ gemini://0.0.0.0:1965/; do
	t0=$(now_ms)
	out=$(timeout 10 "$LG" -n 1 "$target" 2>&1); rc=$?
	is "$rc" 2 "refuses $target (exit status 2)"
	like "$out" 'not a loopback address' "... and says why"
	ok '[ $(( $(now_ms) - t0 )) -lt 2000 ]' "... at once"
done
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=socket,connect -o "$T/strace.out" \
	    "$LG" -n 1 gemini://192.0.2.1:1965/ >/dev/null 2>&1
	unlike "$(cat "$T/strace.out")" 'connect\(|socket\(AF_INET' \
	    "... before it makes a single socket (strace)"
fi
out=$(timeout 10 "$LG" -n 1 tls://127.0.0.1:1 2>&1); rc=$?
is "$rc" 2 "tls:// without -R is a usage error"
out=$(timeout 10 "$LG" -d 601 "$URL" 2>&1); rc=$?
is "$rc" 2 "durations are capped at 600 s"
out=$(timeout 10 "$LG" -c 20001 "$URL" 2>&1); rc=$?
is "$rc" 2 "concurrency is capped at 20,000"
out=$(timeout 10 "$LG" -n 10000001 "$URL" 2>&1); rc=$?
is "$rc" 2 "counts are capped at 10,000,000"

}

run_tests
