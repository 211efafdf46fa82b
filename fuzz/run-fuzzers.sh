#!/bin/sh
# run-fuzzers.sh - run every libFuzzer target for a while
#
# usage: run-fuzzers.sh SECONDS BUILDDIR
#
# BUILDDIR is a tree configured with CC=clang --enable-fuzz (and usually
# --enable-asan --enable-ubsan) and built. Every executable
# BUILDDIR/fuzz/fuzz_* runs for SECONDS over a temporary copy of its seed
# corpus (corpus/fuzz_NAME next to this script), with fuzz_NAME.dict when
# there is one, so the source tree is never modified. New targets join by
# name; see fuzz/Makefile.am for how to add one. Inputs that crash are
# saved in BUILDDIR/fuzz/artifacts/. Exit status: 0 if no target found a
# problem, 1 otherwise, 2 on bad usage.
#
# Environment: FUZZ_MAX_LEN (default 4096) bounds input sizes,
# FUZZ_TIMEOUT (default 10) is the per-input time limit in seconds and
# FUZZ_RSS_MB (default 2048) the memory limit.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 SECONDS BUILDDIR" >&2
	exit 2
fi
secs=$1
builddir=$2
srcdir=$(cd "$(dirname "$0")" && pwd)
max_len=${FUZZ_MAX_LEN:-4096}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
artifacts=$builddir/fuzz/artifacts

case $secs in
''|*[!0-9]*)
	echo "$0: SECONDS must be a number: $secs" >&2
	exit 2
	;;
esac
if [ ! -d "$builddir/fuzz" ]; then
	echo "$0: no $builddir/fuzz" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-fuzzers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$artifacts" || exit 2

status=0
ran=0
for bin in "$builddir"/fuzz/fuzz_*; do
	name=$(basename "$bin")
	case $name in
	*.*) continue ;; # sources, objects, dictionaries, logs
	esac
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	# A standalone replayer has no libFuzzer inside: refuse it.
	if ! grep -q LLVMFuzzerRunDriver "$bin"; then
		echo "$0: $bin is not a libFuzzer binary (configure" \
			"CC=clang --enable-fuzz)" >&2
		status=1
		continue
	fi

	corpus=$tmp/$name
	mkdir "$corpus"
	if [ -d "$srcdir/corpus/$name" ]; then
		cp -R "$srcdir/corpus/$name/." "$corpus/"
	else
		echo "$0: warning: no seed corpus for $name" >&2
	fi
	set -- -max_total_time="$secs" -max_len="$max_len" \
		-timeout="$timeout" -rss_limit_mb="$rss_mb" \
		-artifact_prefix="$artifacts/$name-" -print_final_stats=1
	if [ -f "$srcdir/$name.dict" ]; then
		set -- "$@" -dict="$srcdir/$name.dict"
	fi

	echo "== $name: ${secs}s"
	log=$tmp/$name.log
	if "$bin" "$@" "$corpus" >"$log" 2>&1; then
		grep -E '^(stat::number_of_executed_units|Done)' "$log"
	else
		echo "== $name: FAILED; crash input in $artifacts/" >&2
		tail -n 60 "$log" >&2
		status=1
	fi
	ran=$((ran + 1))
done

if [ "$ran" -eq 0 ]; then
	echo "$0: no fuzz targets in $builddir/fuzz" >&2
	exit 1
fi
exit $status
