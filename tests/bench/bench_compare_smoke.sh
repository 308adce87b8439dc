#!/usr/bin/env bash
# deploy/bench-compare.sh as the README shows it, at the tiny size: every one
# of the four benchmarks must run for both builds, the baseline's section
# must name the older binary it started and this build's section its own,
# and each section must print its figures.
#   --base-dir: this build's own binaries copied to a temporary folder are
#     the "older build"; then one benchmark in 2 alternating rounds.
#   --base REV (with GRIDBILL_BENCH_ONLY=invoicing, to keep it short): the
#     script builds REV in a git worktree of its own (a temporary folder
#     here, through GRIDBILL_BENCH_BASE_WORKTREE, so that the checkout's
#     .bench-base/ is left alone) and copies the binary that benchmark needs
#     to bin-base/; both sections must print their figures, the baseline's
#     from that binary, and the worktree must be left at REV. Then a run
#     with --base-dir on bin-base/ (the reuse the script's header shows).
#
#   bench_compare_smoke.sh <checkout> <build dir> --base-dir <gridbill-metering> <gridbill-balance>
#                          <gridbill-gateway> <gridbill_invoicing_bench>
#   bench_compare_smoke.sh <checkout> <build dir> --base REV
set -euo pipefail
root="$1" build="$2" mode="$3"
shift 3
tmp="$(mktemp -d /tmp/gridbill-bench-base.XXXXXX)"
wt="$tmp/bench-base"
cleanup() {
  if [[ -d "$wt" ]]; then git -C "$root" worktree remove --force "$wt" || true; fi
  git -C "$root" worktree prune
  rm -rf "$tmp"
}
trap cleanup EXIT
out="$tmp/out.txt"
compare() {
  GRIDBILL_BENCH_SIZE=tiny GRIDBILL_BENCH_BUILD=0 GRIDBILL_BUILD_DIR="$build" \
    GRIDBILL_BENCH_BASE_WORKTREE="$wt" bash "$root/deploy/bench-compare.sh" "$@" 2>&1 | tee "$out"
}
problems=0
fail() {
  echo "bench_compare_smoke: $*"
  problems=$((problems + 1))
}
case "$mode" in
  --base-dir)
    base="$tmp"
    cp "$@" "$base/"
    compare --base-dir "$base"
    ;;
  --base)
    rev="$(git -C "$root" rev-parse "$1")"
    base="$wt/build/bin-base"
    start=$SECONDS
    GRIDBILL_BENCH_ONLY=invoicing compare --base "$1"
    seconds=$((SECONDS - start))
    [[ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" == "$rev" ]] || fail "the worktree $wt is not at $1 ($rev)"
    worktrees="$(git -C "$root" worktree list --porcelain)"
    [[ $'\n'"$worktrees"$'\n' == *$'\n'"worktree $wt"$'\n'* ]] || fail "$wt is not a worktree of the checkout"
    built="$(ls "$base" 2>/dev/null | paste -sd' ')"
    [[ "$built" == gridbill_invoicing_bench ]] || fail "bin-base/ holds \"$built\", not the invoicing benchmark alone"
    grep -qF "invoice run: baseline (the older build's benchmark, $base/gridbill_invoicing_bench)" "$out" ||
      fail "the invoice run's baseline is not $base/gridbill_invoicing_bench"
    [[ "$(grep -cE 'ratio batched / baseline: +[0-9.]+' "$out")" -eq 2 ]] ||
      fail "--base $1 did not print the invoice run's ratio for both builds"
    ! grep -qE '^WARNING|_bench: ' "$out" || fail "the benchmark warned or failed (see above)"
    # The kept worktree's binary again, as --base-dir (it reads the
    # migrations of the worktree it was built from).
    GRIDBILL_BENCH_ONLY=invoicing compare --base-dir "$base"
    [[ "$(grep -cE 'ratio batched / baseline: +[0-9.]+' "$out")" -eq 2 ]] ||
      fail "--base-dir $base did not print the invoice run's ratio for both builds"
    [[ $problems -eq 0 ]] || exit 1
    echo "bench_compare_smoke: --base $1 built in a worktree and compared in ${seconds} s: the invoice run for both builds, figures printed; its binary reused with --base-dir"
    exit 0
    ;;
  *) echo "usage: bench_compare_smoke.sh <checkout> <build dir> --base-dir BINARIES... | --base REV" >&2; exit 2 ;;
esac

# The text of one section: from its heading to the next.
section() { awk -v h="==== $1" 'index($0, "==== ") { on = index($0, h) > 0; next } on' "$out"; }
check() {  # <section heading> <extended regex that must be in it> <what>
  if ! section "$1" | grep -qE -- "$2"; then
    fail "\"$1\" lacks $3 (/$2/)"
  fi
}
for bench in "metering ingestion" "balance run" "gateway"; do
  check "$bench: baseline" "^binary: $base/gridbill-[a-z]+ \\(GRIDBILL_BENCH_[A-Z]+\\)" "the copied binary"
  check "$bench: this build" "^binary: .* \\(this build\\)$" "this build's binary"
done
for who in "baseline" "this build"; do
  check "metering ingestion: $who" "^API +IngestReadings: [0-9]+ readings in [0-9.]+ s = [0-9]+ readings/s" "its rate"
  check "balance run: $who" "^run +final run end to end .*: [0-9.]+ s, [0-9]+ point-days" "its run time"
  check "invoice run: $who" "ratio batched / baseline: +[0-9.]+" "its ratio"
  check "gateway: $who" "^verdict grpc-web" "its verdict"
done
if ! grep -qF "invoice run: baseline (the older build's benchmark, $base/gridbill_invoicing_bench)" "$out"; then
  fail "the invoice run's baseline is not $base/gridbill_invoicing_bench"
fi
if grep -qE '^WARNING|_bench: ' "$out"; then
  fail "a benchmark warned or failed (see above)"
fi

# One benchmark in alternating rounds: only it, baseline then this build, twice.
GRIDBILL_BENCH_ONLY=invoicing GRIDBILL_BENCH_REPEAT=2 compare --base-dir "$base"
order="$(grep -oE '==== (round [0-9] of 2|[a-z ]+: (baseline|this build))' "$out" | sed 's/==== //' | paste -sd,)"
want="round 1 of 2,invoice run: baseline,invoice run: this build,round 2 of 2,invoice run: baseline,invoice run: this build"
[[ "$order" == "$want" ]] || fail "GRIDBILL_BENCH_ONLY=invoicing GRIDBILL_BENCH_REPEAT=2 ran: $order"
[[ "$(grep -cE 'ratio batched / baseline: +[0-9.]+' "$out")" -eq 4 ]] ||
  fail "the two rounds did not print 4 invoice-run ratios"
[[ $problems -eq 0 ]] || exit 1
echo "bench_compare_smoke: 4 benchmarks, both builds, figures printed; one benchmark in 2 rounds"
