#!/bin/bash
# The capsule's identity (SPEC §1, issue 12 item 1, issue 14 items 4-5):
# a key is never replaced, never given to the run user, never left in a
# temporary file; certificates are found whatever the case of the host
# name; an unwritable directory is named with the user and the fix; the
# fingerprints logged and shown by -n are what openssl computes.
. "$(dirname "$0")/lib.sh"

R="$T/root"
mkdir -p "$R"
printf '# Keys\n' >"$R/index.gmi"
ROOT=$R

# SHA-256 of a certificate's public key (SPKI), as amfora pins it.
spki_fp() {
	openssl x509 -pubkey -noout -in "$1" 2>/dev/null |
	    openssl pkey -pubin -outform DER 2>/dev/null |
	    openssl dgst -sha256 -r | cut -d' ' -f1 | tr 'a-f' 'A-F'
}
# The public key of a private key file, as SPKI SHA-256.
key_spki() {
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null |
	    openssl dgst -sha256 -r | cut -d' ' -f1 | tr 'a-f' 'A-F'
}
colons() { tr -d ':'; }

test_generated() {
local CERTS
# --- a generated pair, started as root ------------------------------------
CERTS="$T/c1"
ok 'yurt_start' "starts with an empty certificate directory"
K="$CERTS/localhost.key" C="$CERTS/localhost.crt"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c '%U:%G %a' "$K")" "root:root 600" \
	    "started as root: the key stays root's, mode 0600 (not the run user's)"
	is "$(stat -c '%U %a' "$C")" "root 644" "the certificate is root's, mode 0644"
else
	is "$(stat -c '%u %a' "$K")" "$(id -u) 600" "the key is ours, mode 0600"
fi
line=$(grep -a 'certificate .*localhost.crt' "$YURT_LOG" | head -n 1)
logspki=$(printf '%s' "$line" | sed -n 's/.*(SPKI) SHA-256 \([0-9A-F:]*\).*/\1/p' | colons)
logfp=$(printf '%s' "$line" | sed -n 's/.*crt for localhost, SHA-256 \([0-9A-F:]*\).*/\1/p' | colons)
is "$logspki" "$(spki_fp "$C")" "the log's SPKI SHA-256 is openssl's (x509 -pubkey | pkey -pubin -outform DER | dgst -sha256)"
is "$logfp" "$(cert_fp "$C")" "the log's certificate SHA-256 is openssl's"
ok 'yurt_stop' "stops"

out=$("$YURT" -n -r "$R" -d "$CERTS" -H localhost 2>&1)
like "$out" "SPKI\) SHA-256 $(spki_fp "$C" | sed 's/../&:/g; s/:$//')" \
    "-n shows the public key (SPKI) SHA-256"
like "$out" "SHA-256 $(cert_fp "$C" | sed 's/../&:/g; s/:$//')" \
    "-n shows the certificate SHA-256"
out=$("$YURT" -n -r "$R" -d "$T/none" -H localhost 2>&1)
like "$out" 'no certificate yet' "-n says when a certificate is still to be made"
ok '[ ! -e "$T/none" ]' "-n creates nothing"

# --- the certificate missing, the key there: the key is kept ----------------
keysum=$(sha256sum <"$K")
oldspki=$(spki_fp "$C")
rm -f "$C"
ok 'yurt_start' "starts with a key and no certificate"
is "$(sha256sum <"$K")" "$keysum" "the existing key is not replaced"
is "$(spki_fp "$C")" "$oldspki" "the new certificate is issued from the existing key (same SPKI)"
is "$(served_fp localhost)" "$(cert_fp "$C")" "and is served"
ok 'yurt_stop' "stops"

# --- stale temporaries of an older yurt are removed ---------------------------
printf 'PRIVATE\n' >"$CERTS/.localhost.key.tmp99999999"
printf 'PRIVATE\n' >"$CERTS/.localhost.crt.tmp99999998"
ok 'yurt_start' "starts beside stale temporaries"
ok '[ ! -e "$CERTS/.localhost.key.tmp99999999" ] && [ ! -e "$CERTS/.localhost.crt.tmp99999998" ]' \
    "temporaries of a dead process are removed at start"
ok 'yurt_stop' "stops"

}

