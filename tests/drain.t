#!/bin/bash
# A stop loses no reader who already reached yurt (issue 18: a balancer
# without health checks, nginx stream, retries only connections that are
# refused).  Readers whose connections the kernel has completed and queued
# when SIGTERM arrives are served, not reset: yurt takes what waits in the
# accept queue before it stops listening.  Made deterministic by stopping
# yurt (SIGSTOP) while the readers connect and send their requests, so
# they are all in the queue when it gets SIGTERM.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/root"
printf '# Drain\nDRAIN-MARKER\n' >"$T/root/index.gmi"

N=12

test_queued_at_stop() {
	local i got_g=0 got_t=0 st
	ok 'yurt_start' "server starts"
	kill -STOP "$YURT_PID"
	for i in $(seq 1 $N); do
		# Gopher: connect and send the selector at once
		(
			exec 3<>"/dev/tcp/127.0.0.1/$YURT_GOPHER_PORT" || exit 1
			printf '/\r\n' >&3
			timeout 15 cat <&3 >"$T/gopher.$i"
		) 2>/dev/null &
		# Gemini: the ClientHello leaves on connect
		"$GG" -B -t 15 127.0.0.1 "$YURT_PORT" gemini://localhost/ \
		    >"$T/gemini.$i" 2>"$T/gemini.$i.err" &
	done
	sleep 1		# every connection is made and its first bytes sent
	kill -TERM "$YURT_PID"
	kill -CONT "$YURT_PID"
	wait "$YURT_PID"
	st=$?
	YURT_PID=""
	wait
	for i in $(seq 1 $N); do
		grep -q DRAIN-MARKER "$T/gopher.$i" && got_g=$((got_g + 1))
		grep -q DRAIN-MARKER "$T/gemini.$i" && got_t=$((got_t + 1))
	done
	is "$got_g" "$N" "Gopher readers queued when SIGTERM came: all $N served ($got_g)"
	[ "$got_t" = "$N" ] || diag "$(cat "$T/gemini.1" "$T/gemini.1.err" | head -5)"
	is "$got_t" "$N" "Gemini readers queued when SIGTERM came: all $N served ($got_t)"
	is "$st" 0 "yurt exits with status 0 after serving them"
}

run_tests
