#!/usr/bin/env bash
# The soak: ingest, portal reads (gRPC-web through the gateway) and month
# closes together against the real binaries for MINUTES (default 5), printing
# each minute's latency percentiles, error counts and every process's memory.
# It starts its own throwaway PostgreSQL and services on free ports: nothing
# of `up` is touched. Usage: deploy/soak.sh [MINUTES] [POINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-5}"
points="${2:-100}"
GRIDBILL_JOBS="${GRIDBILL_JOBS:-2}" bash deploy/build.sh gridbill-soak >&2
GRIDBILL_SOAK_MINUTES="$minutes" GRIDBILL_SOAK_POINTS="$points" \
  exec "${GRIDBILL_BUILD_DIR:-build}/tests/faults/gridbill-soak"
