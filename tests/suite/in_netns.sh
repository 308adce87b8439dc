#!/bin/sh
# Runs "$@" in a network namespace of its own with its loopback up, so that
# fixed ports (up's) are the namespace's. Exits 77 (ctest: skipped) where no
# namespace can be made: not root, or a container without CAP_SYS_ADMIN.
if ! unshare -n true 2>/dev/null; then
  echo "no network namespace can be made here (unshare -n needs root): skipped" >&2
  exit 77
fi
exec unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
