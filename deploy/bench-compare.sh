#!/usr/bin/env bash
# Runs the benchmarks of metering, balance, invoicing and the gateway for two
# builds under the same load, one after the other in one run: an older build
# (the baseline) and this checkout's build. Prints each benchmark's figures
# for both, labelled. Measures; never passes or fails on a time.
#
#   deploy/bench-compare.sh --base REV        # builds REV in .bench-base/build/ (a git worktree at REV;
#                                             # the next --base replaces it, --base-dir .bench-base/build/bin-base reuses it;
#                                             # only the binaries GRIDBILL_BENCH_ONLY's benchmarks need)
#   deploy/bench-compare.sh --base-dir DIR    # older binaries already built: gridbill-metering,
#                                             # gridbill-balance, gridbill-gateway, gridbill_invoicing_bench
#   (the services embed their migrations, but gridbill_invoicing_bench reads
#   them from the source folder it was built from: keep that tree, or use --base)
#   GRIDBILL_BENCH_SIZE=tiny|small|full (default full): small runs in a few
#   minutes, tiny in seconds per benchmark (the sizes of the ctest smokes:
#   it shows that the comparison runs, not how fast anything is)
#   GRIDBILL_BENCH_BUILD=0: use the binaries of the build folder as they are
#   (GRIDBILL_BUILD_DIR, default build/) instead of building them first
#   GRIDBILL_BENCH_ONLY="invoicing balance" (default all four): which benchmarks
#   GRIDBILL_BENCH_REPEAT=N (default 1): N alternating rounds, baseline then this
#   build, so that a loaded machine's drift falls on both series alike
#   GRIDBILL_BENCH_BASE_WORKTREE (default .bench-base of the checkout): where --base
#   puts the worktree (a test's own folder, so that it leaves the user's alone)
#
# The metering, balance and gateway benchmarks of this build start the older
# service binaries through GRIDBILL_BENCH_METERING / _BALANCE / _GATEWAY (the
# same load generator for both); the invoicing benchmark runs in-process, so
# the older build's own benchmark binary runs for the baseline.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

only="${GRIDBILL_BENCH_ONLY:-metering balance invoicing gateway}"
repeat="${GRIDBILL_BENCH_REPEAT:-1}"
wanted() { [[ " $only " == *" $1 "* ]]; }

