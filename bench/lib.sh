# lib.sh - shell functions the bench scripts share; sourced by
# authd_vs_dovecot.sh, milterd_vs_opendkim.sh and policyd_vs_pyspf.sh
# with '. "$here/lib.sh"'. Defines functions only: sourcing it runs
# nothing. The load clients print one line of KEY=value fields
# (bench/README.md); field and median_line read those lines.
# shellcheck shell=bash

# die MESSAGE... - print "SCRIPT: MESSAGE" on stderr and exit 1
die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# stop_pid PID - SIGTERM, wait at most 15 s, then SIGKILL
stop_pid() {
	local p=$1 n=0
	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p" 2>/dev/null
	while [ $n -lt 60 ] && kill -0 "$p" 2>/dev/null; do
		sleep 0.25
		n=$((n + 1))
	done
	kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# wait_socket PATH PID - until PATH is a socket (10 s at most) while
# PID, the server that makes it, is still alive
wait_socket() {
	local n=0
	while [ $n -lt 100 ]; do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# field KEY LINE - value of KEY=... in a load client's result line
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# proc_ticks PID - CPU time (utime + stime, clock ticks) of PID, all its
# threads; 0 when PID is gone
proc_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# median_line FILE KEY - the line of FILE with the median value of KEY=
# (the upper median for an even count of lines)
median_line() {
	local n
	n=$(wc -l <"$1")
	awk -v key="$2" '{ for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) {
		split($i, a, "="); print a[2], $0 } }' "$1" |
		sort -n | sed -n "$(((n + 1) / 2))p" | cut -d' ' -f2-
}

# ratio A B - A / B with two decimals, "-" when B is 0
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}
