#!/usr/bin/env bash
# ./deploy/test-sanitized.sh as the README shows it, narrowed the way it
# says (GRIDBILL_SANITIZE_TARGETS and ctest's -R) to one small unit-test
# target and the canary, in a build folder of its own (configured from
# nothing each time; ccache makes the sanitized objects cheap after the
# first run). Checks what a user reads: the tests passed, the binaries carry
# the ASan and UBSan runtimes, and the closing line says exit 0 and 0
# sanitizer reports. Then the canary plants a real heap overflow, once in a
# child process whose test still passes and once in the test's own process,
# and a signed overflow in a child (UBSan), once on the test's stderr and
# once in a log the test deletes: the script must fail every time and count
# the report.
#
#   sanitize_smoke.sh <checkout> <build folder for the sanitized build>
set -euo pipefail
root="$1" dir="$2"
rm -rf "$dir"
mkdir -p "$dir"
out="$(mktemp /tmp/gridbill-sanitize-smoke.XXXXXX)"
trap 'rm -f "$out"' EXIT
export GRIDBILL_SANITIZE_BUILD_DIR="$dir"
export GRIDBILL_SANITIZE_TARGETS="gridbill_base_test gridbill_sanitize_canary"
export GRIDBILL_JOBS="${GRIDBILL_JOBS:-2}"
unset GRIDBILL_SANITIZE_CANARY
reports="$dir/sanitizer-reports"
problems=0
fail() {
  echo "sanitize_smoke: $*"
  problems=$((problems + 1))
}
run() {  # <ctest -R regex>: runs the script, leaves its exit status in $rc
  rc=0
  bash "$root/deploy/test-sanitized.sh" -R "$1" 2>&1 | tee "$out" || rc=$?
  closing="$(tail -n 1 "$out")"
}
closing_re() {  # <ctest exit regex> <reports>
  echo "^sanitized build [0-9]+s, tests [0-9]+s, exit $1, sanitizer reports $2 \\($reports\\)\$"
}

# 1. Clean: the base library's unit tests and the canary with nothing planted.
start=$SECONDS
run '^(gridbill_base_test:|sanitize_canary$)'
clean_seconds=$((SECONDS - start))
[[ $rc -eq 0 ]] || fail "the clean run exited $rc"
[[ "$closing" =~ $(closing_re 0 0) ]] || fail "the clean run's closing line is: $closing"
passed="$(sed -nE 's/^100% tests passed, 0 tests failed out of ([0-9]+)$/\1/p' "$out")"
[[ "${passed:-0}" -ge 10 ]] || fail "expected the base tests and the canary to pass, ctest said: $(grep -E 'tests passed|tests failed' "$out")"
grep -qE 'Test +#[0-9]+: sanitize_canary \.+ +Passed' "$out" || fail "the canary did not run"
for bin in gridbill_base_test gridbill_sanitize_canary; do
  path="$(find "$dir" -type f -name "$bin" -perm -u+x | head -1)"
  if [[ -z "$path" ]]; then
    fail "$bin was not built in $dir"
  else
    needed="$(readelf -d "$path")"
    [[ "$needed" == *'[libasan.so'* && "$needed" == *'[libubsan.so'* ]] ||
      fail "$path does not link the ASan and UBSan runtimes"
  fi
done

# 2. A child process overflows; its test passes: the report alone must fail the run.
GRIDBILL_SANITIZE_CANARY=child run '^sanitize_canary$'
[[ $rc -ne 0 ]] || fail "a child's sanitizer report did not fail the run"
[[ "$closing" =~ $(closing_re 0 1) ]] || fail "with a child's report the closing line is: $closing"
grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$out" || fail "the child's report was not printed"

# 3. A child's UndefinedBehaviorSanitizer report, which does not go to the
# report folder by itself: once on the test's stderr (found in ctest's log),
# once in a log file the test deletes (kept by KeepSanitizerReports).
GRIDBILL_SANITIZE_CANARY=child-ub run '^sanitize_canary$'
[[ $rc -ne 0 ]] || fail "a child's UBSan report on the test's stderr did not fail the run"
[[ "$closing" =~ $(closing_re 0 1) ]] || fail "with a child's UBSan report the closing line is: $closing"
grep -q 'runtime error: signed integer overflow' "$out" || fail "the child's UBSan report was not printed"
GRIDBILL_SANITIZE_CANARY=child-ub-log run '^sanitize_canary$'
[[ $rc -ne 0 ]] || fail "a child's UBSan report in a deleted log did not fail the run"
[[ "$closing" =~ $(closing_re 0 1) ]] || fail "with a child's UBSan report in a log the closing line is: $closing"
grep -q 'ubsan-child.child.log.0' "$out" || fail "the kept log was not listed"

# 4. The test's own process overflows: the test fails and the report is counted.
GRIDBILL_SANITIZE_CANARY=overflow run '^sanitize_canary$'
[[ $rc -ne 0 ]] || fail "an overflow in the test did not fail the run"
[[ "$closing" =~ $(closing_re '[1-9][0-9]*' 1) ]] || fail "with the test's own report the closing line is: $closing"
grep -q 'ERROR: AddressSanitizer: heap-buffer-overflow' "$out" || fail "the test's report was not printed"

[[ $problems -eq 0 ]] || exit 1
rm -rf "$dir"
echo "sanitize_smoke: $passed tests passed sanitized, reports 0 (${clean_seconds} s from nothing); a child's ASan or UBSan report and a test's report each fail the run"
