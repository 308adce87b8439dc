#!/usr/bin/env bash
# Command 2: runs everything. Installs what is missing, builds every target
# (tests and benchmarks; benchmarks are built, not run), then runs every test
# with ctest: proto lint (buf), the clang-format check, the pure *_test
# binaries, the real-PostgreSQL *_pgtest binaries and the suite tests under
# tests/. Ends with ctest's summary line; exits non-zero on any failure.
#
#   ./deploy/test.sh [ctest arguments, e.g. -L suite or -R contracts]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$GRIDBILL_ROOT/deploy/install-deps.sh"
bash "$GRIDBILL_ROOT/deploy/build.sh"

say "running the tests"
cd "$GRIDBILL_ROOT"
exec ctest --test-dir "$BUILD_DIR" -j "${GRIDBILL_JOBS:-$(nproc)}" --output-on-failure \
  --timeout 900 --no-tests=error "$@"
