#!/bin/bash
# Black-box tests of running yurt (SPEC §4): socket activation through
# systemd-socket-activate, sd_notify messages caught by
# build/tests/notify-listen, SIGHUP reloads (failed ones included, and
# under load), the SIGTERM drain, configuration errors, the privilege
# drop, the units (systemd-analyze security and verify), the man pages and
# make install / uninstall.  Loopback only; every server is stopped here.
. "$(dirname "$0")/lib.sh"

NL="$BUILD/tests/notify-listen"
LF=$'\n'
ROOT="$T/root"
CERTS="$T/certs"
mkdir -p "$ROOT" "$CERTS"
printf '# Test capsule\nINDEX-MARKER\n=> page.gmi A page\n' >"$ROOT/index.gmi"
printf '# Page\nPAGE-MARKER\n' >"$ROOT/page.gmi"
seq 1 12000 | sed "s/$/ a line of a mid-sized page/" >"$ROOT/mid.txt"
head -c 30000000 /dev/urandom >"$ROOT/big.bin"
BIGSUM=$(sha256sum <"$ROOT/big.bin" | cut -d' ' -f1)

skip() {
	echo "# skipped: $*"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# Background helpers started here (listeners, clients, load loops): all
# stopped on exit, by their own process ids.
EXTRA_PIDS=""
extra_cleanup() {
	local p
	for p in $EXTRA_PIDS; do
		pkill -P "$p" 2>/dev/null	# a loop's client in flight
		kill "$p" 2>/dev/null
	done
	lib_cleanup
}
trap extra_cleanup EXIT

# Wait (at most SECONDS) for a command to succeed.
wait_until() {
	local secs=$1 i
	shift
	for i in $(seq 1 $((secs * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

log_has() {
	grep -aqE "$1" "$YURT_LOG"
}

# --- a stand-in for systemd's notification socket --------------------------

NOTIFY_N=0
NSOCK=""
NOUT=""
NL_PID=""

notify_start() {
	NOTIFY_N=$((NOTIFY_N + 1))
	NSOCK="$T/notify.$NOTIFY_N"
	NOUT="$T/notify.$NOTIFY_N.out"
	"$NL" "$NSOCK" 90 >"$NOUT" 2>&1 &
	NL_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $NL_PID"
	wait_until 5 test -S "$NSOCK"
}

notify_stop() {
	kill "$NL_PID" 2>/dev/null
	wait "$NL_PID" 2>/dev/null
}

# The datagrams received so far, one a line, their newlines shown as '|'.
datagrams() {
	awk '/^--$/ { print d; d = ""; next }
	    { d = d (d == "" ? "" : "|") $0 }' "$NOUT"
}

# A datagram holding the assignment ERE (e.g. READY=1).
dg_re() {
	echo "(^|\\|)$1(\\||\$)"
}

dg_count() {
	datagrams | grep -cE "$(dg_re "$1")"
}

dg_count_ge() {
	[ "$(dg_count "$1")" -ge "$2" ]
}

# wait_dg ASSIGNMENT N SECONDS — until N datagrams hold it.
wait_dg() {
	wait_until "$3" dg_count_ge "$1" "$2"
}

test_socket_activation() {
# ===========================================================================
# Socket activation
# ===========================================================================

# sa_start [systemd-socket-activate options] -- [yurt options]: yurt
# started by systemd-socket-activate (which execs it, same pid, on the
# first connection), serving $ROOT.  YURT_PORT must be the Gemini port.
sa_start() {
	local sargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		sargs+=("$1")
		shift
	done
	shift
	YURT_STARTS=$((YURT_STARTS + 1))
	YURT_LOG="$T/yurt.$YURT_STARTS.log"
	systemd-socket-activate "${sargs[@]}" "$YURT" -r "$ROOT" -d "$CERTS" \
	    -H localhost "${YURT_WARGS[@]}" "$@" </dev/null >/dev/null 2>"$YURT_LOG" &
	YURT_PID=$!
	wait_until 5 port_listening "$YURT_PORT" && return 0
	diag "systemd-socket-activate does not listen on $YURT_PORT" \
	    "$(tail -n 5 "$YURT_LOG")"
	return 1
}

gopher_menu_ok() {
	# a menu: item lines with tabs, the last line a lone "."
	printf '%s' "$1" | grep -q "$(printf '\t')" &&
	    [ "$(printf '%s' "$1" | tr -d '\r' | tail -n 1)" = "." ]
}

HAVE_GOPHER=0
"$YURT" --help 2>&1 | grep -qi gopher && HAVE_GOPHER=1

if ! have systemd-socket-activate; then
	skip "socket activation: no systemd-socket-activate"
else
	YURT_PORT=$(free_port)
	OTHER=$(free_port)
	while [ "$OTHER" = "$YURT_PORT" ]; do OTHER=$(free_port); done
	OTHERG=$(free_port)
	if sa_start -l "127.0.0.1:$YURT_PORT" --fdname=gemini -- \
	    -a 127.0.0.1 -p "$OTHER" -g "$OTHERG"; then
		like "$(header gemini://localhost/)" '^20 text/gemini' \
		    "socket-activated: a Gemini request gets 20"
		like "$(req -B gemini://localhost/page.gmi 2>/dev/null)" \
		    'PAGE-MARKER' "socket-activated: the body is served"
		ok 'log_has "from systemd"' \
		    "the log says the socket came from systemd"
		ok '! port_listening "$OTHER" && ! port_listening "$OTHERG"' \
		    "socket-activated yurt binds neither -p $OTHER nor -g $OTHERG itself"
		ok 'yurt_stop' "socket-activated yurt stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt"
		yurt_stop >/dev/null 2>&1
	fi

	# Both sockets at once, named as yurt-gemini.socket and
	# yurt-gopher.socket name them.
	YURT_PORT=$(free_port)
	GPORT=$(free_port)
	while [ "$GPORT" = "$YURT_PORT" ]; do GPORT=$(free_port); done
	OTHER=$(free_port)
	OTHERG=$(free_port)
	if sa_start -l "127.0.0.1:$YURT_PORT" -l "127.0.0.1:$GPORT" \
	    --fdname=gemini:gopher -- -a 127.0.0.1 -p "$OTHER" -g "$OTHERG"; then
		like "$(header gemini://localhost/)" '^20 text/gemini' \
		    "gemini+gopher sockets: a Gemini request gets 20"
		if [ "$HAVE_GOPHER" = 0 ]; then
			skip "no gopher yet (yurt --help does not mention it)"
		elif ! have curl; then
			skip "gopher: no curl"
		else
			out=$(curl -s -m 10 "gopher://127.0.0.1:$GPORT/")
			ok 'gopher_menu_ok "$out"' \
			    "gemini+gopher sockets: the Gopher socket serves a menu ending in ."
			[ $? = 0 ] || diag "got: $(tap_show "$out")"
			unlike "$(cat "$YURT_LOG")" 'named "gopher" from systemd: not used' \
			    "the gopher socket is used, not set aside"
		fi
		ok '! port_listening "$OTHER" && ! port_listening "$OTHERG"' \
		    "socket-activated yurt (two sockets) binds nothing itself"
		ok 'yurt_stop' "socket-activated yurt (two sockets) stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt with two sockets"
		yurt_stop >/dev/null 2>&1
	fi

	if [ "$HAVE_GOPHER" = 1 ] && have curl; then
		YURT_PORT=$(free_port)
		GPORT=$YURT_PORT
		# only a gopher socket: the request that triggers the exec
		OTHER=$(free_port)
		OTHERG=$(free_port)
		if sa_start -l "127.0.0.1:$GPORT" --fdname=gopher -- \
		    -a 127.0.0.1 -p "$OTHER" -g "$OTHERG"; then
			out=$(curl -s -m 10 "gopher://127.0.0.1:$GPORT/")
			ok 'gopher_menu_ok "$out"' \
			    "a lone gopher socket serves a menu ending in ."
			[ $? = 0 ] || diag "got: $(tap_show "$out")"
			ok '! port_listening "$OTHER" && ! port_listening "$OTHERG"' \
			    "socket-activated yurt (gopher socket only) binds nothing itself"
			ok 'yurt_stop' "gopher-only yurt stops with status 0"
		else
			ok false "systemd-socket-activate starts yurt with a gopher socket"
			yurt_stop >/dev/null 2>&1
		fi
	fi
fi

# The ports come from the sockets (ListenStream= may say anything): menus,
# caps.txt and the URLs accepted carry them, with no -p or -g given.
if have curl && have systemd-socket-activate; then
	YURT_PORT=$(free_port)
	GPORT=$(free_port)
	while [ "$GPORT" = "$YURT_PORT" ]; do GPORT=$(free_port); done
	if sa_start -l "127.0.0.1:$YURT_PORT" -l "127.0.0.1:$GPORT" \
	    --fdname=gemini:gopher --; then
		like "$(header "gemini://localhost:$YURT_PORT/")" '^20 text/gemini' \
		    "socket ports: gemini://localhost:$YURT_PORT/ (the socket's port) gets 20"
		like "$(header "gemini://localhost:1965/")" '^53 ' \
		    "... and gemini://localhost:1965/, a port not served, 53"
		curl -s -m 10 "gopher://127.0.0.1:$GPORT/" >"$T/sa-menu"
		is "$(menu_problems "$T/sa-menu" localhost "$GPORT")" "" \
		    "socket ports: the Gopher menu's items carry the socket's port $GPORT"
		caps=$(curl -s -m 10 "gopher://127.0.0.1:$GPORT/0caps.txt" | tr -d '\r')
		like "$caps" "(^|${LF})ServerTLSPort=$GPORT(${LF}|\$)" \
		    "socket ports: caps.txt names the socket's port"
		kill -HUP "$YURT_PID"
		ok 'wait_until 5 log_has "^reloaded"' \
		    "socket ports: a reload succeeds (the ports have not changed)"
		like "$(header "gemini://localhost:$YURT_PORT/")" '^20 text/gemini' \
		    "... and the socket's port still gets 20 after it"
		ok 'yurt_stop' "socket ports: yurt stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt (socket ports)"
		yurt_stop >/dev/null 2>&1
	fi

	# With no address set (the sockets are systemd's), a reload that
	# names another log file still fails: it changes only on restart.
	mkdir -p "$T/rlogs"
	[ "$(id -u)" = 0 ] && chown nobody "$T/rlogs"
	printf 'root %s\nlog-file %s\n' "$ROOT" "$T/rlogs/a.log" >"$T/rlog.conf"
	YURT_PORT=$(free_port)
	if sa_start -l "127.0.0.1:$YURT_PORT" --fdname=gemini -- -c "$T/rlog.conf"; then
		like "$(header "gemini://localhost:$YURT_PORT/")" '^20 ' \
		    "log file, no address: served, logging to a.log"
		printf 'root %s\nlog-file %s\n' "$ROOT" "$T/rlogs/b.log" >"$T/rlog.conf"
		kill -HUP "$YURT_PID"
		ok 'wait_until 5 grep -q "reload failed.*log file" "$T/rlogs/a.log"' \
		    "... a reload naming another log file fails, and says the log file changes only on restart"
		ok '[ ! -e "$T/rlogs/b.log" ] && ! grep -q "^reloaded" "$T/rlogs/a.log"' \
		    "... and nothing was reloaded"
		ok 'yurt_stop' "log file, no address: yurt stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt (log file, no address)"
		yurt_stop >/dev/null 2>&1
	fi

	# A port mapping: public 1965 (say) to the socket's port.
	YURT_PORT=$(free_port)
	PUB=$(free_port)
	if sa_start -l "127.0.0.1:$YURT_PORT" --fdname=gemini -- -E "$PUB"; then
		like "$(header "gemini://localhost:$PUB/")" '^20 text/gemini' \
		    "-E $PUB (public Gemini port): a URL with port $PUB gets 20"
		like "$(header "gemini://localhost:$YURT_PORT/")" '^20 text/gemini' \
		    "... and one with the socket's own port too"
		like "$(header "gemini://localhost:$((PUB + 1))/")" '^53 ' \
		    "... and another port 53"
		ok 'log_has "no Gopher socket from systemd: Gopher is off"' \
		    "a Gemini socket alone: the log says Gopher is off"
		ok 'yurt_stop' "-E: yurt stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt (-E)"
		yurt_stop >/dev/null 2>&1
	fi

	GPORT=$(free_port)
	YURT_PORT=$GPORT
	if sa_start -l "127.0.0.1:$GPORT" --fdname=gopher --; then
		curl -s -m 10 "gopher://127.0.0.1:$GPORT/" >"$T/sa-menu"
		is "$(menu_problems "$T/sa-menu" localhost "$GPORT")" "" \
		    "a Gopher socket alone: the menu carries its port $GPORT"
		ok 'log_has "no Gemini socket from systemd: Gemini is off"' \
		    "... and the log says Gemini is off"
		ok 'yurt_stop' "gopher socket alone: yurt stops with status 0"
	else
		ok false "systemd-socket-activate starts yurt (a Gopher socket alone)"
		yurt_stop >/dev/null 2>&1
	fi
else
	skip "socket ports: no curl or systemd-socket-activate"
fi

}

test_notify_reload() {
# ===========================================================================
# Notifications, privilege drop, reloads (good, failed, by rename)
# ===========================================================================

CONF="$T/reload.conf"
printf '# reload test\nmax-connections 100\n' >"$CONF"

if ! notify_start; then
	ok false "notify-listen binds its socket"
elif ! NOTIFY_SOCKET="$NSOCK" WATCHDOG_USEC=400000 yurt_start -c "$CONF"; then
	ok false "yurt starts with NOTIFY_SOCKET and WATCHDOG_USEC set"
else
	ok 'wait_dg READY=1 1 5' "READY=1 is sent at start-up"
	like "$(datagrams | grep -E "$(dg_re READY=1)" | head -n 1)" \
	    '(^|\|)STATUS=[^|]+' "... with a STATUS= line in the same datagram"
	ok 'wait_dg WATCHDOG=1 1 2' \
	    "WATCHDOG=1 arrives within 2 s (WATCHDOG_USEC=400000)"
	sleep 2
	n=$(dg_count WATCHDOG=1)
	ok '[ "$n" -ge 4 ]' \
	    "the watchdog keeps being pinged (at least 4 in 2 s; got $n)"

	# --- a wedged worker stops the pings -----------------------------------
	# One worker thread is stopped alone (ptrace), the others and the main
	# thread run on: systemd must hear nothing until it runs again.
	tids=""
	for task in /proc/"$YURT_PID"/task/*; do
		tid=${task##*/}
		[ "$tid" = "$YURT_PID" ] && continue
		[ "$(cat "$task/comm" 2>/dev/null)" = yurt-worker ] &&
		    tids="$tids $tid"
	done
	# threads not named (an older yurt): any but the main one
	[ -n "$tids" ] || tids=$(ls /proc/"$YURT_PID"/task | grep -vx "$YURT_PID")
	tid=$(echo $tids | cut -d' ' -f1)
	ok '[ -n "$tid" ]' "a worker thread is found (tid $tid)"
	"$BUILD/tests/stall" "$tid" 2000 2>"$T/stall.err" &
	stall_pid=$!
	wait_until 3 grep -q stopped "$T/stall.err"
	w0=$(dg_count WATCHDOG=1)
	sleep 1.5
	w1=$(dg_count WATCHDOG=1)
	ok '[ $((w1 - w0)) -le 1 ]' \
	    "a wedged worker: no WATCHDOG=1 while it is stopped ($((w1 - w0)) in 1.5 s; $(tr '\n' ' ' <"$T/stall.err"))"
	wait "$stall_pid"
	ok 'wait_dg WATCHDOG=1 $((w1 + 2)) 3' \
	    "... and the pings come back once it runs again"
	is "$(header gemini://localhost/)" "20 text/gemini" \
	    "... and requests are served"

	# --- privilege drop --------------------------------------------------
	if [ "$(id -u)" != 0 ]; then
		skip "privilege drop: not root"
	else
		st="/proc/$YURT_PID/status"
		uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
		gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
		groups=$(awk '/^Groups:/ { $1 = ""; print }' "$st")
		unlike " $uids " ' 0 ' \
		    "started as root, yurt runs with no uid 0 (Uid: $uids)"
		unlike " $gids $groups " ' 0 ' \
		    "... and no gid 0, primary or supplementary (Gid: $gids; Groups:$groups)"
		like "$(awk '/^CapEff:/ { print $2 }' "$st")" '^0+$' \
		    "... and no effective capability"
		ok 'log_has "running as user [A-Za-z0-9_.-]+ \(uid [1-9][0-9]*\)"' \
		    "the log names the user it runs as"
		ok 'log_has "Landlock ABI [0-9]+|no Landlock"' \
		    "the log says whether Landlock is active"
		if log_has "Landlock ABI [0-9]+"; then
			like "$(grep '^NoNewPrivs:' "$st")" 'NoNewPrivs:[[:space:]]+1' \
			    "Landlock active: NoNewPrivs is set"
		else
			skip "NoNewPrivs: the log says Landlock is not active"
		fi
	fi

	# --- a good reload ------------------------------------------------------
	kill -HUP "$YURT_PID"
	ok 'wait_dg RELOADING=1 1 5' "SIGHUP: RELOADING=1 is sent"
	like "$(datagrams | grep -E "$(dg_re RELOADING=1)" | head -n 1)" \
	    '(^|\|)MONOTONIC_USEC=[0-9]+(\||$)' \
	    "... with MONOTONIC_USEC=<digits> in the same datagram"
	ok 'wait_dg READY=1 2 5' "... then READY=1 again"
	r=$(datagrams | grep -nE "$(dg_re RELOADING=1)" | head -n 1 | cut -d: -f1)
	y=$(datagrams | grep -nE "$(dg_re READY=1)" | sed -n 2p | cut -d: -f1)
	ok '[ -n "$r" ] && [ -n "$y" ] && [ "$y" -gt "$r" ]' \
	    "... READY=1 comes after RELOADING=1"
	ok 'wait_until 3 log_has "^reloaded"' "the log says it reloaded"
	is "$(header gemini://localhost/)" "20 text/gemini" \
	    "after a reload requests get 20"

	# --- a failed reload keeps the running configuration -----------------
	printf '# reload test\nlang fr\nno-such-setting 1\n' >"$CONF"
	kill -HUP "$YURT_PID"
	ok 'wait_dg READY=1 3 5' "a failed reload still ends with READY=1"
	ok 'wait_until 3 log_has "reload failed"' "the log says the reload failed"
	ok 'log_has "reload\.conf:3:"' "... naming the file and line (reload.conf:3:)"
	is "$(header gemini://localhost/)" "20 text/gemini" \
	    "after a failed reload requests still get 20, with the old settings (no lang=fr)"
	ok 'yurt_alive' "yurt still runs after a failed reload"

	printf '# reload test\nmax-connections 100\nlang en\n' >"$CONF"
	kill -HUP "$YURT_PID"
	ok 'wait_dg READY=1 4 5' "the fixed file is reloaded (READY=1)"
	is "$(header gemini://localhost/)" "20 text/gemini; lang=en" \
	    "after the fixed reload replies carry ; lang=en"

	# Editors and configuration tools write a new file and rename it.
	printf '# reload test\nmax-connections 100\nlang de\n' >"$CONF.new"
	mv "$CONF.new" "$CONF"
	kill -HUP "$YURT_PID"
	ok 'wait_dg READY=1 5 5' "SIGHUP after the file was replaced by rename ends with READY=1"
	is "$(header gemini://localhost/)" "20 text/gemini; lang=de" \
	    "a config file replaced by rename (as editors write it) is read on SIGHUP"
	[ $? = 0 ] || diag "log: $(grep -a -B1 'reload failed' "$YURT_LOG" | tail -n 2)"

	ok 'yurt_stop' "SIGTERM: yurt exits with status 0"
	ok 'wait_dg STOPPING=1 1 3' "SIGTERM: STOPPING=1 is sent"
fi
notify_stop
}

test_failed_start() {

# A start-up that fails never says READY=1, and says why.
if notify_start; then
	NOTIFY_SOCKET="$NSOCK" timeout 10 "$YURT" -a 127.0.0.1 \
	    -p "$(free_port)" -g 0 -r "$T/no-such-root" -d "$CERTS" \
	    -H localhost "${YURT_WARGS[@]}" </dev/null >/dev/null 2>"$T/failstart.err"
	rc=$?
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' \
	    "a start-up with a missing root fails (status $rc)"
	sleep 0.3
	is "$(dg_count READY=1)" 0 "... and sends no READY=1"
	ok 'dg_count_ge "STATUS=failed[^|]*" 1' "... but a STATUS= saying it failed"
	notify_stop
else
	ok false "notify-listen binds its socket"
fi

}

test_sighup_load() {
# ===========================================================================
# SIGHUP under load loses no request
# ===========================================================================

if yurt_start -w 2; then
	rm -f "$T/load.done"
	(
		for i in $(seq 1 400); do
			[ -e "$T/load.done" ] && break
			kill -HUP "$YURT_PID" 2>/dev/null || break
			sleep 0.05
		done
	) &
	HUP_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $HUP_PID"
	lpids=""
	for j in 1 2 3 4; do
		(
			for i in $(seq 1 50); do
				h=$(req -h -t 10 gemini://localhost/mid.txt \
				    2>/dev/null)
				echo "$? $(printf '%s' "$h" | tr -d '\r\n')"
			done >"$T/load.$j"
		) &
		lpids="$lpids $!"
	done
	EXTRA_PIDS="$EXTRA_PIDS $lpids"
	for p in $lpids; do wait "$p"; done
	touch "$T/load.done"
	wait "$HUP_PID"
	n=$(cat "$T/load".[1-4] | grep -c '^0 20 text/plain')
	is "$n" 200 "200 requests during SIGHUPs every 50 ms: all get 20 and a complete reply"
	[ "$n" = 200 ] || diag "$(cat "$T/load".[1-4] | sort | uniq -c | sort -rn | head -n 5)"
	hups=$(grep -ac 'SIGHUP: reloading' "$YURT_LOG")
	ok '[ "$hups" -ge 5 ]' "... while yurt really reloaded ($hups reloads)"
	ok 'yurt_stop' "yurt exits with status 0 after the reloads"
else
	ok false "yurt starts (SIGHUP under load)"
fi

}

test_sigterm_drains() {
# ===========================================================================
# SIGTERM drains
# ===========================================================================

if yurt_start; then
	# The reader pauses 2 s with a small buffer: the reply is in flight.
	# (gg itself, not the req function, so that $! is the client's pid)
	"$GG" -s localhost -B -b 65536 -P 2 -t 30 127.0.0.1 "$YURT_PORT" \
	    gemini://localhost/big.bin >"$T/drain.out" 2>"$T/drain.err" &
	DL_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $DL_PID"
	sleep 1
	t0=$(now_ms)
	kill -TERM "$YURT_PID"
	sleep 0.3
	# a new connection after SIGTERM: refused, or closed without a reply
	"$GG" -s localhost -h -t 8 127.0.0.1 "$YURT_PORT" gemini://localhost/ \
	    >"$T/late.out" 2>/dev/null &
	LATE_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $LATE_PID"
	wait "$DL_PID"
	dl=$?
	for i in $(seq 1 150); do
		kill -0 "$YURT_PID" 2>/dev/null || break
		sleep 0.1
	done
	t1=$(now_ms)
	ok 'yurt_stop' "SIGTERM during a download: yurt exits with status 0"
	elapsed=$((t1 - t0))
	ok '[ "$elapsed" -le 11000 ]' \
	    "... within the drain bound (${elapsed} ms, bound 10 s)"
	is "$dl" 0 "the 30 MB download in flight ends with close_notify"
	is "$(sha256sum <"$T/drain.out" | cut -d' ' -f1)" "$BIGSUM" \
	    "... and arrives intact"
	wait "$LATE_PID"
	late=$?
	ok '[ "$late" != 0 ] && ! grep -q "^20" "$T/late.out"' \
	    "a connection after SIGTERM is refused or closed without a reply (gg status $late)"
else
	ok false "yurt starts (SIGTERM drain)"
fi
}

test_stuck_reader() {

# A reader that never reads cannot hold the shutdown beyond the bound.
if yurt_start; then
	"$GG" -s localhost -B -b 4096 -P 30 -t 40 127.0.0.1 "$YURT_PORT" \
	    gemini://localhost/big.bin >/dev/null 2>&1 &
	STALL_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $STALL_PID"
	sleep 1
	t0=$(now_ms)
	kill -TERM "$YURT_PID"
	for i in $(seq 1 150); do
		kill -0 "$YURT_PID" 2>/dev/null || break
		sleep 0.1
	done
	elapsed=$(($(now_ms) - t0))
	ok '[ "$elapsed" -le 12000 ]' \
	    "a stalled reader holds SIGTERM at most ~10 s (${elapsed} ms)"
	ok 'yurt_stop' "... and yurt then exits with status 0"
	kill "$STALL_PID" 2>/dev/null
	wait "$STALL_PID" 2>/dev/null
else
	ok false "yurt starts (drain bound)"
fi

}

test_config_errors() {
# ===========================================================================
# Configuration errors
# ===========================================================================

FRESH="$T/fresh-certs"
mkdir -p "$FRESH"
# run_yurt ARGS... — yurt bounded in time; $rc, $out and $err afterwards.
run_yurt() {
	run_bin "$YURT" "$@"
}
run_bin() {
	timeout 10 "$@" </dev/null >"$T/run.out" 2>"$T/run.err"
	rc=$?
	out=$(cat "$T/run.out")
	err=$(cat "$T/run.err")
}

BAD="$T/bad.conf"
printf '# a comment\nroot %s\nfrobnicate yes\n' "$ROOT" >"$BAD"
run_yurt -c "$BAD" -d "$FRESH" -a 127.0.0.1 -p "$(free_port)" -g 0
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "unknown setting: exit status non-zero ($rc)"
like "$err" "bad\.conf:3:" "... the message names the file and line 3"
like "$err" "frobnicate" "... and the setting"
is "$(printf '%s\n' "$err" | grep -c .)" 1 "... in one line"
is "$(ls -A "$FRESH")" "" "... and nothing was started (no certificate made)"

printf 'root %s\nport x\n' "$ROOT" >"$BAD"
run_yurt -c "$BAD" -d "$FRESH" -a 127.0.0.1 -g 0
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "port x: exit status non-zero ($rc)"
like "$err" 'bad\.conf:2:.*port' "... the message names the file, line 2 and port"

printf 'root %s\nhost a.example\nhost a.example\n' "$ROOT" >"$BAD"
run_yurt -n -c "$BAD"
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "a host given twice: -n fails ($rc)"
like "$err" 'a\.example' "... naming the host"

run_yurt --no-such-option
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "unknown command-line option: exit status non-zero ($rc)"
like "$err" 'no-such-option' "... with a message naming it"

run_yurt -p 70000 -n -r "$ROOT"
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "-p 70000: exit status non-zero ($rc)"
like "$err" '70000' "... with a message naming the value"

if [ "$(id -u)" = 0 ]; then
	run_yurt -u no-such-user-here -a 127.0.0.1 -p "$(free_port)" \
	    -g 0 -r "$ROOT" -d "$FRESH"
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "as root, -u with an unknown user: exit status non-zero ($rc)"
	like "$err" 'no-such-user-here' "... with a message naming the user"
	run_yurt -u root -a 127.0.0.1 -p "$(free_port)" -g 0 -r "$ROOT" \
	    -d "$FRESH"
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "as root, -u root is refused ($rc)"
else
	skip "-u checks: not root"
fi

GOOD="$T/good.conf"
GPORT=$(free_port)
printf '# good\nroot %s\nport %s\naddr 127.0.0.1\nlang en\nhost example.org\n' \
    "$ROOT" "$GPORT" >"$GOOD"
t0=$(now_ms)
run_yurt -n -c "$GOOD" -d "$FRESH"
is "$rc" 0 "-n with a valid file: exit status 0 (without waiting: it does not serve)"
like "$out" "(^|${LF})root $ROOT(${LF}|\$)" "-n prints the effective root"
like "$out" "(^|${LF})port $GPORT(${LF}|\$)" "-n prints the effective port"
like "$out" "(^|${LF})lang en(${LF}|\$)" "-n prints the effective lang"
like "$out" "(^|${LF})host example\.org(${LF}|\$)" "-n prints the host"
ok '! port_listening "$GPORT"' "-n does not listen"
is "$(ls -A "$FRESH")" "" "-n loads or creates no certificate"
run_yurt -n -c "$GOOD" -p 1999 -l fr
like "$out" "(^|${LF})port 1999(${LF}|\$)" "-n: the command line overrides the file (port)"
like "$out" "(^|${LF})lang fr(${LF}|\$)" "-n: the command line overrides the file (lang)"

# -n checks what start-up checks, short of binding: one message each.
# nfail WHAT ERE ARGS... — yurt -n ARGS fails with a message matching ERE.
nfail() {
	local what=$1 re=$2
	shift 2
	run_yurt -n "$@"
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "-n: $what: exit status non-zero ($rc)"
	like "$err" "$re" "... with a message naming it"
	is "$(printf '%s\n' "$err" | grep -c .)" 1 "... in one line"
}
printf 'root %s\nuser no-such-user-here\n' "$ROOT" >"$BAD"
nfail "user no-such-user-here in the file" 'user no-such-user-here: no such user' \
    -c "$BAD" -d "$FRESH"
nfail "addr 999.1.1.1" 'addr 999\.1\.1\.1' -r "$ROOT" -d "$FRESH" -a 999.1.1.1
nfail "a certificate directory whose parent is missing" \
    "certs $T/no-parent/certs: $T/no-parent does not exist" \
    -r "$ROOT" -d "$T/no-parent/certs"
printf '# a habit from other formats\nroot = %s\n' "$ROOT" >"$BAD"
nfail "root = DIR" 'bad\.conf:2: root: write "root VALUE", without "="' -c "$BAD"
is "$(ls -A "$FRESH")" "" "-n still creates no certificate"

mkdir -p "$T/ro-certs"
if [ "$(id -u)" = 0 ] && have runuser; then
	# root-owned: read-only for nobody, whom -n runs as here
	chmod 755 "$T/ro-certs"
	RUNU="runuser -u nobody --"
else
	chmod 555 "$T/ro-certs"
	RUNU=""
fi
run_bin $RUNU "$YURT" -n -r "$ROOT" -d "$T/ro-certs"
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "-n: a read-only certificate directory where one must be created: fails ($rc)"
like "$err" "certs $T/ro-certs: no certificate for localhost, and none can be created there" \
    "... naming the directory and the host"
run_bin $RUNU "$YURT" -r "$ROOT" -d "$T/ro-certs" -a 127.0.0.1 -p "$(free_port)" -g 0
ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "... and start-up fails too, as -n said ($rc)"
}

test_normal_user() {

# Run by a normal user, the default Gopher port 70: the message says what to do.
if [ "$(id -u)" = 0 ] && have runuser; then
	mkdir -p "$T/nobody-certs"
	chown nobody "$T/nobody-certs"
	run_bin runuser -u nobody -- "$YURT" -r "$ROOT" -d "$T/nobody-certs" \
	    -a 127.0.0.1 -p "$(free_port)"
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "a normal user on Gopher's port 70: fails ($rc)"
	like "$err" 'port 70: Permission denied \(ports below 1024 need root.*-g 7070, or -g 0' \
	    "... and the message suggests -g 7070 or -g 0"

	# A capsule the user cannot reach (a 0700 home): start-up as root,
	# dropping to nobody, stops with one message naming the path, the
	# user and the fix, and -n says the same beforehand.
	mkdir -p "$T/home700/capsule" "$T/c700"
	printf '# hidden\n' >"$T/home700/capsule/index.gmi"
	chmod 700 "$T/home700"
	nfail "a capsule nobody cannot reach" \
	    "$T/home700/capsule: Permission denied: user nobody cannot enter $T/home700 .*chmod o\+x $T/home700" \
	    -r "$T/home700/capsule" -d "$T/c700"
	run_yurt -r "$T/home700/capsule" -d "$T/c700" -a 127.0.0.1 \
	    -p "$(free_port)" -g 0
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "start-up as root with that capsule: fails ($rc), no 51 to every request"
	like "$(printf '%s\n' "$err" | grep '^yurt:')" \
	    "^yurt: $T/home700/capsule: Permission denied: user nobody cannot enter $T/home700 .*chmod o\+x" \
	    "... with one message naming the path, the user and what to do"

	# A key only root can read is how yurt itself keeps one when started
	# as root (it is loaded before the drop and kept in memory, keys.t):
	# not a fault.  A certificate nobody cannot read is: a reload reads it.
	mkdir -p "$T/rootkey"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/rootkey/localhost.key" -out "$T/rootkey/localhost.crt" \
	    -subj /CN=localhost -days 3650 >/dev/null 2>&1
	chmod 600 "$T/rootkey/localhost.key"
	run_yurt -n -r "$ROOT" -d "$T/rootkey"
	is "$rc" 0 "-n: a key only root can read (as yurt keeps its own) passes"
	chmod 600 "$T/rootkey/localhost.crt"
	nfail "a certificate only root can read" \
	    "$T/rootkey/localhost.crt: Permission denied: user nobody cannot read it.*chown nobody" \
	    -r "$ROOT" -d "$T/rootkey"
	run_yurt -r "$ROOT" -d "$T/rootkey" -a 127.0.0.1 -p "$(free_port)" -g 0
	ok '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "start-up as root with that certificate: fails ($rc)"
	like "$(printf '%s\n' "$err" | grep '^yurt:')" "localhost\.crt: Permission denied: user nobody" \
	    "... naming the certificate and the user"
else
	skip "port 70 as a normal user, unreadable capsule: not root or no runuser"
fi

}

test_units() {
# ===========================================================================
# The units, the man pages, make install / uninstall
# ===========================================================================

B=$(cd "$(dirname "$YURT")" && pwd)
# make, without rebuilding the binary under test (others may be editing src/)
mk() {
	make -s --no-print-directory -C "$YURT_TOP" -o "$B/yurt" B="$B" "$@"
}

UNITS="yurt.service yurt-standalone.service yurt-gemini.socket yurt-gopher.socket"

if [ "$(basename "$YURT")" != yurt ] || ! have make; then
	skip "make install: \$YURT is not a build/.../yurt or no make"
else
	# --- DESTDIR: a staged install, paths as they will be on the target ---
	D="$T/d"
	mk install DESTDIR="$D" >"$T/install.log" 2>&1
	is "$?" 0 "make install DESTDIR=… succeeds"
	[ -s "$T/install.log" ] && diag "$(tail -n 5 "$T/install.log")"
	P="$D/usr/local"
	ok '[ -x "$P/sbin/yurt" ] && [ -f "$P/sbin/yurt" ]' "DESTDIR: sbin/yurt is an executable"
	ok '"$P/sbin/yurt" -V >/dev/null' "DESTDIR: the installed yurt runs (-V)"
	ok '[ -f "$P/share/man/man8/yurt.8" ]' "DESTDIR: share/man/man8/yurt.8"
	ok '[ -f "$P/share/man/man5/yurt.conf.5" ]' "DESTDIR: share/man/man5/yurt.conf.5"
	missing=""
	for u in $UNITS; do
		[ -f "$P/lib/systemd/system/$u" ] || missing="$missing $u"
	done
	is "$missing" "" "DESTDIR: the four units in lib/systemd/system"
	ok '[ -f "$D/etc/yurt/yurt.conf" ]' "DESTDIR: etc/yurt/yurt.conf"
	ok '[ -f "$P/share/yurt/capsule/index.gmi" ]' "DESTDIR: share/yurt/capsule/index.gmi"
	is "$(find "$D" -type f ! -perm -0444 | head -n 3)" "" \
	    "DESTDIR: every installed file is world-readable"
	left=$(grep -l '@[A-Z]*@' "$P/lib/systemd/system/"* "$D/etc/yurt/yurt.conf" 2>/dev/null)
	is "$left" "" "DESTDIR: no @PLACEHOLDER@ is left in the units and config"
	staged=$(grep -l "$D" "$P/lib/systemd/system/"* "$D/etc/yurt/yurt.conf" 2>/dev/null)
	is "$staged" "" "DESTDIR: the staging directory does not leak into the units or config"
	like "$(grep '^ExecStart=' "$P/lib/systemd/system/yurt.service")" \
	    '^ExecStart=/usr/local/sbin/yurt -c /etc/yurt/yurt\.conf$' \
	    "DESTDIR: yurt.service runs /usr/local/sbin/yurt -c /etc/yurt/yurt.conf"
	like "$(grep '^root' "$D/etc/yurt/yurt.conf")" \
	    '^root /usr/local/share/yurt/capsule$' \
	    "DESTDIR: the config's root is the installed capsule"
	echo '# the operator was here' >>"$D/etc/yurt/yurt.conf"
	mk install DESTDIR="$D" >/dev/null 2>&1
	ok 'grep -q "operator was here" "$D/etc/yurt/yurt.conf"' \
	    "a second make install keeps the operator's config"
	mk uninstall DESTDIR="$D" >/dev/null 2>&1
	is "$?" 0 "make uninstall DESTDIR=… succeeds"
	left=$(cd "$D" && find . -type f ! -path ./etc/yurt/yurt.conf | head -n 5)
	is "$left" "" "DESTDIR: uninstall removes binary, man pages, units and capsule"
	ok '[ -f "$D/etc/yurt/yurt.conf" ]' "DESTDIR: uninstall leaves the configuration"

	# --- PREFIX etc.: real paths, so the units can be checked as such ---
	I="$T/p"
	mk install PREFIX="$I" SYSCONFDIR="$T/etc" UNITDIR="$T/units" \
	    >"$T/install.log" 2>&1
	is "$?" 0 "make install PREFIX=… SYSCONFDIR=… UNITDIR=… succeeds"
	run_bin "$I/sbin/yurt" -n -c "$T/etc/yurt/yurt.conf"
	is "$rc" 0 "the installed yurt accepts the installed yurt.conf (-n)"
	[ "$rc" = 0 ] || diag "$err"
	like "$out" "(^|${LF})root $I/share/yurt/capsule(${LF}|\$)" \
	    "... whose root is the installed capsule"

	if ! have systemd-analyze; then
		skip "units: no systemd-analyze"
	else
		for u in yurt.service:10:1.0 yurt-standalone.service:20:2.0; do
			name=${u%%:*}
			th=${u#*:}
			max=${th#*:}
			th=${th%%:*}
			# --threshold is on the 0-100 scale: 10 means 1.0
			systemd-analyze security --offline=true --threshold="$th" \
			    "$T/units/$name" >"$T/sec.out" 2>&1
			src=$?
			level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
			    "$T/sec.out")
			ok '[ "$src" = 0 ] && [ -n "$level" ]' \
			    "systemd-analyze security: $name exposure ${level:-?} <= $max"
		done
		systemd-analyze verify --man=no $(for u in $UNITS; do
		    echo "$T/units/$u"; done) >"$T/verify.out" 2>"$T/verify.err"
		vrc=$?
		is "$vrc" 0 "systemd-analyze verify succeeds for the units"
		is "$(cat "$T/verify.err")" "" "systemd-analyze verify prints no warning"

		# systemd 252's @system-service has no landlock_* calls: a
		# unit must allow them or the sandbox is silently off.
		sc_expand() {
			local depth=$1 x
			shift
			for x in "$@"; do
				case $x in
				@*)	[ "$depth" -lt 6 ] || continue
					sc_expand $((depth + 1)) $(systemd-analyze \
					    syscall-filter "$x" 2>/dev/null |
					    sed 1d | grep -v '^ *#' | awk '{ print $1 }')
					;;
				*)	echo "$x" ;;
				esac
			done
		}
		unit_allows() {
			local allow deny
			allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$1")
			deny=$(sed -n 's/^SystemCallFilter=~//p' "$1")
			{ [ -z "$allow" ] || sc_expand 0 $allow | grep -qx "$2"; } &&
			    ! sc_expand 0 $deny | grep -qx "$2"
		}
		for name in yurt.service yurt-standalone.service; do
			blocked=""
			for sc in landlock_create_ruleset landlock_add_rule \
			    landlock_restrict_self prctl openat2; do
				unit_allows "$T/units/$name" "$sc" ||
				    blocked="$blocked $sc"
			done
			is "$blocked" "" \
			    "$name: SystemCallFilter lets yurt set up Landlock (landlock_*, prctl, openat2)"
		done
	fi

	mk uninstall PREFIX="$I" SYSCONFDIR="$T/etc" UNITDIR="$T/units" \
	    >/dev/null 2>&1
	is "$?" 0 "make uninstall PREFIX=… succeeds"
	left=$(find "$I" "$T/units" -type f | head -n 5)
	is "$left" "" "uninstall removes binary, man pages, units and capsule"
fi

# Logging: journald priority prefixes under systemd; a log file that is
# reopened on SIGUSR1 after rotation, with no prefixes.
mkdir -p "$T/logroot" "$T/logs"
echo '# logged' > "$T/logroot/index.gmi"
[ "$(id -u)" = 0 ] && chown nobody "$T/logs"
ROOT=$T/logroot JOURNAL_STREAM=8:1234 yurt_start
req "gemini://localhost:$YURT_PORT/" >/dev/null 2>&1
like "$(grep -a ' gemini ' "$YURT_LOG" | head -n 1)" '^<6>[0-9]' \
    "under journald a request line carries the <6> priority"
like "$(grep -a 'listening' "$YURT_LOG" | head -n 1)" '^<6>' \
    "and so do start-up lines"
ok 'yurt_stop' "yurt with JOURNAL_STREAM stops cleanly"

ROOT=$T/logroot yurt_start -O "$T/logs/yurt.log"
req "gemini://localhost:$YURT_PORT/" >/dev/null 2>&1
sleep 0.2
like "$(grep -a ' gemini ' "$T/logs/yurt.log" 2>/dev/null | tail -n 1)" \
    '^[0-9].* gemini localhost / 20 ' "-O: request lines go to the log file"
is "$(grep -ac ' gemini ' "$YURT_LOG")" 0 "-O: and not to stderr"
mv "$T/logs/yurt.log" "$T/logs/yurt.log.1"
req "gemini://localhost:$YURT_PORT/?before" >/dev/null 2>&1
kill -USR1 "$YURT_PID"
sleep 0.5
req "gemini://localhost:$YURT_PORT/?after" >/dev/null 2>&1
sleep 0.2
is "$(grep -ac 'gemini localhost / 20' "$T/logs/yurt.log.1")" 2 \
    "after rotation and before SIGUSR1 lines still reach the old file"
is "$(grep -ac 'gemini localhost / 20' "$T/logs/yurt.log" 2>/dev/null)" 1 \
    "after SIGUSR1 the new file gets the next request"
like "$(grep -a 'log reopened' "$T/logs/yurt.log" 2>/dev/null)" 'reopened' \
    "the reopening is logged in the new file"
ok 'yurt_alive' "yurt still serves after SIGUSR1"
ok 'yurt_stop' "yurt with a log file stops cleanly"
if grep -aqE 'Sanitizer|runtime error' "$T/logs/yurt.log" "$T/logs/yurt.log.1"
then
	ok 'false' "no sanitizer report in the log files"
fi

if have mandoc; then
	lint=$(cd "$YURT_TOP" && mandoc -Tlint -W warning src/yurt.8 src/yurt.conf.5 2>&1)
	is "$lint" "" "mandoc -Tlint -W warning: the man pages are clean"
	# every level, style included, but for pages not installed here
	lint=$(cd "$YURT_TOP" && mandoc -Tlint src/yurt.8 src/yurt.conf.5 2>&1 |
	    grep -v -e 'referenced manual not found' -e 'mandoc\.db')
	is "$lint" "" "mandoc -Tlint: clean but for cross-references"
	page=$(cd "$YURT_TOP" && mandoc -Tascii src/yurt.8 | sed 's/.\x08//g')
	like "$page" '-H name\[=dir\], --host name\[=dir\]' \
	    "man yurt: -H name[=dir], --host name[=dir] (brackets in place)"
	for o in $("$YURT" --help | sed -n 's/^  -\(.\), --.*/\1/p'); do
		printf '%s\n' "$page" | grep -q -- "^ *-$o" || missing_opt="$missing_opt -$o"
	done
	is "${missing_opt:-}" "" "man yurt describes every option of yurt --help"
else
	skip "man pages: no mandoc"
fi

}

run_tests
