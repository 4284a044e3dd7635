#!/bin/bash
# Several machines (README "Several machines"): two yurt instances behind
# the real HAProxy and nginx (stream), in TCP mode with the PROXY protocol,
# configured by the very files the README quotes (doc/haproxy.cfg,
# doc/nginx-stream.conf), only their addresses moved to loopback ports.
# Readers connect from 127.0.0.2, 127.0.0.3 and 127.0.1.x; the balancer
# reaches yurt from 127.0.0.1, the one address in proxy-from.  Every
# process here is the test's own, stopped by PID.
. "$(dirname "$0")/lib.sh"

FLOOD="$BUILD/tests/flood"
DOC="$YURT_TOP/doc"
R="$T/root"
CERTS="$T/certs"
mkdir -p "$R" "$CERTS"
printf '# Index\nINDEX-MARKER\n' >"$R/index.gmi"
ok 'command -v haproxy >/dev/null && command -v nginx >/dev/null &&
    [ -f /usr/lib/nginx/modules/ngx_stream_module.so ]' \
    "haproxy, nginx and its stream module are installed (make test-deps)"

# --- the README holds the configurations the tests use -------------------
for f in haproxy.cfg nginx-stream.conf; do
	ok 'perl -0ne "BEGIN { local \$/; open(F, q{<}, q{$DOC/$f}) or die; \$c = <F>; \$c =~ s/^(?=.)/\t/mg } exit(index(\$_, \$c) < 0)" "$YURT_TOP/README.md"' \
	    "README quotes doc/$f in full (indented by a tab)"
done

# --- two yurt instances, one certificate directory -----------------------
declare -A PID GEM GOPH LOG
RATE="-R 1 -B 3"
inst_start() {
	local n=$1 i
	# a restart keeps the ports the balancer knows
	[ -n "${GEM[$n]}" ] || GEM[$n]=$(free_port) || return 1
	[ -n "${GOPH[$n]}" ] || GOPH[$n]=$(free_port) || return 1
	LOG[$n]="$T/yurt-$n.$RANDOM.log"
	ASAN_OPTIONS=$YURT_ASAN_OPTIONS "$YURT" -a 127.0.0.1 -p "${GEM[$n]}" \
	    -g "${GOPH[$n]}" -r "$R" -d "$CERTS" -H localhost -H other.example \
	    "${YURT_WARGS[@]}" -X --proxy-from 127.0.0.1/32 $RATE \
	    </dev/null >/dev/null 2>"${LOG[$n]}" &
	PID[$n]=$!
	for i in $(seq 1 100); do
		if ! kill -0 "${PID[$n]}" 2>/dev/null; then
			diag "instance $n exited at start-up:" \
			    "$(tail -n 5 "${LOG[$n]}")"
			return 1
		fi
		port_listening "${GEM[$n]}" && port_listening "${GOPH[$n]}" &&
		    return 0
		sleep 0.1
	done
	diag "instance $n does not listen after 10 s:" "$(tail -n 5 "${LOG[$n]}")"
	return 1
}
# inst_stop N — SIGTERM, then (after 5 s) SIGKILL; 0 if it exited cleanly.
inst_stop() {
	local n=$1 i st
	[ -n "${PID[$n]}" ] || return 0
	kill -TERM "${PID[$n]}" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "${PID[$n]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "${PID[$n]}" 2>/dev/null
	wait "${PID[$n]}" 2>/dev/null
	st=$?
	PID[$n]=""
	! grep -aqE 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "${LOG[$n]}" &&
	    [ "$st" -eq 0 ]
}

BPID=""
bal_stop() {
	[ -n "$BPID" ] || return 0
	kill -TERM "$BPID" 2>/dev/null
	wait "$BPID" 2>/dev/null
	BPID=""
}
all_stop() {
	bal_stop
	inst_stop a >/dev/null
	inst_stop b >/dev/null
}
trap 'all_stop; lib_cleanup' EXIT