test_host_case() {
local CERTS
# --- the host name's case does not make a new identity -----------------------
CERTS="$T/c2"
mkdir -p "$CERTS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$CERTS/LocalHost.key" -out "$CERTS/LocalHost.crt" -subj /CN=localhost \
    -days 3650 >/dev/null 2>&1
chmod 600 "$CERTS/LocalHost.key"
ok 'yurt_start' "starts with certs/LocalHost.crt and -H localhost"
ok '[ ! -e "$CERTS/localhost.crt" ] && [ ! -e "$CERTS/localhost.key" ]' \
    "no second certificate made for the other case"
is "$(served_fp localhost)" "$(cert_fp "$CERTS/LocalHost.crt")" "certs/LocalHost.crt is served"
ok 'yurt_stop' "stops"

}

test_kills() {
local CERTS
# --- kill -9 at random moments while the pair is made --------------------------
CERTS="$T/c3"
left=0 owner=0 replaced=0 rounds=40
for i in $(seq 1 $rounds); do
	mkdir -p "$CERTS"
	[ $((i % 4)) -eq 1 ] && rm -f "$CERTS"/* "$CERTS"/.[!.]*
	[ $((i % 4)) -eq 3 ] && rm -f "$CERTS/localhost.crt"
	before=""
	[ -e "$CERTS/localhost.key" ] && before=$(sha256sum <"$CERTS/localhost.key")
	port=$(free_port)
	"$YURT" -a 127.0.0.1 -p "$port" -g 0 -r "$R" -d "$CERTS" -H localhost \
	    "${YURT_WARGS[@]}" </dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "0.00$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ls -A "$CERTS" | grep -q tmp && left=$((left + 1))
	if [ "$(id -u)" = 0 ]; then
		find "$CERTS" -mindepth 1 ! -user root | grep -q . && owner=$((owner + 1))
	fi
	if [ -n "$before" ] && [ "$(sha256sum <"$CERTS/localhost.key" 2>/dev/null)" != "$before" ]; then
		replaced=$((replaced + 1))
	fi
done
is "$left" 0 "kill -9 during generation, $rounds rounds: no temporary file left"
is "$owner" 0 "... no file with another owner than root"
is "$replaced" 0 "... an existing key never replaced"
ok 'yurt_start' "starts after the kills"
is "$(key_spki "$CERTS/localhost.key")" "$(spki_fp "$CERTS/localhost.crt")" \
    "certificate and key are a pair"
ok 'yurt_stop' "stops"

}

test_reload_root_key() {
local CERTS
# --- reload with a root-only key ----------------------------------------------
if [ "$(id -u)" = 0 ]; then
	CERTS="$T/c1"
	ok 'yurt_start' "starts as root"
	fp=$(served_fp localhost)
	kill -HUP "$YURT_PID"
	wait_log() { for _ in $(seq 1 50); do grep -aq "$1" "$YURT_LOG" && return 0; sleep 0.1; done; return 1; }
	ok 'wait_log "^.*reloaded"' "a reload works with the key only root can read (the key in memory)"
	is "$(served_fp localhost)" "$fp" "... the same certificate is served"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/n.key" -out "$T/n.crt" -subj /CN=localhost -days 3650 >/dev/null 2>&1
	chmod 600 "$T/n.key"
	cat "$T/n.key" >"$CERTS/localhost.key"
	cat "$T/n.crt" >"$CERTS/localhost.crt"
	kill -HUP "$YURT_PID"
	ok 'wait_log "reload failed: .*localhost.key: not readable by uid .*restart"' \
	    "a new root-only key: the reload fails and says a restart is needed"
	is "$(served_fp localhost)" "$fp" "... the old certificate is still served"
	ok 'yurt_stop' "stops"
fi

}

test_unwritable() {
local CERTS
# --- an unwritable certificate directory ------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/ro"
	chmod 755 "$T/ro"
	out=$(timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$YURT" -a 127.0.0.1 -p "$(free_port)" -g 0 -r "$R" -d "$T/ro" \
	    -H localhost 2>&1); rc=$?
	isnt "$rc" 0 "an unwritable certificate directory stops yurt"
	like "$out" "$T/ro: not writable by user nobody" "the message names the directory and the user"
	like "$out" "chown nobody $T/ro" "... and the fix"
	unlike "$out" 'tmp[0-9]' "... not a temporary file"
else
	diag "not root or no setpriv: the unwritable directory is not tested"
fi

}

run_tests
