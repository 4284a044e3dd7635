# tests/lib.sh — sourced by the black-box tests (tests/*.t, bash).
#
# TAP helpers (ok, is, isnt, like, unlike, diag, done_testing) and a
# harness that starts the real yurt on a free loopback port with its own
# temporary capsule and certificate directory, talks to it with the test
# client build/tests/gg, and always stops it again (trap on EXIT).
#
# Environment (set by tests/run): YURT (the server), BUILD (where gg is),
# YURT_TOP (the repository), TESTS (which cases to run, below).  Every
# loop here is bounded.
#
# Cases: a .t file defines its cases as functions test_NAME, at the start
# of a line, and ends with run_tests, which runs them in file order, or
# only those TESTS names ("redirects tls_*": names or shell patterns, with
# or without test_, separated by spaces or commas; unset or empty: all).
# Each check's description starts with its case's name, so a failure
# names its function.  A case needs nothing from the cases before it: it
# starts its own server with yurt_start, or one it may share with its
# neighbours with yurt_need, and returns (never exits) when it cannot go
# on, so the cases after it still run.

: "${BUILD:=build}"
: "${YURT:=$BUILD/yurt}"
: "${YURT_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
GG="$BUILD/tests/gg"

TAP_N=0
TAP_FAILED=0
TAP_CASE=""
TAP_FAILED_CASES=""

# One temporary directory per test script: fixtures, certificates, logs.
# Started as root, yurt drops to an unprivileged user (nobody) before it
# reads the capsule, so everything here must be world-readable.
umask 022
T=$(mktemp -d "${TMPDIR:-/tmp}/yurt-test.XXXXXX") || exit 1
chmod 755 "$T"
YURT_PID=""
YURT_PORT=""
YURT_GOPHER_PORT=""
YURT_LOG=""
YURT_STARTS=0
YURT_RUNNING=""

# Workers: yurt's own default, one per core, as operators run it (no -w
# given), but never fewer than two, so what only several workers do is
# tested on a one-core machine too.  YURT_WORKERS=N chooses a count; a
# test about one worker passes -w 1 itself.  YURT_WARGS is what to pass.
YURT_WARGS=()
if [ -n "${YURT_WORKERS:-}" ]; then
	YURT_WARGS=(-w "$YURT_WORKERS")
else
	YURT_WORKERS=$(nproc 2>/dev/null || echo 1)
	if ! [ "$YURT_WORKERS" -ge 2 ] 2>/dev/null; then
		YURT_WORKERS=2
		YURT_WARGS=(-w 2)
	fi
fi

# A sanitized yurt keeps /proc/self readable through its sandbox, so
# LeakSanitizer reports leaks at exit even after the drop from root.
YURT_ASAN_OPTIONS=${ASAN_OPTIONS:-}