# conf FILE — the README's configuration, its addresses on loopback.
conf() {
	sed -e "s/192\.0\.2\.11:1965/127.0.0.1:${GEM[a]}/; s/192\.0\.2\.12:1965/127.0.0.1:${GEM[b]}/" \
	    -e "s/192\.0\.2\.11:70/127.0.0.1:${GOPH[a]}/; s/192\.0\.2\.12:70/127.0.0.1:${GOPH[b]}/" \
	    -e "s/\(bind\|listen\) :\?1965/\1 127.0.0.1:$BGEM/; s/\(bind\|listen\) :\?70\b/\1 127.0.0.1:$BGOPH/" \
	    "$DOC/$1"
}

bal_start() {
	local i
	BGEM=$(free_port) && BGOPH=$(free_port) || return 1
	case $1 in
	haproxy)
		conf haproxy.cfg >"$T/haproxy.cfg"
		haproxy -db -f "$T/haproxy.cfg" </dev/null >"$T/haproxy.log" 2>&1 &
		;;
	nginx)
		mkdir -p "$T/nginx"
		conf nginx-stream.conf >"$T/nginx.conf"
		nginx -p "$T/nginx/" -e "$T/nginx.err" -c "$T/nginx.conf" \
		    -g "daemon off; pid $T/nginx.pid;" </dev/null \
		    >"$T/nginx.log" 2>&1 &
		;;
	esac
	BPID=$!
	for i in $(seq 1 100); do
		kill -0 "$BPID" 2>/dev/null || return 1
		port_listening "$BGEM" && port_listening "$BGOPH" && return 0
		sleep 0.1
	done
	return 1
}

# gem FROM [SNI] — a Gemini request through the balancer from FROM; its
# header line.
gem() {
	gg -h -t 10 -l "$1" -s "${2:-localhost}" 127.0.0.1 "$BGEM" \
	    "gemini://${2:-localhost}/" 2>/dev/null | tr -d '\r\n'
}
goph() {
	printf '/\r\n' | "$FLOOD" raw -I -t 10 -l "$1" 127.0.0.1 "$BGOPH" \
	    2>/dev/null
}
# lines N — request lines in instance N's log
lines() { grep -ac ' localhost / ' "${LOG[$1]}"; }

# load TAG — 3 readers, 25 requests each, every one from its own address
# (127.0.1.x: no reader reaches a rate limit); failures into $T/fail.TAG.
load() {
	local j
	: >"$T/fail.$1"
	for j in 1 2 3; do
		(
			for i in $(seq 1 25); do
				h=$(gem "127.$((j + 1)).$i.$j")
				[[ $h == "20 "* ]] || echo "$h" >>"$T/fail.$1"
			done
		) &
	done
	wait $(jobs -p | grep -v "^$BPID$" | grep -vE "^(${PID[a]:-0}|${PID[b]:-0})$")
}

# wait_up — until both instances answer through the balancer (HAProxy
# takes an instance back after two good checks)
wait_up() {
	local i a b
	for i in $(seq 1 40); do
		a=$(lines a) b=$(lines b)
		gem "127.0.3.$i" >/dev/null
		gem "127.0.4.$i" >/dev/null
		[ "$(lines a)" -gt "$a" ] && [ "$(lines b)" -gt "$b" ] && return 0
		sleep 0.25
	done
	return 1
}