base_dir=""
case "${1:-}" in
  --base)
    [[ -n "${2:-}" ]] || die "--base needs a git revision"
    rev="$2"
    wt="${GRIDBILL_BENCH_BASE_WORKTREE:-$GRIDBILL_ROOT/.bench-base}"
    if [[ -d "$wt" ]]; then git -C "$GRIDBILL_ROOT" worktree remove --force "$wt"; fi
    git -C "$GRIDBILL_ROOT" worktree add --detach "$wt" "$rev" >/dev/null
    # The older binaries the wanted benchmarks start (this build's
    # contracts serves both runs).
    base_bins=()
    if wanted metering || wanted balance; then base_bins+=(gridbill-metering); fi
    if wanted balance; then base_bins+=(gridbill-balance); fi
    if wanted invoicing; then base_bins+=(gridbill_invoicing_bench); fi
    if wanted gateway; then base_bins+=(gridbill-gateway); fi
    [[ ${#base_bins[@]} -gt 0 ]] || die "GRIDBILL_BENCH_ONLY names none of: metering balance invoicing gateway"
    # No fuzzers in the base's build (GRIDBILL_CLANGXX=OFF): their configure
    # runs pkg-config about a hundred times, minutes on a loaded machine.
    GRIDBILL_BUILD_DIR="$wt/build" GRIDBILL_CMAKE_ARGS="${GRIDBILL_CMAKE_ARGS:-} -DGRIDBILL_CLANGXX=OFF" \
      bash "$wt/deploy/build.sh" "${base_bins[@]}"
    base_dir="$wt/build/bin-base"
    mkdir -p "$base_dir"
    for f in "${base_bins[@]}"; do
      cp "$(find "$wt/build" -type f -name "$f" -perm -u+x | head -1)" "$base_dir/"
    done
    ;;
  --base-dir)
    [[ -d "${2:-}" ]] || die "--base-dir needs a folder with the older binaries"
    base_dir="$(cd "$2" && pwd)"
    ;;
  *) die "usage: deploy/bench-compare.sh --base REV | --base-dir DIR" ;;
esac

targets=()
wanted metering && targets+=(gridbill-metering gridbill_metering_ingest_bench)
wanted balance && targets+=(gridbill-metering gridbill-balance gridbill-contracts gridbill_balance_run_bench)
wanted invoicing && targets+=(gridbill_invoicing_bench)
wanted gateway && targets+=(gridbill-gateway gridbill-contracts gateway_bench)
[[ ${#targets[@]} -gt 0 ]] || die "GRIDBILL_BENCH_ONLY names none of: metering balance invoicing gateway"
if [[ "${GRIDBILL_BENCH_BUILD:-1}" != 0 ]]; then
  bash "$GRIDBILL_ROOT/deploy/build.sh" "${targets[@]}"
fi

case "${GRIDBILL_BENCH_SIZE:-full}" in
  tiny)
    metering_args=(--points=40 --days=2 --batch_points=16 --skip_copy)
    balance_args=(--points=40 --participants=4 --days=2 --shard_points=10 --skip_sql)
    invoicing_args=(--contracts=300 --baseline_contracts=50 --pdfs=5)
    export GRIDBILL_BENCH_RATE="${GRIDBILL_BENCH_RATE:-200}" GRIDBILL_BENCH_SECONDS="${GRIDBILL_BENCH_SECONDS:-1}" \
      GRIDBILL_BENCH_WORKERS="${GRIDBILL_BENCH_WORKERS:-4}" GRIDBILL_BENCH_CALLS="${GRIDBILL_BENCH_CALLS:-300}" \
      GRIDBILL_BENCH_CLIENTS="${GRIDBILL_BENCH_CLIENTS:-4}"
    ;;
  small)
    metering_args=(--points=1000 --days=31 --skip_copy)
    balance_args=(--points=1000 --participants=100 --skip_sql)
    invoicing_args=(--contracts=20000 --baseline_contracts=1000 --pdfs=100)
    export GRIDBILL_BENCH_SECONDS="${GRIDBILL_BENCH_SECONDS:-5}" GRIDBILL_BENCH_CALLS="${GRIDBILL_BENCH_CALLS:-10000}"
    ;;
  full)
    metering_args=(--points=10000 --days=31 --skip_copy)
    balance_args=(--points=10000 --participants=1000 --skip_sql)
    invoicing_args=()
    ;;
  *) die "GRIDBILL_BENCH_SIZE is tiny, small or full, not ${GRIDBILL_BENCH_SIZE}" ;;
esac

bench="$BUILD_DIR/services"
section() { printf '\n\033[1m==== %s\033[0m\n' "$*"; }

for ((round = 1; round <= repeat; round++)); do
  [[ "$repeat" -eq 1 ]] || section "round $round of $repeat"
  if wanted metering; then
    section "metering ingestion: baseline"
    GRIDBILL_BENCH_METERING="$base_dir/gridbill-metering" \
      "$bench/metering/bench/gridbill_metering_ingest_bench" "${metering_args[@]}"
    section "metering ingestion: this build"
    "$bench/metering/bench/gridbill_metering_ingest_bench" "${metering_args[@]}"
  fi

  if wanted balance; then
    section "balance run: baseline"
    GRIDBILL_BENCH_METERING="$base_dir/gridbill-metering" GRIDBILL_BENCH_BALANCE="$base_dir/gridbill-balance" \
      "$bench/balance/bench/gridbill_balance_run_bench" "${balance_args[@]}"
    section "balance run: this build"
    "$bench/balance/bench/gridbill_balance_run_bench" "${balance_args[@]}"
  fi

  if wanted invoicing; then
    section "invoice run: baseline (the older build's benchmark, $base_dir/gridbill_invoicing_bench)"
    "$base_dir/gridbill_invoicing_bench" "${invoicing_args[@]}"
    section "invoice run: this build"
    "$bench/invoicing/bench/gridbill_invoicing_bench" "${invoicing_args[@]}"
  fi

  if wanted gateway; then
    section "gateway: baseline"
    GRIDBILL_BENCH_GATEWAY="$base_dir/gridbill-gateway" "$bench/gateway/bench/gateway_bench"
    section "gateway: this build"
    "$bench/gateway/bench/gateway_bench"
  fi
done
