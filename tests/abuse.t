#!/bin/bash
# Black-box abuse tests (SPEC §1 timeouts and bounds, §2, §4 logs, §5
# PROXY protocol and scale): hostile, slow and broken clients must never
# crash yurt, hang it, leak its descriptors or stop it from serving the
# next reader.  The hostile clients are build/tests/flood (tests/flood.c).
# Loopback only; every loop is bounded; every server is stopped here.
. "$(dirname "$0")/lib.sh"

FLOOD="$BUILD/tests/flood"
OUT="$T/out"
ERR="$T/err"
TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

ok '[ -x "$FLOOD" ]' "the abuse client is built ($FLOOD)"
ok 'ulimit -Sn 4096' "the descriptor limit can be raised to 4096 for 1,000 clients"

# --- fixtures ------------------------------------------------------------

R="$T/root"
mkdir -p "$R"
printf '# Abuse\nINDEX-MARKER\n' >"$R/index.gmi"
printf '# Page\nPAGE-MARKER\n' >"$R/page.gmi"
head -c 20000000 /dev/urandom >"$R/big.bin"
head -c 50000000 /dev/urandom >"$T/src50"
head -c 50000000 /dev/urandom >"$T/src50b"
SUM50=$(sha256sum <"$T/src50" | cut -d' ' -f1)
SUM50B=$(sha256sum <"$T/src50b" | cut -d' ' -f1)
head -c 4096 /dev/urandom >"$T/garbage"
head -c 1048576 /dev/zero | tr '\0' a >"$T/mb"

# --- helpers -----------------------------------------------------------------

# gopher SELECTOR [FLOOD-RAW-OPTIONS...] — the reply to "SELECTOR\r\n" on
# the Gopher port; flood's status (0: the server closed) is returned.
gopher() {
	local sel=$1
	shift
	printf '%s\r\n' "$sel" |
	    "$FLOOD" raw -I -t 10 "$@" 127.0.0.1 "$YURT_GOPHER_PORT" 2>/dev/null
}

# v1 ADDR PORT — a PROXY v1 header naming client ADDR, to our PORT.
v1() {
	printf 'PROXY TCP4 %s 127.0.0.1 5555 %s\\r\\n' "$1" "$2"
}

# pgopher ADDR SELECTOR — a Gopher request from ADDR, by PROXY v1.
pgopher() {
	gopher "$2" -x "$(v1 "$1" "$YURT_GOPHER_PORT")"
}

# pgemini ADDR URL — a Gemini request over TLS from ADDR, by PROXY v1.
pgemini() {
	"$FLOOD" tls -t 10 -x "$(v1 "$1" "$YURT_PORT")" 127.0.0.1 \
	    "$YURT_PORT" "$2" 2>/dev/null
}

