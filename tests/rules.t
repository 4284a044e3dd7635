#!/bin/bash
# Black-box tests of the per-path rules (SPEC §4b): redirect,
# redirect-temporary, gone, lang, type, listing and client-certificates,
# over Gemini and Gopher, with real client certificates made here by
# openssl (faketime for the expired and the not yet valid ones); Unicode
# and punycode host names; yurt -n; a bad rule; SIGHUP.
. "$(dirname "$0")/lib.sh"

ok 'command -v openssl >/dev/null && command -v faketime >/dev/null && command -v curl >/dev/null' \
    "openssl, faketime and curl are installed"

# --- fixtures ------------------------------------------------------------

R="$T/root"
mkdir -p "$R/private" "$R/new" "$R/manual/a" "$R/ru" "$R/data" "$R/nolist" \
    "$R/dup" "$R/idn"
printf '# Home\nHOME-MARKER\n=> data/x.dat Data\n=> data/y.bin Binary\n' >"$R/index.gmi"
printf '# Secret\nSECRET-MARKER\n' >"$R/private/secret.gmi"
printf '# New\nNEW-PAGE-MARKER\n' >"$R/new/page.gmi"
printf '# Café\nCAFE-MARKER\n' >"$R/new/café.gmi"
printf '# B\nMANUAL-B-MARKER\n' >"$R/manual/a/b.gmi"
printf '# Ru\nRU-MARKER\n' >"$R/ru/index.gmi"
printf 'DATA-MARKER\n' >"$R/data/x.dat"
printf '\177ELF\002\001\001\000\000\000' >"$R/data/y.bin"
printf 'nolist\n' >"$R/nolist/file.txt"
printf '# A\nDUP-A\n' >"$R/dup/a.gmi"
printf '# IDN\nIDN-MARKER\n' >"$R/idn/page.gmi"

# client certificates: key and certificate in PEM, as a reader's client makes
C="$T/clients"
mkdir -p "$C"
mkcert() {	# NAME [FAKETIME-OFFSET DAYS]
	${2:+faketime -f "$2"} openssl req -x509 -newkey ec \
	    -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$C/$1.key" \
	    -out "$C/$1.crt" -days "${3:-30}" -subj "/CN=$1" 2>/dev/null
}
mkcert listed
mkcert stranger
mkcert expired -10d 1
mkcert future +10d 30
ok '[ -s "$C/listed.crt" ] && [ -s "$C/expired.crt" ] && [ -s "$C/future.crt" ]' \
    "client certificates made"
ok '! openssl x509 -checkend 0 -noout -in "$C/expired.crt" >/dev/null' \
    "the expired certificate has expired"
ok 'openssl x509 -noout -startdate -in "$C/future.crt" | grep -q "$(date -u -d "+10 days" +"%b %e")"' \
    "the future certificate starts in ten days"

# the fingerprint file: listed as openssl prints it, the expired and the
# future ones too (so only their dates can refuse them), a comment
FP="$T/conf/readers.sha256"
mkdir -p "$T/conf"
{
	echo "# readers allowed into /private"
	openssl x509 -noout -fingerprint -sha256 -in "$C/listed.crt"
	cert_fp "$C/expired.crt"
	openssl x509 -noout -fingerprint -sha256 -in "$C/future.crt" |
	    sed 's/.*=//' | tr 'A-F' 'a-f'
} >"$FP"

