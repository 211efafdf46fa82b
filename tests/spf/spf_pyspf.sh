#!/bin/sh
# spf_pyspf.sh - pyspf (python3-spf) as an oracle: spf_pyspf.py builds
# random records over a fixed zone with pyspf's results as the expected
# ones, and spf_suite runs them through our evaluator and driver. The
# seeds are fixed, so a run is repeatable. Prints the record of every
# mismatch; skips (77) without python3 with pyspf and yaml.

srcdir=$(dirname "$0")
py=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import spf, yaml' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "spf_pyspf: no python3 with spf and yaml modules, skipping"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spf_pyspf.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0
for seed in 1 2 3 4; do
	yml=$tmp/pyspf-seed$seed.yml
	txt=$tmp/pyspf-seed$seed.txt
	if ! "$py" "$srcdir/spf_pyspf.py" "$seed" 250 >"$yml" ||
		! "$py" "$srcdir/spf_suite.py" "$yml" >"$txt"; then
		echo "spf_pyspf: cannot build the records of seed $seed"
		status=1
		continue
	fi
	./spf_suite "$txt" >"$tmp/out" || status=1
	cat "$tmp/out"
	sed -n 's/^FAIL [^:]*: pyspf-[0-9]*-\([0-9]*\):.*/\1/p' "$tmp/out" |
		while read -r n; do
			grep "^description: .\{0,1\}record $n:" "$yml"
		done
done
exit $status