# Both protocols answer a plain request in full (through a PROXY header
# from $BALANCED when the server runs with -X).
BALANCED=""
serves() {
	local g p
	if [ -n "$BALANCED" ]; then
		g=$(pgemini "$BALANCED" gemini://localhost/)
		p=$(pgopher "$BALANCED" /)
	else
		g=$(req -t 5 gemini://localhost/ 2>/dev/null)
		p=$(gopher / -t 5)
	fi
	[[ $g == "20 text/gemini"* && $g == *INDEX-MARKER* &&
	    $p == *INDEX-MARKER* ]]
}

# cut_ok TAG FLOOD-ARGS... — flood must end the connection itself
# (status 2); otherwise TAG and the status are added to $bad.
cut_ok() {
	local tag=$1 rc
	shift
	"$FLOOD" "$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || bad="$bad $tag:$rc"
}


# The server's descriptor count at rest, after a warm-up request: $IDLE.
idle_fds() {
	serves
	IDLE=$(settled_fds)
}

# back_to_idle SECONDS — waits (bounded) for the count to fall back to
# $IDLE; the last count seen is $FDS.  Fails if the server is gone.
back_to_idle() {
	local i
	FDS=$(nfds)
	for i in $(seq 1 $(($1 * 5))); do
		yurt_alive || return 1
		FDS=$(nfds)
		[ "$FDS" -le "$IDLE" ] && return 0
		sleep 0.2
	done
	return 1
}

# The end of every section: alive, no descriptor leak, still serving,
# and a clean stop (exit 0, no sanitizer report).
# timed_req — one Gemini request for /: sets rc (gg's status), el (ms)
# and h (the header line)
timed_req() {
	local t0
	t0=$(now_ms)
	req -t 5 gemini://localhost/ >"$OUT" 2>"$ERR"
	rc=$?
	el=$(($(now_ms) - t0))
	h=$(head -n 1 "$OUT" | tr -d '\r')
}

section_end() {
	local r
	ok 'yurt_alive' "$1: the server is alive"
	back_to_idle 8
	r=$?
	ok '[ "$r" -eq 0 ]' "$1: descriptors back to the idle count ($FDS, idle $IDLE)"
	ok 'serves' "$1: both protocols still serve"
	ok 'yurt_stop' "$1: the server stops cleanly"
}

# v2: signature, version 2 PROXY, TCP over IPv4, 12 bytes of addresses
V2SIG='\r\n\r\n\0\r\nQUIT\n'
V2="${V2SIG}\\x21\\x11\\x00\\x0c\\xc6\\x33\\x64\\x0c\\x7f\\x00\\x00\\x01\\x15\\xb3\\x00\\x46"
# =========================================================================
# 1. Slow clients: 1,000 trickling a TLS handshake, 200 a Gopher selector
# =========================================================================
test_slow() {
ok 'yurt_start -R 0 -m 2000 -t 3' "slow: server starts with -m 2000 -t 3"
idle_fds
"$FLOOD" slow -t 2 -T -n 1000 -i 1000 -d 12 127.0.0.1 "$YURT_PORT" \
    >"$T/slow1.out" 2>"$T/slow1.err" &
f1=$!
"$FLOOD" slow -t 2 -n 200 -i 1000 -d 12 127.0.0.1 "$YURT_GOPHER_PORT" \
    >"$T/slow2.out" 2>"$T/slow2.err" &
f2=$!
wait_connected "$T/slow1.err"
wait_connected "$T/slow2.err"
like "$(cat "$T/slow1.err" "$T/slow2.err")" \
    'connected 1000 failed 0.*connected 200 failed 0' \
    "slow: 1,000 Gemini and 200 Gopher slow clients connect"
sleep 1
n=$(nfds)
ok '[ "$n" -ge $((IDLE + 1150)) ]' "slow: the server holds them all ($n descriptors, idle $IDLE)"
t0=$(now_ms)
req -t 5 gemini://localhost/page.gmi >"$OUT" 2>"$ERR"
rc=$?
el=$(($(now_ms) - t0))
ok '[ "$rc" -eq 0 ] && grep -q PAGE-MARKER "$OUT"' \
    "slow: a normal Gemini client is served during the trickle (gg status $rc)"
ok '[ "$el" -lt 2000 ]' "slow: ... promptly (${el} ms)"
t0=$(now_ms)
out=$(gopher /page.gmi -t 5)
el=$(($(now_ms) - t0))
like "$out" 'PAGE-MARKER' "slow: a normal Gopher client is served during the trickle"
ok '[ "$el" -lt 2000 ]' "slow: ... promptly (${el} ms)"
wait "$f1" "$f2"
diag "slow (gemini): $(cat "$T/slow1.out")" "slow (gopher): $(cat "$T/slow2.out")"
is "$(kv closed "$T/slow1.out")/$(kv open "$T/slow1.out")" 1000/0 \
    "slow: the server closed all 1,000 slow Gemini clients"
is "$(kv closed "$T/slow2.out")/$(kv open "$T/slow2.out")" 200/0 \
    "slow: the server closed all 200 slow Gopher clients"
last1=$(kv last_ms "$T/slow1.out")
last2=$(kv last_ms "$T/slow2.out")
first1=$(kv first_ms "$T/slow1.out")
ok '[ -n "$last1" ] && [ "$last1" -ge 0 ] && [ "$last1" -le 5000 ]' \
    "slow: Gemini ones closed within the 3 s timeout + 2 s (first ${first1} ms, last ${last1} ms)"
ok '[ -n "$last2" ] && [ "$last2" -ge 0 ] && [ "$last2" -le 5000 ]' \
    "slow: Gopher ones closed within the 3 s timeout + 2 s (last ${last2} ms)"
ok '[ -n "$first1" ] && [ "$first1" -ge 2500 ]' \
    "slow: a byte now and then does not extend the request timeout, nor is it cut short (first close at ${first1} ms)"
section_end slow

}

# =========================================================================
# 2. A flood beyond the connection bound: -m 50
# =========================================================================
test_bound() {
ok 'yurt_start -R 0 -m 50 -t 10' "bound: server starts with -m 50"
idle_fds
# Connections that have sent nothing wait in the kernel for a second
# (TCP_DEFER_ACCEPT) and take no place: a client is served at once
# (within that second).
"$FLOOD" hold -t 2 -n 300 -d 2 127.0.0.1 "$YURT_PORT" >"$T/hold.out" 2>"$T/hold.err" &
f1=$!
wait_connected "$T/hold.err"
timed_req
ok '[ "$rc" = 0 ] && [ "$el" -lt 900 ] && [[ $h =~ ^20 ]]' \
    "bound: 300 silent connections take no place: a client is served at once (got '${h:0:20}', ${el} ms)"
wait "$f1"
diag "bound (silent): $(cat "$T/hold.out")"
is "$(kv connected "$T/hold.out")/$(kv failed "$T/hold.out")" 300/0 \
    "bound: the silent ones are taken too, after the wait (none left hanging)"
ok 'back_to_idle 8' "bound: descriptors back to idle after the silent flood ($FDS, idle $IDLE)"
# Connections that have begun a request are held, up to the bound.
"$FLOOD" hold -x x -t 2 -n 300 -d 4 127.0.0.1 "$YURT_PORT" >"$T/hold.out" 2>"$T/hold.err" &
f1=$!
wait_connected "$T/hold.err"
sleep 0.3
n=$(nfds)
ok '[ "$n" -le $((IDLE + 52)) ]' "bound: the server holds at most the bound ($n descriptors, idle $IDLE)"
timed_req
ok '[ "$rc" -ne 4 ] && [ "$el" -lt 3000 ] && { [ -z "$h" ] || [[ $h =~ ^41 ]]; }' \
    "bound: a Gemini client during the flood is refused or gets 41, no hang (got '${h:0:20}', gg status $rc, ${el} ms)"
t0=$(now_ms)
out=$(gopher / -t 5)
rc=$?
el=$(($(now_ms) - t0))
ok '[ "$rc" -ne 4 ] && [ "$el" -lt 3000 ] && { [ -z "$out" ] || [[ $out =~ ^3 ]]; }' \
    "bound: a Gopher client during the flood is refused or gets an error, no hang (flood status $rc, ${el} ms)"
wait "$f1"
diag "bound: $(cat "$T/hold.out")"
is "$(kv connected "$T/hold.out")/$(kv failed "$T/hold.out")" 300/0 \
    "bound: all 300 connections were taken off the queue (none left to time out)"
open=$(kv open "$T/hold.out")
closed=$(kv closed "$T/hold.out")
ok '[ -n "$open" ] && [ "$open" -le 50 ] && [ "$closed" -ge 250 ]' \
    "bound: at most 50 held, the rest refused ($open held, $closed closed)"
last=$(kv last_ms "$T/hold.out")
ok '[ -n "$last" ] && [ "$last" -ge 0 ] && [ "$last" -lt 2000 ]' \
    "bound: the refused ones were closed at once (last after ${last} ms)"
ok 'back_to_idle 8' "bound: descriptors back to idle after the flood ($FDS, idle $IDLE)"
ok 'serves' "bound: the server serves again once the flood ends"
# the same on the Gopher port
"$FLOOD" hold -x x -t 2 -n 150 -d 2 127.0.0.1 "$YURT_GOPHER_PORT" >"$T/hold.out" 2>"$T/hold.err"
diag "bound (gopher): $(cat "$T/hold.out")"
open=$(kv open "$T/hold.out")
ok '[ "$(kv failed "$T/hold.out")" = 0 ] && [ -n "$open" ] && [ "$open" -le 50 ]' \
    "bound: Gopher flood of 150: at most 50 held, no connection left hanging ($open held)"
section_end bound

}

# =========================================================================
# 3. Out of descriptors (ulimit -n 64, -m 1000): no busy loop on EMFILE
# =========================================================================
test_emfile() {
ulimit -Sn 64
yurt_start -R 0 -m 1000 -t 10
rc=$?
ulimit -Sn 4096
ok '[ "$rc" -eq 0 ]' "emfile: server starts under ulimit -n 64 with -m 1000"
like "$(grep 'open files' "/proc/$YURT_PID/limits" 2>/dev/null)" \
    'open files +64 ' "emfile: its descriptor limit is 64"
idle_fds
# a byte each, so that they are accepted at once (not after the second
# TCP_DEFER_ACCEPT leaves silent connections in the kernel)
"$FLOOD" hold -x x -t 2 -n 300 -d 8 127.0.0.1 "$YURT_PORT" >"$T/hold.out" 2>"$T/hold.err" &
f1=$!
wait_connected "$T/hold.err"
sleep 1
n=$(nfds)
ok '[ "$n" -ge 56 ]' "emfile: the flood drives the server to its descriptor limit ($n open)"
c0=$(cpu_ticks)
sleep 3
c1=$(cpu_ticks)
ok '[ $((c1 - c0)) -lt "$TCK" ]' \
    "emfile: no busy loop while out of descriptors ($((c1 - c0)) ticks of CPU in 3 s, limit $TCK)"
ok 'yurt_alive' "emfile: the server survives EMFILE"
timed_req
ok '[ "$rc" -ne 4 ] && [ "$el" -lt 3000 ] && { [ -z "$h" ] || [[ $h =~ ^(20|4[0-4]) ]]; }' \
    "emfile: a client while out of descriptors is answered or refused, no hang (got '${h:0:20}', gg status $rc, ${el} ms)"
wait "$f1"
diag "emfile: $(cat "$T/hold.out")"
is "$(kv failed "$T/hold.out")" 0 "emfile: no connection of the flood left hanging in the queue"
c0=$(cpu_ticks)
sleep 3
c1=$(cpu_ticks)
ok '[ $((c1 - c0)) -lt "$TCK" ]' \
    "emfile: no busy loop after the flood ($((c1 - c0)) ticks of CPU in 3 s)"
section_end emfile

}

# =========================================================================
# 4. Clients that go away mid-handshake, mid-request, mid-response
# =========================================================================
test_disconnect() {
ok 'yurt_start -R 0 -t 3' "disconnect: server starts"
idle_fds
G="127.0.0.1 $YURT_GOPHER_PORT"
M="127.0.0.1 $YURT_PORT"
bad=""
for i in $(seq 1 20); do
	cut_ok half-fin raw -H half -k $M
	cut_ok half-rst raw -H half -k -R $M
	cut_ok full-rst raw -H full -k -R $M
done
for i in $(seq 1 10); do
	cut_ok g-half-fin raw -H half -k $G
	cut_ok g-half-rst raw -H half -k -R $G
done
is "$bad" "" "disconnect: 80 half or unanswered ClientHellos, closed by FIN or RST (both ports)"
ok 'yurt_alive' "disconnect: alive after clients vanish mid-handshake"
ok 'serves' "disconnect: serves after clients vanish mid-handshake"
bad=""
for i in $(seq 1 20); do
	cut_ok fin tls -S 12 -t 5 $M gemini://localhost/page.gmi
	cut_ok rst tls -S 12 -R -t 5 $M gemini://localhost/page.gmi
done
printf '/page' >"$T/partial"
for i in $(seq 1 10); do
	cut_ok g-fin raw -I -k $G <"$T/partial"
	cut_ok g-rst raw -I -k -R $G <"$T/partial"
done
is "$bad" "" "disconnect: 60 clients gone mid-request (FIN and RST, both ports)"
ok 'yurt_alive' "disconnect: alive after clients vanish mid-request"
ok 'serves' "disconnect: serves after clients vanish mid-request"
bad=""
printf '/big.bin\r\n' >"$T/bigsel"
for i in $(seq 1 5); do
	cut_ok fin tls -q -c 1000000 -t 10 $M gemini://localhost/big.bin
	cut_ok rst tls -q -c 1000000 -R -t 10 $M gemini://localhost/big.bin
	cut_ok g-fin raw -I -q -c 1000000 -t 10 $G <"$T/bigsel"
	cut_ok g-rst raw -I -q -c 1000000 -R -t 10 $G <"$T/bigsel"
done
is "$bad" "" "disconnect: 20 readers of a 20 MB file gone after 1 MB (FIN and RST, both ports)"
ok 'yurt_alive' "disconnect: alive after readers vanish mid-response"
section_end disconnect

}

# =========================================================================
# 5. Garbage on both ports
# =========================================================================
test_garbage() {
ok 'yurt_start -R 0 -t 3' "garbage: server starts with -t 3"
idle_fds
# garbage NAME PORT MAX-MS ERE [FLOOD-RAW-OPTIONS...] — stdin is sent;
# the server must close within MAX-MS with a reply matching ERE (which
# may allow an empty one), and serve the next client.
garbage() {
	local name=$1 port=$2 max=$3 re=$4 rc el t0 reply
	shift 4
	t0=$(now_ms)
	"$FLOOD" raw -I -t 10 "$@" 127.0.0.1 "$port" >"$OUT" 2>"$ERR"
	rc=$?
	el=$(($(now_ms) - t0))
	reply=$(head -c 200 "$OUT" | tr -d '\0'; echo x)
	reply=${reply%x}
	ok '{ [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && [ "$el" -le "$max" ]' \
	    "garbage: $name: the server closes within $max ms (flood status $rc, ${el} ms)"
	like "$reply" "$re" "garbage: $name: a clear error or nothing"
	ok 'serves' "garbage: $name: the next client is served"
}
# A TLS server answers garbage with an alert (0x15) or nothing at all.
ALERT=$'^(\x15|$)'
garbage "random bytes on the Gemini port" "$YURT_PORT" 5000 "$ALERT" <"$T/garbage"
garbage "random bytes on the Gopher port" "$YURT_GOPHER_PORT" 5000 \
    $'^(3[^\r\n]*\r\n\\.\r\n$|\x15|$)' <"$T/garbage"
garbage "a ClientHello and garbage on the Gemini port" "$YURT_PORT" 5000 \
    $'^(\x16|\x15|$)' -H full <"$T/garbage"
garbage "a ClientHello and garbage on the Gopher port" "$YURT_GOPHER_PORT" 5000 \
    $'^(\x16|\x15|$)' -H full <"$T/garbage"
printf 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: abuse\r\n\r\n' >"$T/http"
garbage "an HTTP request on the Gemini port" "$YURT_PORT" 5000 "$ALERT" <"$T/http"
garbage "1 MB without a newline on the Gemini port (no TLS)" "$YURT_PORT" 5000 \
    "$ALERT" <"$T/mb"
garbage "1 MB without a newline on the Gopher port" "$YURT_GOPHER_PORT" 5000 \
    $'^(3[^\r\n]*\r\n\\.\r\n$|$)' <"$T/mb"
t0=$(now_ms)
rawreq -t 10 <"$T/mb" >"$OUT" 2>"$ERR"
rc=$?
el=$(($(now_ms) - t0))
h=$(head -c 100 "$OUT" | tr -d '\r\n')
ok '[ "$rc" -ne 4 ] && [ "$rc" -ne 5 ] && [ "$el" -le 5000 ] && { [ -z "$h" ] || [[ $h =~ ^59 ]]; }' \
    "garbage: 1 MB without CRLF over TLS: 59 or a close, in time (got '${h:0:20}', gg status $rc, ${el} ms)"
ok 'serves' "garbage: ... and the next client is served"
section_end garbage

}

# =========================================================================
# 6. A file that changes while it is being sent
# =========================================================================
test_change() {
ok 'yurt_start -R 0 -t 5 -i 30' "change: server starts"
idle_fds
# prefix_of FILE ORIGINAL — FILE starts as ORIGINAL does, up to the
# 1,000,000 bytes a truncation leaves.  (Beyond, sendfile(2) may send the
# zeros the truncation wrote into pages still queued on the socket.)
prefix_of() {
	local n
	n=$(wc -c <"$1")
	[ "$n" -le 1000000 ] || n=1000000
	cmp -s -n "$n" "$1" "$2"
}
cp "$T/src50" "$R/f50.bin"
req -B -b 4096 -P 2 -t 20 gemini://localhost/f50.bin >"$T/dl" 2>"$ERR" &
dl=$!
sleep 0.7
truncate -s 1000000 "$R/f50.bin"
wait "$dl"
rc=$?
size=$(wc -c <"$T/dl")
ok '[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]' \
    "change: Gemini, file truncated to 1 MB mid-reply: the reply ends (gg status $rc: 0 close_notify, 3 EOF)"
ok '[ "$size" -gt 0 ] && [ "$size" -lt 50000000 ]' \
    "change: ... short of the old size ($size bytes)"
ok 'prefix_of "$T/dl" "$T/src50"' "change: ... and what came is the file's own bytes"
cmp -s "$T/dl" <(head -c "$size" "$T/src50") ||
    diag "change (Gemini): bytes past the truncation point differ from the old file"
ok 'yurt_alive' "change: alive after a truncation mid-reply"

cp "$T/src50" "$R/f50.bin"
printf '/f50.bin\r\n' | "$FLOOD" raw -I -b 4096 -P 2000 -t 20 127.0.0.1 \
    "$YURT_GOPHER_PORT" >"$T/dl" 2>"$ERR" &
dl=$!
sleep 0.7
truncate -s 1000000 "$R/f50.bin"
wait "$dl"
rc=$?
size=$(wc -c <"$T/dl")
is "$rc" 0 "change: Gopher, file truncated to 1 MB mid-reply: the server ends the reply"
ok '[ "$size" -gt 0 ] && [ "$size" -lt 50000000 ] && prefix_of "$T/dl" "$T/src50"' \
    "change: ... short, with the file's own bytes up to the truncation ($size bytes)"
cmp -s "$T/dl" <(head -c "$size" "$T/src50") ||
    diag "change (Gopher): bytes past the truncation point differ from the old file" \
	"  ($(cmp -l "$T/dl" <(head -c "$size" "$T/src50") | wc -l) bytes, first at $(cmp "$T/dl" <(head -c "$size" "$T/src50") | grep -o 'byte [0-9]*'))"

cp "$T/src50" "$R/f50.bin"
req -B -b 4096 -P 2 -t 20 gemini://localhost/f50.bin >"$T/dl" 2>"$ERR" &
dl=$!
sleep 0.7
cp "$T/src50b" "$R/f50.new" && mv -f "$R/f50.new" "$R/f50.bin"
wait "$dl"
rc=$?
is "$rc" 0 "change: Gemini, file replaced mid-reply: the reply ends with close_notify"
is "$(sha256sum <"$T/dl" | cut -d' ' -f1)" "$SUM50" "change: ... and is the old file, whole"
req -B -t 20 gemini://localhost/f50.bin >"$T/dl" 2>/dev/null
is "$(sha256sum <"$T/dl" | cut -d' ' -f1)" "$SUM50B" "change: the next request gets the new file"

cp "$T/src50" "$R/f50.bin"
printf '/f50.bin\r\n' | "$FLOOD" raw -I -b 4096 -P 2000 -t 20 127.0.0.1 \
    "$YURT_GOPHER_PORT" >"$T/dl" 2>"$ERR" &
dl=$!
sleep 0.7
head -c 5000000 /dev/zero >>"$R/f50.bin"
wait "$dl"
rc=$?
is "$rc" 0 "change: Gopher, file growing mid-reply: the reply ends"
is "$(wc -c <"$T/dl")" 50000000 "change: ... with the size the file had when it was opened"
rm -f "$R/f50.bin"
section_end change

}

# =========================================================================
# 7. Rate limiting: -R 2 -B 5
# =========================================================================
test_rate() {
ok 'yurt_start -R 2 -B 5' "rate: server starts with -R 2 -B 5"
idle_fds
sleep 3	# the budget refills (5 at 2/s)
# six at once, so that no token comes back in between however slow the
# machine (a sanitized build takes more than the half second one in turn)
pids=""
for i in 1 2 3 4 5 6; do
	header gemini://localhost/ >"$T/rate.$i" 2>/dev/null &
	pids="$pids $!"
done
wait $pids
st=$(cut -c1-2 "$T"/rate.[1-6] | sort | tr '\n' ' ')
is "$st" "20 20 20 20 20 44 " "rate: Gemini, of 6 at once a burst of 5 is served"
h=$(grep -h '^44' "$T"/rate.[1-6] | head -n 1)
like "$h" '^44 [0-9]+$' "rate: Gemini, the 6th gets 44 <seconds>"
secs=${h#44 }
[[ $secs =~ ^[0-9]+$ ]] || secs=1
ok '[ "$secs" -ge 1 ] && [ "$secs" -le 5 ]' "rate: ... with 1 to 5 seconds ($secs)"
sleep "$secs"
sleep 0.2
like "$(header gemini://localhost/)" '^20 ' "rate: Gemini, served again after waiting $secs s"
# Gemini and Gopher may share a budget: let it refill (5 at 2/s).
sleep 3
st=""
for i in 1 2 3 4 5; do
	out=$(gopher /)
	[[ $out == *INDEX-MARKER* ]] && st="$st ok" || st="$st no"
done
is "$st" " ok ok ok ok ok" "rate: Gopher, a burst of 5 is served"
out=$(gopher /)
like "$out" $'^3[^\t\r\n]*[0-9]+[^\t\r\n]*\t[^\r\n]*\r\n\\.\r?$' \
    "rate: Gopher, the 6th gets one type-3 line (with its seconds) and ."
sleep 1.2
like "$(gopher /)" 'INDEX-MARKER' "rate: Gopher, served again after waiting"
sleep 0.3
ok '[ -s "$YURT_LOG" ] && ! grep -av "listening" "$YURT_LOG" | grep -q "127\.0\.0\.1"' \
    "rate: the log holds no client address"
sleep 3	# section_end's requests have their budget again
section_end rate

}

# =========================================================================
# 8. Rate limits behind a balancer: -X, each PROXY client its own budget
# =========================================================================
test_proxy_rate() {
BALANCED=198.51.100.250
ok 'yurt_start -X -R 1 -B 5' "proxy-rate: server starts with -X -R 1 -B 5 (a token a second: the burst is not refilled while it is spent, even on a loaded machine)"
idle_fds
# pheader ADDR URL — the Gemini header line for a request from ADDR
pheader() {
	pgemini "$@" | head -n 1 | tr -d '\r'
}
st=""
for i in 1 2 3 4 5; do
	out=$(pgopher 198.51.100.1 /)
	[[ $out == *INDEX-MARKER* ]] && st="$st ok" || st="$st no"
done
is "$st" " ok ok ok ok ok" "proxy-rate: Gopher client 198.51.100.1: a burst of 5 is served"
like "$(pgopher 198.51.100.1 /)" '^3' "proxy-rate: ... its 6th gets a type-3 line"
like "$(pgopher 198.51.100.2 /)" 'INDEX-MARKER' \
    "proxy-rate: Gopher client 198.51.100.2 (same TCP peer) has its own budget"
st=""
for i in 1 2 3 4 5; do
	st="$st $(pheader 198.51.100.3 gemini://localhost/ | cut -c1-2)"
done
is "$st" " 20 20 20 20 20" "proxy-rate: Gemini client 198.51.100.3: a burst of 5 is served"
like "$(pheader 198.51.100.3 gemini://localhost/)" '^44 [1-9][0-9]*$' \
    "proxy-rate: ... its 6th gets 44 <seconds>"
like "$(pheader 198.51.100.4 gemini://localhost/)" '^20 ' \
    "proxy-rate: Gemini client 198.51.100.4 has its own budget"
sleep 0.3
ok '[ -s "$YURT_LOG" ] && ! grep -av "listening" "$YURT_LOG" | grep -qE "127\.0\.0\.1|198\.51\.100\."' \
    "proxy-rate: without -A the log holds no client address, real or proxied"
section_end proxy-rate
}


test_proxy_log() {
BALANCED=198.51.100.250
ok 'yurt_start -X -A -R 0' "proxy-log: server starts with -X -A"
idle_fds
pgopher 198.51.100.7 /page.gmi >/dev/null
pgemini 198.51.100.8 gemini://localhost/probe-A >/dev/null
sleep 0.3
like "$(grep -a 'page.gmi' "$YURT_LOG" | grep -a gopher)" '198\.51\.100\.7' \
    "proxy-log: with -A the Gopher line has the PROXY-given address"
like "$(grep -a 'probe-A' "$YURT_LOG")" '198\.51\.100\.8' \
    "proxy-log: with -A the Gemini line has the PROXY-given address"
unlike "$(grep -a 'page.gmi' "$YURT_LOG")" '127\.0\.0\.1' \
    "proxy-log: ... not the balancer's"
section_end proxy-log

}

# =========================================================================
# 9. The PROXY protocol itself: -X
# =========================================================================
test_proxy() {
BALANCED=198.51.100.250
ok 'yurt_start -X -R 0 -t 3' "proxy: server starts with -X -t 3"
idle_fds
GP=$YURT_GOPHER_PORT
like "$(pgopher 198.51.100.10 /page.gmi)" 'PAGE-MARKER' "proxy: v1 TCP4 then a Gopher selector is served"
like "$(gopher /page.gmi -x "PROXY TCP6 2001:db8::1 ::1 5555 $GP\\r\\n")" 'PAGE-MARKER' \
    "proxy: v1 TCP6 then a Gopher selector is served"
like "$(gopher /page.gmi -x 'PROXY UNKNOWN\r\n')" 'PAGE-MARKER' \
    "proxy: v1 UNKNOWN then a Gopher selector is served"
like "$(gopher /page.gmi -D 5 -x "$(v1 198.51.100.11 "$GP")")" 'PAGE-MARKER' \
    "proxy: v1 header and selector sent a byte at a time are served"
like "$(gopher /page.gmi -x "$V2")" 'PAGE-MARKER' "proxy: v2 TCP4 then a Gopher selector is served"
V2TLV="${V2SIG}\\x21\\x11\\x00\\x12\\xc6\\x33\\x64\\x0d\\x7f\\x00\\x00\\x01\\x15\\xb3\\x00\\x46\\x04\\x00\\x03abc"
like "$(gopher /page.gmi -x "$V2TLV")" 'PAGE-MARKER' "proxy: v2 with a TLV then a Gopher selector is served"
like "$(gopher /page.gmi -x "${V2SIG}\\x20\\x00\\x00\\x00")" 'PAGE-MARKER' \
    "proxy: v2 LOCAL then a Gopher selector is served"
like "$(pheader 198.51.100.12 gemini://localhost/page.gmi)" '^20 text/gemini' \
    "proxy: v1 then a Gemini TLS request is served"
out=$("$FLOOD" tls -t 10 -x "$V2" 127.0.0.1 "$YURT_PORT" gemini://localhost/page.gmi 2>/dev/null)
like "$out" 'PAGE-MARKER' "proxy: v2 then a Gemini TLS request is served"
"$FLOOD" raw -x "$(v1 198.51.100.13 "$GP")" -H half -k -R 127.0.0.1 "$GP" 2>/dev/null
out=$(curl -sk --max-time 10 --haproxy-protocol "gophers://127.0.0.1:$GP/0/page.gmi" 2>&1)
like "$out" 'PAGE-MARKER' "proxy: curl --haproxy-protocol gophers:// (v1, then TLS on the Gopher port) is served"

# malformed NAME HEADER — closed without serving, in bounded time
malformed() {
	local rc el t0
	t0=$(now_ms)
	printf '/page.gmi\r\n' |
	    "$FLOOD" raw -I -t 10 -x "$2" 127.0.0.1 "$GP" >"$OUT" 2>"$ERR"
	rc=$?
	el=$(($(now_ms) - t0))
	ok '{ [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && [ ! -s "$OUT" ] && [ "$el" -le 5000 ]' \
	    "proxy: $1: closed without a reply (flood status $rc, $(wc -c <"$OUT") bytes, ${el} ms)"
}
malformed "PROXY TCP4 bad" 'PROXY TCP4 bad\r\n'
malformed "PROXY and 200 bytes without CRLF" "PROXY $(head -c 200 /dev/zero | tr '\0' x)"
malformed "v2 with version byte 0x31" "${V2SIG}\\x31\\x11\\x00\\x0c\\xc6\\x33\\x64\\x0c\\x7f\\x00\\x00\\x01\\x15\\xb3\\x00\\x46"
malformed "v2 with an unknown family" "${V2SIG}\\x21\\x99\\x00\\x0c\\xc6\\x33\\x64\\x0c\\x7f\\x00\\x00\\x01\\x15\\xb3\\x00\\x46"
malformed "v2 with a 64 KiB length" "${V2SIG}\\x21\\x11\\xff\\xff\\xc6\\x33\\x64\\x0c"
malformed "v2 with too short addresses" "${V2SIG}\\x21\\x11\\x00\\x04\\xc6\\x33\\x64\\x0c"
malformed "v1 port 99999" 'PROXY TCP4 198.51.100.1 127.0.0.1 99999 70\r\n'
malformed "v1 TCP4 with an IPv6 address" 'PROXY TCP4 2001:db8::1 127.0.0.1 5555 70\r\n'
malformed "v1 with two spaces" 'PROXY  TCP4 198.51.100.1 127.0.0.1 5555 70\r\n'
malformed "v1 with a bare LF" 'PROXY TCP4 198.51.100.1 127.0.0.1 5555 70\n'
malformed "no header at all" ''
t0=$(now_ms)
"$FLOOD" raw -t 10 -x "$(v1 198.51.100.14 "$GP")" 127.0.0.1 "$GP" >"$OUT" 2>"$ERR"
rc=$?
el=$(($(now_ms) - t0))
ok '{ [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && [ "$el" -ge 2000 ] && [ "$el" -le 6000 ]' \
    "proxy: a header and then silence is closed at the request timeout (flood status $rc, ${el} ms)"
"$FLOOD" tls -t 10 127.0.0.1 "$YURT_PORT" gemini://localhost/ >"$OUT" 2>"$ERR"
rc=$?
ok '[ "$rc" -eq 5 ] && [ ! -s "$OUT" ]' "proxy: Gemini without a header is not served (flood status $rc)"
section_end proxy
}


test_no_proxy() {
# Without -X a PROXY header is just bytes.
BALANCED=""
ok 'yurt_start -R 0 -t 3' "no-proxy: server starts without -X"
idle_fds
GP=$YURT_GOPHER_PORT
out=$(gopher /page.gmi -x "$(v1 198.51.100.15 "$GP")")
rc=$?
ok '[ "$rc" -ne 4 ] && ! [[ $out == *PAGE-MARKER* ]] && { [ -z "$out" ] || [[ $out =~ ^3 ]]; }' \
    "no-proxy: a v1 header is not interpreted: an error or a close, never the page (flood status $rc)"
out=$(gopher /page.gmi -x "$V2")
rc=$?
ok '[ "$rc" -ne 4 ] && ! [[ $out == *PAGE-MARKER* ]]' \
    "no-proxy: a v2 header is not interpreted (flood status $rc)"
"$FLOOD" tls -t 10 -x "$(v1 198.51.100.15 "$YURT_PORT")" 127.0.0.1 "$YURT_PORT" \
    gemini://localhost/page.gmi >"$OUT" 2>"$ERR"
rc=$?
ok '[ "$rc" -eq 5 ] && ! grep -q PAGE-MARKER "$OUT"' \
    "no-proxy: a v1 header before TLS breaks the handshake (flood status $rc)"
section_end no-proxy

}

run_tests
