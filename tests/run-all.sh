#!/bin/sh
# run-all.sh - build and run every test: the README's test command.
#
# 1. make check in a build with AddressSanitizer, UBSan and -Werror
#    (unit tests, integration tests against real MariaDB and Postfix,
#    fuzz corpus replay);
# 2. make check in an SQLite-only build (--without-mysql);
# 3. each libFuzzer target briefly (clang);
# 4. make distcheck.
# Build trees go under build/ in the source tree. FUZZ_SECONDS sets the
# time per fuzz target (default 10).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=${JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-10}
logdir="$top/build/logs"

./autogen.sh >/dev/null 2>&1 || ./autogen.sh
rm -rf build/check build/nomysql build/fuzz build/dist
mkdir -p build/check build/nomysql build/fuzz build/dist "$logdir"
status=0

step() { printf '\n=== %s\n' "$*"; }

step "make check (asan, ubsan, werror)"
(cd build/check && "$top/configure" --enable-werror --enable-asan \
	--enable-ubsan >"$logdir/configure-check.log" 2>&1 &&
	make -j"$jobs" >"$logdir/build-check.log" 2>&1 &&
	make -j"$jobs" check) || status=1

step "make check (--without-mysql: an SQLite-only tree)"
(cd build/nomysql && "$top/configure" --without-mysql --enable-werror \
	>"$logdir/configure-nomysql.log" 2>&1 &&
	make -j"$jobs" >"$logdir/build-nomysql.log" 2>&1 &&
	make -j"$jobs" check >"$logdir/check-nomysql.log" 2>&1) || {
	grep -E '^(FAIL|ERROR):' "$logdir/check-nomysql.log"
	status=1
}
[ $status = 0 ] && echo "sqlite-only tree: ok"

step "fuzz targets, ${fuzz_seconds}s each (clang, libFuzzer, asan)"
(cd build/fuzz && CC=clang "$top/configure" --enable-fuzz --enable-asan \
	--enable-werror >"$logdir/configure-fuzz.log" 2>&1 &&
	make -j"$jobs" >"$logdir/build-fuzz.log" 2>&1 &&
	"$top/fuzz/run-fuzzers.sh" "$fuzz_seconds" "$top/build/fuzz") ||
	status=1

step "make distcheck"
(cd build/dist && "$top/configure" >"$logdir/configure-dist.log" 2>&1 &&
	make -j"$jobs" distcheck >"$logdir/distcheck.log" 2>&1) || {
	tail -40 "$logdir/distcheck.log"
	status=1
}
[ $status = 0 ] && echo "distcheck: ok"

# One closing line for every test the check build ran.
pass=0 fail=0 skip=0
for f in $(find build/check -name test-suite.log); do
	p=$(sed -n 's/^# PASS: *//p' "$f")
	x=$(sed -n 's/^# FAIL: *//p' "$f")
	e=$(sed -n 's/^# ERROR: *//p' "$f")
	s=$(sed -n 's/^# SKIP: *//p' "$f")
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${x:-0} + ${e:-0}))
	skip=$((skip + ${s:-0}))
done
[ $status = 0 ] || [ $fail -gt 0 ] || fail=1
echo "$pass passed, $fail failed, $skip skipped"
exit $status