CONF="$T/conf/yurt.conf"
cat >"$CONF" <<CONFEOF
client-certificates /private/** $FP
redirect /private/moved /elsewhere
redirect /old/* /new/*
redirect /docs/** /manual/*
redirect-temporary /soon/** gemini://example.org/later
gone /withdrawn.gmi Withdrawn at the author's request
gone /gone/**
gone /dup/a.gmi First gone
redirect /dup/b.gmi /new/page.gmi
gone /dup/* Second gone
lang /ru/** ru
lang /ru/** de
type /data/*.dat text/plain
listing /nolist/** off
gone bücher.example/idn/** Only on the IDN host
CONFEOF

G() { header "gemini://localhost/$1"; }
GC() {	# CERT PATH
	req -c "$C/$1.crt" -k "$C/$1.key" -h "gemini://localhost/$2" 2>/dev/null |
	    tr -d '\r\n'
}

test_bad_rules() {
# --- yurt -n and bad rules -----------------------------------------------

out=$("$YURT" -n -c "$CONF" -r "$R" -d "$T/certs" 2>&1)
like "$out" "client-certificates /private/\\*\\* $FP" "yurt -n prints the certificate rule"
like "$out" "redirect /old/\\* /new/\\*" "yurt -n prints a redirect"
like "$out" "gone xn--bcher-kva.example/idn/\\*\\* Only on the IDN host" \
    "yurt -n prints a host rule, the host in its ASCII form"
like "$out" "listing /nolist/\\*\\* off" "yurt -n prints a listing rule"

bad() {	# LINE EXPECTED-RE WHAT
	printf 'port 1965\n%s\n' "$1" >"$T/bad.conf"
	out=$("$YURT" -n -c "$T/bad.conf" -r "$R" -d "$T/certs" 2>&1)
	st=$?
	ok '[ $st -ne 0 ] && [ $(printf "%s\n" "$out" | wc -l) -eq 1 ]' \
	    "$3: one line, exit status non-zero"
	like "$out" "^yurt: $T/bad.conf:2: $2" "$3: file:line: problem"
}
bad 'redirect /old/*' 'redirect needs a pattern' "redirect without a target"
bad 'redirect old /new' 'redirect: pattern "old" has no path' "a pattern without a path"
bad 'redirect /a /b/*' 'redirect: the target ends with \* but the pattern does not' "a star from nowhere"
bad 'lang /x/** ru en' 'lang: one value' "two languages"
bad 'type /x text' 'type: bad value "text"' "a type without a subtype"
bad 'listing /x maybe' 'listing: bad value "maybe": listing is on or off' "listing neither on nor off"
bad 'redirect /x ftp:/y' 'redirect: bad value "ftp:/y": a target is a path' "a target that is no URL"
bad $'gone /x bad\001message' 'gone: bad value "bad.message": a message is text' "a message with a control character"
printf 'client-certificates /p/** %s\n' "$T/conf/nope" >"$T/bad.conf"
out=$("$YURT" -n -c "$T/bad.conf" -r "$R" -d "$T/certs" 2>&1)
like "$out" "^yurt: $T/conf/nope: No such file" "a missing fingerprint file is named"
printf 'AB:CD\n' >"$T/conf/short"
printf 'client-certificates /p/** %s\n' "$T/conf/short" >"$T/bad.conf"
out=$("$YURT" -n -c "$T/bad.conf" -r "$R" -d "$T/certs" 2>&1)
like "$out" "^yurt: $T/conf/short:1: not a SHA-256 fingerprint" \
    "a bad fingerprint: file:line: problem"

}

test_gemini() {
# --- Gemini ----------------------------------------------------------------

yurt_start -c "$CONF" -l en -H bücher.example -H xn--mnchen-3ya.example ||
    return 1

is "$(G private/secret.gmi)" "60 This area needs a client certificate" \
    "no certificate: 60"
is "$(G private)" "60 This area needs a client certificate" \
    "the area's directory without its slash: 60 too"
is "$(GC stranger private/secret.gmi)" "61 Certificate not authorised here" \
    "a certificate not listed: 61"
is "$(GC expired private/secret.gmi)" "62 Certificate expired or not yet valid" \
    "an expired certificate, listed: 62"
is "$(GC future private/secret.gmi)" "62 Certificate expired or not yet valid" \
    "a certificate not yet valid, listed: 62"
is "$(GC listed private/secret.gmi)" "20 text/gemini; lang=en" \
    "the listed certificate: 20"
like "$(req -c "$C/listed.crt" -k "$C/listed.key" -B gemini://localhost/private/secret.gmi)" \
    SECRET-MARKER "the listed certificate gets the page"
like "$(req -x 1.2 -c "$C/listed.crt" -k "$C/listed.key" -B gemini://localhost/private/secret.gmi)" \
    SECRET-MARKER "the listed certificate over TLS 1.2"
is "$(req -x 1.2 -h gemini://localhost/private/secret.gmi | tr -d '\r\n')" \
    "60 This area needs a client certificate" "no certificate over TLS 1.2: 60"
is "$(G private/moved)" "60 This area needs a client certificate" \
    "client-certificates comes before a redirect"
is "$(req -x 1.3 -h gemini://localhost/ | tr -d '\r\n')" "20 text/gemini; lang=en" \
    "a client without a certificate elsewhere, TLS 1.3: 20"
is "$(req -x 1.2 -h gemini://localhost/ | tr -d '\r\n')" "20 text/gemini; lang=en" \
    "a client without a certificate elsewhere, TLS 1.2: 20"
like "$(printf 'gemini://localhost/\r\n' | openssl s_client -quiet -connect "127.0.0.1:$YURT_PORT" -servername localhost 2>/dev/null)" \
    HOME-MARKER "openssl s_client without a certificate is served"

is "$(G old/page.gmi)" "31 /new/page.gmi" "redirect: 31, the rest carried over"
is "$(G old/café.gmi)" "31 /new/caf%C3%A9.gmi" "the rest is percent-encoded"
is "$(G old/a/b)" "51 Not found" "'*' does not cross a slash"
is "$(G docs/a/b.gmi)" "31 /manual/a/b.gmi" "'**' carries several segments"
is "$(G soon/x/y)" "30 gemini://example.org/later" \
    "redirect-temporary: 30 to an absolute URL"
is "$(G withdrawn.gmi)" "52 Withdrawn at the author's request" "gone: 52 and its message"
is "$(G gone/any/thing)" "52 Gone" "gone without a message"
is "$(G dup/a.gmi)" "52 First gone" "the first matching rule wins"
is "$(G dup/b.gmi)" "31 /new/page.gmi" "a redirect before a gone wins"
is "$(G dup/c.gmi)" "52 Second gone" "a later rule where the first does not match"
is "$(G ru/)" "20 text/gemini; lang=ru" "lang: the first rule's language"
is "$(G new/page.gmi)" "20 text/gemini; lang=en" "elsewhere the default language"
is "$(G data/x.dat)" "20 text/plain" "type overrides the detected type"
isnt "$(G data/y.bin)" "20 text/plain" "type only where it matches"
is "$(G nolist/)" "51 Not found" "listing off: no listing"
like "$(G manual/a/)" "^20 text/gemini" "listings elsewhere"

# international host names
is "$(gg -s xn--bcher-kva.example -t 10 -h 127.0.0.1 "$YURT_PORT" 'gemini://bücher.example/' | tr -d '\r\n')" \
    "20 text/gemini; lang=en" "a Unicode host configured in Unicode, asked in Unicode"
is "$(gg -s xn--bcher-kva.example -t 10 -h 127.0.0.1 "$YURT_PORT" 'gemini://xn--bcher-kva.example/' | tr -d '\r\n')" \
    "20 text/gemini; lang=en" "... asked in punycode"
is "$(gg -s xn--mnchen-3ya.example -t 10 -h 127.0.0.1 "$YURT_PORT" 'gemini://münchen.example/' | tr -d '\r\n')" \
    "20 text/gemini; lang=en" "a host configured in punycode, asked in Unicode"
is "$(gg -s xn--bcher-kva.example -t 10 -h 127.0.0.1 "$YURT_PORT" 'gemini://bücher.example/idn/page.gmi' | tr -d '\r\n')" \
    "52 Only on the IDN host" "a rule for one host applies there"
is "$(G idn/page.gmi)" "20 text/gemini; lang=en" "... and not on another"
is "$(gg -s localhost -t 10 -h 127.0.0.1 "$YURT_PORT" 'gemini://bücher.example/' | tr -d '\r\n')" \
    "53 Proxy request refused" "a Unicode host with another host's SNI: 53"

}

test_gopher() {
yurt_need -c "$CONF" -l en -H bücher.example -H xn--mnchen-3ya.example
# --- Gopher ----------------------------------------------------------------

out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/0/private/secret.gmi")
like "$out" "^3This area needs a client certificate" "Gopher: a certificate area is a type-3 line"
unlike "$out" SECRET-MARKER "Gopher: ... and never served"
out=$(curl -sk --max-time 10 "gophers://127.0.0.1:$YURT_GOPHER_PORT/1/private/secret.gmi")
like "$out" "^3This area needs a client certificate" "gophers: a type-3 line too"
unlike "$out" SECRET-MARKER "gophers: ... and never served"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/private/")
unlike "$out" SECRET-MARKER "Gopher: not the area's listing either"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/old/page.gmi")
like "$out" NEW-PAGE-MARKER "Gopher: a redirect to a path here is followed"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/docs/a/b.gmi")
like "$out" MANUAL-B-MARKER "Gopher: ... with the rest carried over"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/soon/x")
like "$out" "^3Moved to gemini://example.org/later	" \
    "Gopher: a redirect elsewhere is a type-3 line naming it"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/0/withdrawn.gmi")
like "$out" "^3Withdrawn at the author's request	" "Gopher: gone is a type-3 line with its message"
ok 'printf "%s\n" "$out" | tail -n 1 | grep -q "^\.$(printf "\r")\$"' "Gopher: ... ended with ."
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/")
like "$out" "(^|"$'\n'")0Data	/data/x.dat	" "Gopher: a type rule makes the item type"
like "$out" "(^|"$'\n'")9Binary	/data/y.bin	" "Gopher: ... only where it matches"
out=$(curl -s --max-time 10 "gopher://127.0.0.1:$YURT_GOPHER_PORT/1/nolist/")
like "$out" "^3" "Gopher: listing off"

}

test_sighup() {
yurt_need -c "$CONF" -l en -H bücher.example -H xn--mnchen-3ya.example
# --- SIGHUP: rules and fingerprint files again ---------------------------

cert_fp "$C/stranger.crt" >>"$FP"
echo 'gone /new/page.gmi Gone after the reload' >>"$CONF"
kill -HUP "$YURT_PID"
for i in $(seq 1 50); do
	grep -q 'reloaded' "$YURT_LOG" && break
	sleep 0.1
done
is "$(GC stranger private/secret.gmi)" "20 text/gemini; lang=en" \
    "SIGHUP re-reads the fingerprint file"
is "$(G new/page.gmi)" "52 Gone after the reload" "SIGHUP re-reads the rules"
printf 'not a fingerprint\n' >>"$FP"
kill -HUP "$YURT_PID"
for i in $(seq 1 50); do
	grep -q 'reload failed' "$YURT_LOG" && break
	sleep 0.1
done
like "$(cat "$YURT_LOG")" "reload failed: $FP:[0-9]*: not a SHA-256" \
    "a bad fingerprint file on reload is named, file and line"
is "$(GC stranger private/secret.gmi)" "20 text/gemini; lang=en" \
    "... and the old rules stay"

ok 'yurt_stop' "yurt stops cleanly"
}

run_tests
