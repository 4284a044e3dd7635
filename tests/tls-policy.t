#!/bin/bash
# What TLS offers (SPEC §1, issue 12 items 2-4): TLS 1.2 only with ECDHE
# and an AEAD, no session-ID cache, and tickets that never link visits
# across days: a session first made a day ago is not resumed, and ticket
# keys are bounded by the clock (the server's clock moved by libfaketime).
. "$(dirname "$0")/lib.sh"

R="$T/root"
mkdir -p "$R"
printf '# Policy\n' >"$R/index.gmi"
ROOT=$R

# s_client ARGS... — one request; its output
s_client() {
	printf 'gemini://localhost/\r\n' |
	    timeout 10 openssl s_client -connect "127.0.0.1:$YURT_PORT" \
	    -servername localhost -ign_eof "$@" 2>&1
}
test_suites() {
ok 'yurt_start' "server starts"


# --- TLS 1.2 suites ------------------------------------------------------------
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-ECDSA-AES128-CCM AES128-GCM-SHA256 AES128-SHA \
    DHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-SHA; do
	out=$(s_client -tls1_2 -cipher "$c")
	unlike "$out" $'\n20 text/gemini' "TLS 1.2 $c is refused"
done
for c in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-CHACHA20-POLY1305; do
	out=$(s_client -tls1_2 -cipher "$c")
	like "$out" "Cipher is $c" "TLS 1.2 $c is accepted"
done

# --- no session-ID cache -------------------------------------------------------
like "$(s_client -tls1_2 -no_ticket -sess_out "$T/s12")" $'\n20 text/gemini' \
    "(TLS 1.2 without a ticket works)"
# s_client writes no file for a session it cannot resume
out=$([ -s "$T/s12" ] && s_client -tls1_2 -no_ticket -sess_in "$T/s12")
unlike "$out" 'Reused,' "TLS 1.2 without a ticket: the session ID is not resumed"
s_client -tls1_2 -sess_out "$T/s12t" >/dev/null
like "$(s_client -tls1_2 -sess_in "$T/s12t")" 'Reused,' "TLS 1.2 with a ticket resumes"
ok 'yurt_stop' "stops"
}


test_tickets() {
# alone: the certificate made before the clock is moved, as test_suites does
[ -s "$T/certs/localhost.crt" ] || { yurt_start && yurt_stop >/dev/null; }
# --- tickets against a moved clock ------------------------------------------------
FT=""
for f in /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1; do
	[ -e "$f" ] && FT=$f && break
done
if [ -z "$FT" ]; then
	ok false "libfaketime is installed (make test-deps)"
	return 1
fi
# The clock file is read on every call, so the test moves the clock at
# once; it lives in the certificate directory, which Landlock lets yurt
# read.
CLOCK=$CERTS/clock
mkdir -p "$CERTS"
echo "+0" >"$CLOCK"
LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$CLOCK FAKETIME_NO_CACHE=1 \
    YURT_ASAN_OPTIONS="${YURT_ASAN_OPTIONS:+$YURT_ASAN_OPTIONS:}verify_asan_link_order=0" \
    yurt_start
ok 'yurt_alive' "server starts under libfaketime"
like "$(s_client -tls1_3 -sess_out "$T/t0")" $'\n20 text/gemini' "a first full handshake (TLS 1.3)"
# a reader coming back every 90 minutes for 30 hours
run=0 first_new=""
for k in $(seq 1 20); do
	echo "+$((k * 5400))" >"$CLOCK"
	out=$(s_client -tls1_3 -sess_in "$T/t$((k - 1))" -sess_out "$T/t$k")
	if [[ $out =~ Reused ]]; then
		[ -z "$first_new" ] && run=$((run + 1))
	else
		[ -z "$first_new" ] && first_new=$k
	fi
done
ok '[ "$run" -ge 1 ]' "a ticket resumes 90 minutes later (and is renewed)"
ok '[ -n "$first_new" ] && [ "$first_new" -le 16 ]' \
    "resumptions every 90 minutes stop within 24 h of the first full handshake (full handshake at step ${first_new:-none} of 20)"
is "$run" 15 "... after 15 resumptions (22.5 h), not later"
# three quiet days: an old ticket does not resume
echo "+$((20 * 5400 + 600))" >"$CLOCK"
s_client -tls1_3 -sess_out "$T/q0" >/dev/null
echo "+$((20 * 5400 + 600 + 3 * 86400))" >"$CLOCK"
unlike "$(s_client -tls1_3 -sess_in "$T/q0")" 'Reused' "after three quiet days an old ticket does not resume"
like "$(s_client -tls1_3 -sess_in "$T/q0")" $'\n20 text/gemini' "... and the reader is served after a full handshake"
ok 'yurt_stop' "stops"

}

run_tests
