#!/bin/sh
# spf_suite.sh - the SPF conformance suites (rfc7208, rfc4408, pyspf)
# through the real evaluator and driver: spf_suite.py turns each YAML
# file into lines, the spf_suite program runs them. Fails on any
# failure; skips (77) without the shared test data or python3-yaml.

srcdir=$(dirname "$0")
data=${PW_TESTDATA_DIR:-}/spf

if [ -z "${PW_TESTDATA_DIR:-}" ] || [ ! -d "$data" ]; then
	echo "spf_suite: no test data in PW_TESTDATA_DIR, skipping"
	exit 77
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "spf_suite: python3 with yaml (python3-yaml) missing, skipping"
	exit 77
fi

status=0
for suite in rfc7208-tests rfc4408-tests pyspf-test; do
	skip=
	case $suite in
	rfc4408-tests) skip="--skip $srcdir/rfc4408-skip.txt" ;;
	pyspf-test) skip="--skip $srcdir/pyspf-skip.txt" ;;
	esac
	lines=$(mktemp "${TMPDIR:-/tmp}/spf_suite.XXXXXX") || exit 99
	# shellcheck disable=SC2086
	if ! python3 "$srcdir/spf_suite.py" "$data/$suite.yml" $skip \
		>"$lines"; then
		echo "spf_suite: cannot convert $suite.yml"
		rm -f "$lines"
		status=1
		continue
	fi
	./spf_suite "$lines" || status=1
	rm -f "$lines"
done
exit $status
