#!/usr/bin/env bash
# The suite under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: configures build-sanitize/ of the checkout
# with -DGRIDBILL_SANITIZE=address,undefined, builds it (Ninja + ccache, its
# own objects: nothing is shared with build/) and runs the unit, PostgreSQL
# and suite tests under it. The service binaries that suite tests start are
# instrumented too; every sanitizer report of any process goes to
# build-sanitize/sanitizer-reports/, and the run fails when one is there
# (a report of a child process does not always fail its test).
#
#   ./deploy/test-sanitized.sh [ctest arguments, e.g. -L unit or -R contracts]
#
# Environment: GRIDBILL_JOBS (build and test parallelism, default nproc),
# GRIDBILL_SANITIZE_BUILD_DIR (build-sanitize), GRIDBILL_SANITIZE_TARGETS
# (build only these targets, e.g. with -R to run their tests only).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# What the tests use besides the build (e.g. tests/k8s's Node packages), as
# the test command installs it.
bash "$GRIDBILL_ROOT/deploy/install-deps.sh"

dir="${GRIDBILL_SANITIZE_BUILD_DIR:-$GRIDBILL_ROOT/build-sanitize}"
jobs="${GRIDBILL_JOBS:-$(nproc)}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$GRIDBILL_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

if [[ ! -f "$dir/build.ninja" ]]; then
  say "configuring $dir (address,undefined)"
  # No benchmarks: they are not run by the tests. -O1 -g1 (line tables):
  # sanitizer reports keep their lines, the build takes less time, and
  # assertions stay on.
  cmake -S "$GRIDBILL_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    -DGRIDBILL_SANITIZE=address,undefined -DGRIDBILL_BUILD_BENCHMARKS=OFF
fi
start=$SECONDS
say "building $dir (-j$jobs)"
# shellcheck disable=SC2086  # a list of targets
cmake --build "$dir" -j "$jobs" ${GRIDBILL_SANITIZE_TARGETS:+--target $GRIDBILL_SANITIZE_TARGETS}
build_seconds=$((SECONDS - start))

reports="$dir/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
# Leaks of the libraries we link (one-time allocations that live until
# exit) are listed with the reason in deploy/sanitize/lsan.supp.
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0:strict_init_order=1:log_path=$reports/asan:log_exe_name=1"
export LSAN_OPTIONS="suppressions=$GRIDBILL_ROOT/deploy/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan:log_exe_name=1"
# UBSan's log_path is not honoured with GCC's address,undefined runtimes: its
# reports go to the process's stderr. The test harnesses copy a child's log
# holding one into this folder before deleting it (KeepSanitizerReports,
# libs/testing), and what reached a test's own output is searched in ctest's
# log below.
export GRIDBILL_SANITIZER_REPORTS="$reports"

say "running the unit, PostgreSQL and suite tests under the sanitizers"
start=$SECONDS
rc=0
ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 3600 --no-tests=error \
  -L 'unit|pg|suite' "$@" || rc=$?
test_seconds=$((SECONDS - start))

# UBSan reports in the tests' output (the test's process, a child writing to
# the test's stderr, or a failing test printing a child's log): ctest keeps
# every test's output, passed or not, in LastTest.log. One file for them all.
ctest_log="$dir/Testing/Temporary/LastTest.log"
if [[ -f "$ctest_log" ]] && grep -q 'runtime error:' "$ctest_log"; then
  grep -B 3 -A 20 'runtime error:' "$ctest_log" >"$reports/ubsan-test-output" || true
fi

found=0
for f in "$reports"/*; do
  [[ -e "$f" ]] || continue
  found=$((found + 1))
  printf '\n=== %s\n' "$f"
  head -n 60 "$f"
done
printf '\nsanitized build %ds, tests %ds, exit %d, sanitizer reports %d (%s)\n' \
  "$build_seconds" "$test_seconds" "$rc" "$found" "$reports"
[[ $rc -eq 0 && $found -eq 0 ]]
