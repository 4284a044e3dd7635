#!/bin/bash
# Soak: 16 clients for 20 s while SIGHUP arrives every half second and
# the page and the certificate are replaced (each by rename, as
# deployment tools do): not one request may fail.
. "$(dirname "$0")/lib.sh"

R="$T/root"
mkdir -p "$R" "$T/certs"
printf '# Soak\nPAGE-A\n' >"$R/index.gmi"
CERTS="$T/certs"
# two certificates to swap between
for n in a b; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	    -days 30 -keyout "$T/$n.key" -out "$T/$n.crt" 2>/dev/null
done
cp "$T/a.crt" "$CERTS/localhost.crt"
cp "$T/a.key" "$CERTS/localhost.key"
chmod 600 "$CERTS/localhost.key"

test_soak() {
ok 'yurt_start -R 0' "soak: server starts"
# the suite's servers run what operators run: yurt's default, one worker
# a core (at least two), unless YURT_WORKERS chose
like "$(grep -a ' serving ' "$YURT_LOG")" " with $YURT_WORKERS workers\$" \
    "soak: ... with $YURT_WORKERS workers (one a core, at least two)"
end=$(($(now_ms) + 20000))
pids=""
for c in $(seq 1 16); do
	(
		n=0 bad=0
		while [ "$(now_ms)" -lt "$end" ]; do
			out=$(req -t 10 gemini://localhost/ 2>/dev/null)
			rc=$?
			n=$((n + 1))
			[ "$rc" -eq 0 ] && [[ $out == "20 text/gemini"*PAGE-* ]] ||
			    bad=$((bad + 1))
		done
		echo "$n $bad" >"$T/client.$c"
	) &
	pids="$pids $!"
done
hups=0 v=a
# a reload on each half-second tick of the clock, however long the swap
# takes on a loaded machine
next=$(now_ms)
while [ "$(now_ms)" -lt "$end" ]; do
	while [ "$(now_ms)" -lt "$next" ]; do sleep 0.05; done
	next=$((next + 500))
	v=$([ "$v" = a ] && echo b || echo a)
	printf '# Soak\nPAGE-%s\n' "$v" >"$R/.index.new"
	mv "$R/.index.new" "$R/index.gmi"
	install -m 600 "$T/$v.key" "$CERTS/.key.new"
	install -m 644 "$T/$v.crt" "$CERTS/.crt.new"
	mv "$CERTS/.key.new" "$CERTS/localhost.key"
	mv "$CERTS/.crt.new" "$CERTS/localhost.crt"
	kill -HUP "$YURT_PID" && hups=$((hups + 1))
done
# shellcheck disable=SC2086
wait $pids
total=0 failed=0
for c in $(seq 1 16); do
	read -r n b <"$T/client.$c" || { n=0 b=1; }
	total=$((total + n)) failed=$((failed + b))
done
diag "soak: $total requests, $failed failed, $hups reloads"
ok '[ "$hups" -ge 20 ]' "soak: SIGHUP about every half second ($hups in 20 s)"
ok '[ "$total" -ge 160 ]' "soak: the clients made requests all along ($total)"
is "$failed" 0 "soak: no request failed"
ok 'yurt_alive' "soak: the server is alive"
ok 'yurt_stop' "soak: the server stops cleanly"

}

run_tests
