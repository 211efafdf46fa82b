#!/bin/sh
# replay-corpus.sh - run one fuzz target over its seed corpus
#
# usage: replay-corpus.sh CORPUSROOT ./fuzz_NAME
#
# The test driver of fuzz/Makefile.am: runs ./fuzz_NAME on
# CORPUSROOT/fuzz_NAME. With libFuzzer, -runs=0 only executes the inputs;
# the standalone driver ignores options.
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 CORPUSROOT ./fuzz_NAME" >&2
	exit 2
fi
root=$1
prog=$2
name=$(basename "$prog")
if [ ! -d "$root/$name" ]; then
	echo "$0: no corpus $root/$name for $name" >&2
	exit 1
fi
exec "$prog" -runs=0 "$root/$name"
