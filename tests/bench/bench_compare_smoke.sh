#!/usr/bin/env bash
# deploy/bench-compare.sh as the README shows it (`--base-dir DIR`), at the
# tiny size, with this build's own binaries copied to a temporary folder as
# the "older build": every one of the four benchmarks must run for both
# builds, the baseline's section must name the copied binary it started and
# this build's section its own, and each section must print its figures.
#
#   bench_compare_smoke.sh <checkout> <build dir> <gridbill-metering> <gridbill-balance>
#                          <gridbill-gateway> <gridbill_invoicing_bench>
set -euo pipefail
root="$1" build="$2"
shift 2
base="$(mktemp -d /tmp/gridbill-bench-base.XXXXXX)"
trap 'rm -rf "$base"' EXIT
cp "$@" "$base/"
out="$base/out.txt"

GRIDBILL_BENCH_SIZE=tiny GRIDBILL_BENCH_BUILD=0 GRIDBILL_BUILD_DIR="$build" \
  bash "$root/deploy/bench-compare.sh" --base-dir "$base" 2>&1 | tee "$out"

# The text of one section: from its heading to the next.
section() { awk -v h="==== $1" 'index($0, "==== ") { on = index($0, h) > 0; next } on' "$out"; }
problems=0
check() {  # <section heading> <extended regex that must be in it> <what>
  if ! section "$1" | grep -qE -- "$2"; then
    echo "bench_compare_smoke: \"$1\" lacks $3 (/$2/)"
    problems=$((problems + 1))
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
  echo "bench_compare_smoke: the invoice run's baseline is not the copied benchmark"
  problems=$((problems + 1))
fi
if grep -qE '^WARNING|_bench: ' "$out"; then
  echo "bench_compare_smoke: a benchmark warned or failed (see above)"
  problems=$((problems + 1))
fi

# One benchmark in alternating rounds: only it, baseline then this build, twice.
GRIDBILL_BENCH_ONLY=invoicing GRIDBILL_BENCH_REPEAT=2 GRIDBILL_BENCH_SIZE=tiny GRIDBILL_BENCH_BUILD=0 \
  GRIDBILL_BUILD_DIR="$build" bash "$root/deploy/bench-compare.sh" --base-dir "$base" 2>&1 | tee "$out"
order="$(grep -oE '==== (round [0-9] of 2|[a-z ]+: (baseline|this build))' "$out" | sed 's/==== //' | paste -sd,)"
want="round 1 of 2,invoice run: baseline,invoice run: this build,round 2 of 2,invoice run: baseline,invoice run: this build"
if [[ "$order" != "$want" ]]; then
  echo "bench_compare_smoke: GRIDBILL_BENCH_ONLY=invoicing GRIDBILL_BENCH_REPEAT=2 ran: $order"
  problems=$((problems + 1))
fi
if [[ "$(grep -cE 'ratio batched / baseline: +[0-9.]+' "$out")" -ne 4 ]]; then
  echo "bench_compare_smoke: the two rounds did not print 4 invoice-run ratios"
  problems=$((problems + 1))
fi
[[ $problems -eq 0 ]] || exit 1
echo "bench_compare_smoke: 4 benchmarks, both builds, figures printed; one benchmark in 2 rounds"
