#!/usr/bin/env bash
# Configures (once) and builds the suite with Ninja and ccache into build/ of
# the checkout (GRIDBILL_BUILD_DIR overrides). Arguments, if any, are the
# targets to build; `--runtime` means what `up` runs (every service binary the
# build defines, and gridbillctl); without arguments everything is built,
# tests and benchmarks too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Let ccache hit across checkouts (a clean clone in another folder reuses the
# cache of this one): paths under the checkout are hashed relative to it.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$GRIDBILL_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

jobs="${GRIDBILL_JOBS:-$(nproc)}"

if [[ -f "$BUILD_DIR/CMakeCache.txt" ]] &&
  ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$BUILD_DIR/CMakeCache.txt"; then
  die "$BUILD_DIR was configured with another generator than Ninja; remove it and run again"
fi
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then  # never configured, or the last configure failed
  say "configuring $BUILD_DIR"
  cmake -S "$GRIDBILL_ROOT" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    ${GRIDBILL_CMAKE_ARGS:-}
fi

if [[ "${1:-}" == "--runtime" ]]; then
  shift
  wanted=(gridbillctl gridbill-integrations gridbill-esf-standin gridbill-itsm-standin
    gridbill-cmis-standin gridbill-erp-standin)
  for line in "${SERVICES[@]}"; do
    read -r svc _ <<<"$line"
    wanted+=("gridbill-$svc")
  done
  ninja -C "$BUILD_DIR" build.ninja >/dev/null  # re-run CMake if a CMakeLists.txt changed
  defined="$(ninja -C "$BUILD_DIR" -t targets all | sed -n 's/^\([^:/]*\): .*/\1/p' | sort -u)"
  for t in "${wanted[@]}"; do
    if grep -qxF "$t" <<<"$defined"; then set -- "$@" "$t"; fi
  done
  [[ $# -gt 0 ]] || { warn "the build defines no service binary and no gridbillctl yet"; exit 0; }
fi

say "building${*:+ $*} in $BUILD_DIR (-j$jobs)"
if [[ $# -gt 0 ]]; then
  cmake --build "$BUILD_DIR" -j "$jobs" --target "$@"
else
  cmake --build "$BUILD_DIR" -j "$jobs"
fi
