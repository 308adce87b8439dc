#!/usr/bin/env bash
# deploy/images.sh builds the contracts image (as root, buildah with the vfs
# driver, no registry); the image has no compiler and no package manager
# cache, every shared library its binary needs resolves inside it, it carries
# the OCI labels and runs as user 10001; its size is printed. Skipped (exit
# 77) with the reason where buildah cannot build here.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
skip() { echo "SKIPPED: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "deploy/images.sh needs root (debootstrap, buildah)"
command -v buildah >/dev/null || skip "buildah is not installed (deploy/install-deps.sh)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (deploy/install-deps.sh)"
probe="$(buildah from scratch 2>&1)" || skip "buildah cannot make a container here: $probe"
buildah rm "$probe" >/dev/null
# The first build fetches Debian from its archive: without it there is
# nothing to build from (a cached root filesystem is enough).
mirror="${GRIDBILL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if [[ ! -f "${GRIDBILL_BUILD_DIR:-$root/build}/images/rootfs-bookworm/etc/debian_version" ]]; then
  wget -q -T 20 -t 2 --spider "$mirror/dists/bookworm/Release" ||
    skip "Debian's archive ($mirror) cannot be reached: debootstrap has nothing to fetch from"
fi

log="$(mktemp)"
bash "$root/deploy/images.sh" contracts 2>&1 | tee "$log"
archive="${GRIDBILL_BUILD_DIR:-$root/build}/images/contracts.oci.tar"
[[ -s "$archive" ]] || { echo "FAIL: $archive was not written"; exit 1; }
# The name images.sh gave it ("==> gridbill/contracts:<version> -> ...").
image="localhost/$(sed -n 's/.*==> \(gridbill\/contracts:[^ ]*\) -> .*/\1/p' "$log" | tail -n 1)"
rm -f "$log"
[[ "$image" == localhost/gridbill/contracts:* ]] || { echo "FAIL: images.sh did not name the image"; exit 1; }
ctr="$(buildah from "$image")"
# The test's image goes afterwards (vfs keeps every layer as a full copy);
# the cached runtime layer stays for the next build.
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true; buildah rmi "$image" >/dev/null 2>&1 || true' EXIT
mnt="$(buildah mount "$ctr")"
fail=0
for f in usr/bin/gcc usr/bin/g++ usr/bin/cc usr/bin/c++ usr/bin/ld usr/bin/apt-get usr/bin/apt; do
  if [[ -e "$mnt/$f" ]]; then echo "FAIL: the image contains /$f"; fail=1; fi
done
if [[ -n "$(ls -A "$mnt/var/lib/apt/lists" 2>/dev/null)" || -n "$(ls -A "$mnt/var/cache/apt" 2>/dev/null)" ]]; then
  echo "FAIL: the image keeps a package manager cache"; fail=1
fi
missing="$(chroot "$mnt" /usr/bin/ldd /usr/local/bin/gridbill-contracts | grep 'not found' || true)"
if [[ -n "$missing" ]]; then echo "FAIL: libraries missing in the image: $missing"; fail=1; fi
info="$(buildah inspect --type image "$image")"
for want in '"User": "10001:10001"' 'org.opencontainers.image.version' 'org.opencontainers.image.revision' \
  'org.opencontainers.image.source' '/usr/local/bin/gridbill-contracts'; do
  grep -qF "$want" <<<"$info" || { echo "FAIL: image config lacks $want"; fail=1; }
done
echo "image $image: $(du -h "$archive" | cut -f1) as an OCI archive"

# Started by a container runtime: the entry point is the binary (no shell),
# run read-only as user 10001. Without a database it must say so and exit.
if command -v podman >/dev/null; then
  podman --storage-driver vfs load -i "$archive" >/dev/null
  ran="$(timeout 120 podman --storage-driver vfs run --rm --network none --read-only \
    -e GRIDBILL_DATABASE_URL=postgresql://nobody@127.0.0.1:1/none -e GRIDBILL_METRICS_ADDRESS= \
    "$image" 2>&1 || true)"
  podman --storage-driver vfs rmi "$image" >/dev/null 2>&1 || true
  if grep -q "OCI permission denied\|OCI runtime" <<<"$ran"; then
    echo "NOTE: podman cannot run containers on this machine, the image was not started: $(tail -n 1 <<<"$ran")"
  elif grep -qi "connect\|database" <<<"$ran"; then
    echo "podman started $image: $(grep -i 'connect\|database' <<<"$ran" | head -n 1 | cut -c1-200)"
  else
    echo "FAIL: podman run of $image: $ran"; fail=1
  fi
fi
[[ $fail -eq 0 ]] && echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; exit 1; }