suite() {
	local b=$1 h st i fa fb
	ok 'inst_start a && inst_start b' "$b: two yurt instances start (-X --proxy-from 127.0.0.1/32 $RATE)"
	ok 'bal_start "$b"' "$b: starts with the README's configuration"
	sleep 0.5
	# served by both, Gemini and Gopher
	fa=$(lines a) fb=$(lines b)
	st=""
	for i in 1 2 3 4; do
		st="$st $(gem "127.0.2.$i" | cut -c1-2)"
	done
	is "$st" " 20 20 20 20" "$b: Gemini through the balancer is served"
	sleep 0.3
	ok '[ "$(lines a)" -gt "$fa" ] && [ "$(lines b)" -gt "$fb" ]' \
	    "$b: ... by both instances ($(($(lines a) - fa)) and $(($(lines b) - fb)))"
	like "$(goph 127.0.2.9)$(goph 127.0.2.10)" 'INDEX-MARKER.*INDEX-MARKER' \
	    "$b: Gopher through the balancer is served"
	# TLS passes through: yurt's certificate, chosen by SNI, the same on both
	for i in 1 2 3 4; do
		st="$st $(gg -q -f -l 127.0.2.$((20 + i)) -s localhost -t 10 127.0.0.1 "$BGEM" gemini://localhost/ 2>&1 |
		    sed -n 's/^gg: sha256 //p' | tr -d ':')"
		st="$st $(gg -q -f -l 127.0.2.$((30 + i)) -s other.example -t 10 127.0.0.1 "$BGEM" gemini://other.example/ 2>&1 |
		    sed -n 's/^gg: sha256 //p' | tr -d ':')"
	done
	fa=$(cert_fp "$CERTS/localhost.crt") fb=$(cert_fp "$CERTS/other.example.crt")
	is "$(echo $st | tr ' ' '\n' | grep -v '^[0-9][0-9]$' | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" "4 4 " \
	    "$b: TLS passes through: 4 handshakes for each host name, one certificate each"
	like "$st" "$fa.*$fb" "$b: ... yurt's own, picked by SNI ($fa for localhost)"
	# each reader its own budget: 127.0.0.2 over it, 127.0.0.3 unaffected
	st=""
	for i in $(seq 1 20); do
		h=$(gem 127.0.0.2 | cut -c1-2)
		st="$st ${h:-closed}"
		[ "$h" = 20 ] || break
	done
	like "$st" '^( 20){6,}( 44| closed)$' "$b: reader 127.0.0.2: 3 at each instance, then slowed ($st)"
	is "$(gem 127.0.0.3 | cut -c1-2)$(gem 127.0.0.3 | cut -c1-2)" "2020" \
	    "$b: reader 127.0.0.3 is served meanwhile"
	# a health check (PROXY v2 LOCAL, as HAProxy sends) does not count:
	# 20 of them from the balancer's address, then a reader at that address
	for i in $(seq 1 20); do
		"$FLOOD" raw -t 5 -k -x '\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00' \
		    127.0.0.1 "${GEM[a]}" >/dev/null 2>&1
	done
	is "$(gem 127.0.0.1 | cut -c1-2)$(gem 127.0.0.1 | cut -c1-2)" "2020" \
	    "$b: after 20 PROXY LOCAL checks, reader 127.0.0.1 has its whole budget"
	# a reader reaching an instance directly cannot name an address
	out=$(printf '/\r\n' | "$FLOOD" raw -I -t 5 -l 127.0.0.2 \
	    -x 'PROXY TCP4 198.51.100.1 127.0.0.1 1 70\r\n' 127.0.0.1 "${GOPH[a]}" 2>/dev/null)
	ok '[ -z "$out" ]' "$b: a PROXY header straight from a reader (127.0.0.2) is closed"
	# SIGTERM under load: the instance drains, the balancer moves on
	load warm
	( sleep 0.4; kill -TERM "${PID[a]}" ) &
	load term
	wait "${PID[a]}"
	st=$?
	PID[a]=""
	ok '[ ! -s "$T/fail.term" ] && [ "$st" -eq 0 ]' \
	    "$b: instance a stopped by SIGTERM under load: 0 of 75 failed ($(wc -l <"$T/fail.term") failed, exit $st)"
	ok 'inst_start a' "$b: instance a starts again"
	ok 'wait_up' "$b: ... and is back in the balancer"
	# SIGKILL under load: no more failures than readers in flight (3)
	( sleep 0.4; kill -KILL "${PID[b]}" ) &
	load kill
	{ wait "${PID[b]}"; } 2>/dev/null	# no "Killed" from the shell
	PID[b]=""
	ok '[ "$(wc -l <"$T/fail.kill")" -le 3 ]' \
	    "$b: instance b killed by SIGKILL under load: $(wc -l <"$T/fail.kill") of 75 failed, at most the 3 in flight"
	# the balancer's checks and probes are in no log as an error
	sleep 1
	bal_stop
	ok '! grep -aiqE "error|warn|fail|refus|bad" "${LOG[a]}" "${LOG[b]}"' \
	    "$b: nothing in yurt's logs but requests (checks not logged as errors)"
	ok 'inst_stop a' "$b: instance a stops cleanly"
	# b was killed, nothing to stop
	GEM=() GOPH=()
}

test_haproxy() {
suite haproxy
}

test_nginx() {
suite nginx

}

run_tests