lib_cleanup() {
	[ -z "$YURT_PID" ] || yurt_stop >/dev/null
	# Fixtures include unreadable files and directories.
	chmod -R u+rwX "$T" 2>/dev/null
	rm -rf "$T"
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- cases -------------------------------------------------------------

# The cases of this file, in file order.
lib_cases() {
	sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{.*/\1/p' "$0"
}

# lib_selected NAME — whether TESTS (unset or empty: everything) selects NAME.
lib_selected() {
	local lib_p lib_pats
	[ -n "${TESTS:-}" ] || return 0
	# read, not a word split: the patterns must not expand as file names
	IFS=' ,' read -r -a lib_pats <<<"$TESTS"
	for lib_p in "${lib_pats[@]}"; do
		# shellcheck disable=SC2254
		case ${1#test_} in ${lib_p#test_}) return 0 ;; esac
	done
	return 1
}

# Nothing of this file selected: say so before its fixtures are made.
lib_any_selected() {
	local lib_case
	for lib_case in $(lib_cases); do
		lib_selected "$lib_case" && return 0
	done
	return 1
}
if [ -n "${TESTS:-}" ] && ! lib_any_selected; then
	echo "1..0 # SKIP no case of $(basename "$0") in TESTS=$TESTS"
	exit 0
fi

# run_tests — the selected cases in file order, then the plan.  A
# selection may leave a shared server running that a later case would
# have stopped (and checked): it is stopped and checked here instead.
# (Its variables' names are its own: a case sees them and sets globals.)
run_tests() {
	local lib_case lib_failed
	for lib_case in $(lib_cases); do
		lib_selected "$lib_case" || continue
		TAP_CASE=${lib_case#test_}
		lib_failed=$TAP_FAILED
		"$lib_case"
		[ "$TAP_FAILED" -eq "$lib_failed" ] ||
		    TAP_FAILED_CASES="$TAP_FAILED_CASES $TAP_CASE"
		TAP_CASE=""
	done
	if [ -n "${TESTS:-}" ] && [ -n "$YURT_PID" ]; then
		ok 'yurt_stop' "the server the selection left running stops cleanly"
	fi
	done_testing
}

# --- TAP -------------------------------------------------------------

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# ok 'SHELL CONDITION' DESCRIPTION — the condition is eval'ed; status 0 passes.
ok() {
	TAP_N=$((TAP_N + 1))
	if eval "$1"; then
		echo "ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$2"
		return 0
	fi
	echo "not ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$2"
	TAP_FAILED=$((TAP_FAILED + 1))
	return 1
}

is() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$3"
		return 0
	fi
	echo "not ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$3"
	TAP_FAILED=$((TAP_FAILED + 1))
	diag "  got:  '$(printf '%s' "$1" | head -c 300 | tr -c '[:print:]' '?')'" \
	    "  want: '$(printf '%s' "$2" | head -c 300 | tr -c '[:print:]' '?')'"
	return 1
}

isnt() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" != "$2" ]; then
		echo "ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$3"
		return 0
	fi
	echo "not ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$3"
	TAP_FAILED=$((TAP_FAILED + 1))
	diag "  got:  '$(printf '%s' "$1" | head -c 300 | tr -c '[:print:]' '?')' (unwanted)"
	return 1
}

# like GOT ERE DESCRIPTION — bash regex match (=~), GOT may be multi-line.
# lib_match WANT-MATCH GOT ERE DESC — like and unlike in one place.
lib_match() {
	local matched=0
	TAP_N=$((TAP_N + 1))
	[[ $2 =~ $3 ]] && matched=1
	if [ "$matched" -eq "$1" ]; then
		echo "ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$4"
		return 0
	fi
	echo "not ok $TAP_N - ${TAP_CASE:+$TAP_CASE: }$4"
	TAP_FAILED=$((TAP_FAILED + 1))
	diag "  got:  '$(printf '%s' "$2" | head -c 300 | tr -c '[:print:]' '?')'" \
	    "  $([ "$1" -eq 1 ] && echo "want:" || echo "must not match:") /$3/"
	return 1
}

like() { lib_match 1 "$@"; }
unlike() { lib_match 0 "$@"; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ] || diag "$TAP_FAILED of $TAP_N failed"
	[ -z "$TAP_FAILED_CASES" ] || diag "failing cases:$TAP_FAILED_CASES"
	[ "$TAP_FAILED" -eq 0 ]
	exit $?
}

# --- time --------------------------------------------------------------

now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# --- the server --------------------------------------------------------

# A port nobody listens on, from a range the kernel does not hand out as
# ephemeral ports (32768-60999 by default).
free_port() {
	local i port
	for i in $(seq 1 50); do
		port=$((20000 + RANDOM % 12000))
		if command -v ss >/dev/null 2>&1; then
			ss -Htan "( sport = :$port or dport = :$port )" |
			    grep -q . || { echo "$port"; return 0; }
		elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

port_listening() {
	if command -v ss >/dev/null 2>&1; then
		ss -Htln "( sport = :$1 )" | grep -q .
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# yurt_start [ARGS...] — start $YURT on 127.0.0.1:$YURT_PORT serving
# $ROOT (default $T/root) with certificates in $CERTS (default $T/certs),
# stderr to $YURT_LOG.  Returns non-zero (and says why) if it does not
# listen within ~10 s.  One server at a time per script.
yurt_start() {
	local i
	[ -z "$YURT_PID" ] || yurt_stop
	: "${ROOT:=$T/root}"
	: "${CERTS:=$T/certs}"
	mkdir -p "$ROOT" "$CERTS"
	YURT_STARTS=$((YURT_STARTS + 1))
	YURT_RUNNING="$ROOT|$CERTS|$*"
	YURT_LOG="$T/yurt.$YURT_STARTS.log"
	YURT_PORT=$(free_port) || { diag "no free port"; return 1; }
	# Gopher on a free port of its own, never the shared default 70
	YURT_GOPHER_PORT=$YURT_PORT
	while [ "$YURT_GOPHER_PORT" = "$YURT_PORT" ]; do
		YURT_GOPHER_PORT=$(free_port) ||
		    { diag "no free port"; return 1; }
	done
	ASAN_OPTIONS=$YURT_ASAN_OPTIONS \
	"$YURT" -a 127.0.0.1 -p "$YURT_PORT" -g "$YURT_GOPHER_PORT" \
	    -r "$ROOT" -d "$CERTS" -H localhost "${YURT_WARGS[@]}" "$@" \
	    </dev/null >/dev/null 2>"$YURT_LOG" &
	YURT_PID=$!
	for i in $(seq 1 100); do
		if ! kill -0 "$YURT_PID" 2>/dev/null; then
			wait "$YURT_PID"
			diag "yurt exited at start-up (status $?): $*" \
			    "$(tail -n 5 "$YURT_LOG")"
			YURT_PID=""
			return 1
		fi
		if port_listening "$YURT_PORT"; then
			# It may still fail after binding (dropping root, sandbox).
			sleep 0.3
			kill -0 "$YURT_PID" 2>/dev/null && return 0
			continue
		fi
		sleep 0.1
	done
	diag "yurt does not listen on port $YURT_PORT after 10 s"
	return 1
}

# Stop the server: SIGTERM, up to 5 s for it to drain, then SIGKILL.
# Succeeds only if it exited by itself with status 0 and its log holds no
# sanitizer report (so "ok 'yurt_stop'" is a test under SAN=1 too).
yurt_stop() {
	local i st
	[ -n "$YURT_PID" ] || { diag "no server to stop"; return 1; }
	kill -TERM "$YURT_PID" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$YURT_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$YURT_PID" 2>/dev/null
	wait "$YURT_PID" 2>/dev/null
	st=$?
	YURT_PID=""
	local re='ERROR: [A-Za-z]*Sanitizer|Sanitizer has encountered|runtime error:'
	if grep -aqE "$re" "$YURT_LOG"; then
		diag "sanitizer report in $YURT_LOG:" \
		    "$(grep -aE -A8 "$re" "$YURT_LOG" | head -n 20)"
		return 1
	fi
	[ "$st" -eq 0 ] || { diag "yurt exited with status $st"; return 1; }
}

# yurt_need [ARGS...] — a server as yurt_start ARGS would start it, shared
# between cases: the running one if it was started so (same ROOT, CERTS
# and ARGS) and is alive, else a new one.  A server that does not start is
# a failed check (one that starts is none: the count stays the same
# whichever case starts it).
yurt_need() {
	[ -n "$YURT_PID" ] && yurt_alive &&
	    [ "$YURT_RUNNING" = "${ROOT:-$T/root}|${CERTS:-$T/certs}|$*" ] &&
	    return 0
	yurt_start "$@" && return 0
	ok false "the server starts (yurt $*)"
	return 1
}

yurt_alive() {
	[ -n "$YURT_PID" ] && kill -0 "$YURT_PID" 2>/dev/null
}

# --- the server process, as the kernel sees it ---------------------------

# The server's open descriptors.
nfds() {
	ls "/proc/$YURT_PID/fd" 2>/dev/null | wc -l
}

# The descriptor count once it has stopped moving (bounded wait).
settled_fds() {
	local a b i
	a=$(nfds)
	for i in $(seq 1 30); do
		sleep 0.3
		b=$(nfds)
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$a"
}

# User + system CPU time of the whole server, in clock ticks.
cpu_ticks() {
	local s
	s=$(cat "/proc/$YURT_PID/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo $((${12} + ${13}))
}

# kv KEY FILE — a value from flood's key=value result line.
kv() {
	grep -o "\\b$1=[-0-9]*" "$2" 2>/dev/null | head -n 1 | cut -d= -f2
}

# wait_connected FILE — until tests/flood says it has made its
# connections (up to 15 s: a loaded machine).
wait_connected() {
	local i
	for i in $(seq 1 150); do
		grep -q '^flood: connected' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- the client --------------------------------------------------------

gg() {
	"$GG" "$@"
}

# req [GG-OPTIONS...] URL — one request to the running server with SNI
# localhost; the response on stdout, gg's status as the return value.
req() {
	local n=$(($# - 1))
	gg -s localhost -t 10 "${@:1:n}" 127.0.0.1 "$YURT_PORT" "${!#}"
}

# graw — the request bytes from stdin, sent as they are over plain TCP to
# the Gopher port; the reply on stdout (at most GRAW_SECONDS, 10 s).
# Status 2: no connection; 4: out of time.
graw() {
	perl -e '
		use IO::Socket::INET;
		binmode STDIN; binmode STDOUT;
		local $/; my $req = <STDIN>;
		$SIG{ALRM} = sub { exit 4 }; alarm $ARGV[1];
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Proto => "tcp") or exit 2;
		print $s $req;
		my $b; while (sysread($s, $b, 65536)) { print $b }
		exit 0;' "$YURT_GOPHER_PORT" "${GRAW_SECONDS:-10}"
}

# rawreq [GG-OPTIONS...] — the request bytes come from stdin.
rawreq() {
	gg -s localhost -t 10 -r "$@" 127.0.0.1 "$YURT_PORT"
}

# header URL — the response's header line without its CRLF.
header() {
	req -h "$1" 2>/dev/null | tr -d '\r\n'
}

# rawheader — header line for the raw request bytes on stdin.
rawheader() {
	rawreq -h 2>/dev/null | tr -d '\r\n'
}

# SHA-256 fingerprint of a PEM certificate, as uppercase hex without colons.
# "unreadable" if there is none, so that two missing ones never compare equal.
cert_fp() {
	local fp
	fp=$(openssl x509 -noout -fingerprint -sha256 -in "$1" 2>/dev/null |
	    sed 's/.*=//' | tr -d ':' | tr 'a-f' 'A-F')
	echo "${fp:-unreadable $1}"
}

# The fingerprint gg sees with SNI $1 (uppercase hex, no colons).
served_fp() {
	local fp
	fp=$(gg -q -f -s "$1" -t 10 127.0.0.1 "$YURT_PORT" "gemini://$1/" 2>&1 |
	    sed -n 's/^gg: sha256 //p' | tr -d ':')
	echo "${fp:-no certificate served}"
}

# menu_problems FILE HOST PORT [FOREIGN-ERE] — what is wrong with a Gopher
# menu (nothing when it is well-formed): CRLF on every line, "." at the
# end and only there, four TAB-separated fields, a type, no control byte
# in a field, info and error lines "i<text>\t\t<host>\t<port>", and host
# and port ours (items may point at "host\tport" matching FOREIGN-ERE).
menu_problems() {
	perl -e '
		my ($host, $port, $foreign) = @ARGV[1 .. 3];
		open(my $fh, "<:raw", $ARGV[0]) or die "open: $!";
		local $/; my $d = <$fh>; my @p;
		push @p, "empty reply" unless length $d;
		push @p, "does not end with .CRLF" unless $d =~ /(?:\A|\r\n)\.\r\n\z/;
		push @p, "NUL byte" if $d =~ /\0/;
		my @l = split /\n/, $d, -1;
		pop @l if @l && $l[-1] eq "";
		for my $i (0 .. $#l) {
			my $x = $l[$i]; my $n = $i + 1;
			if ($x !~ s/\r\z//) { push @p, "line $n: no CRLF: $x"; next }
			push @p, "line $n: stray CR" if $x =~ /\r/;
			if ($i == $#l) { push @p, "last line is not .: $x" if $x ne "."; next }
			if ($x eq ".") { push @p, "line $n: . before the end"; next }
			my @f = split /\t/, $x, -1;
			if (@f != 4) { push @p, "line $n: " . @f . " fields: $x"; next }
			my ($td, $sel, $h, $pt) = @f;
			my $t = substr($td, 0, 1);
			push @p, "line $n: no type" if $td eq "";
			push @p, "line $n: bad type" if $t !~ /^[!-~]$/;
			push @p, "line $n: control byte: $x" if $x =~ /[\x00-\x08\x0a-\x1f\x7f]/;
			push @p, "line $n: empty host" if $h eq "";
			push @p, "line $n: bad port: $pt"
			    unless $pt =~ /^[1-9][0-9]{0,4}$/ && $pt <= 65535;
			if ($t eq "i" || $t eq "3") {
				push @p, "line $n: $t line with a selector: $x" if $sel ne "";
				push @p, "line $n: $t line with host/port $h:$pt"
				    if $h ne $host || $pt ne $port;
			} elsif ($h ne $host || $pt ne $port) {
				push @p, "line $n: host/port $h:$pt: $x"
				    unless length $foreign && "$h\t$pt" =~ /^(?:$foreign)\z/;
			}
		}
		print "$_\n" for @p[0 .. ($#p < 7 ? $#p : 7)];' "$@"
}

# text_problems FILE — a type-0 rendering: CRLF lines, no "." line at the
# end (the reply ends at the close) and no line a client could take for one.
text_problems() {
	perl -e '
		open(my $fh, "<:raw", $ARGV[0]) or die "open: $!";
		local $/; my $d = <$fh>; my @p;
		push @p, "empty reply" unless length $d;
		push @p, "ends with a . line" if $d =~ /(?:\A|\r\n)\.\r\n\z/;
		push @p, "NUL byte" if $d =~ /\0/;
		my @l = split /\n/, $d, -1;
		pop @l if @l && $l[-1] eq "";
		for my $i (0 .. $#l) {
			my $x = $l[$i]; my $n = $i + 1;
			if ($x !~ s/\r\z//) { push @p, "line $n: no CRLF: $x"; next }
			push @p, "line $n: a lone ." if $x eq ".";
			push @p, "line $n: starts with one dot: $x" if $x =~ /^\.(?!\.)/;
			push @p, "line $n: control byte: $x" if $x =~ /[\x00-\x08\x0a-\x1f\x7f]/;
		}
		print "$_\n" for @p[0 .. ($#p < 7 ? $#p : 7)];' "$1"
}
