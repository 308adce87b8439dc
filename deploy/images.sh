#!/usr/bin/env bash
# Builds one OCI image per service (gridbill/<service>:<git describe>) with
# buildah, from Debian 12, and writes each as an OCI archive to
# build/images/<service>.oci.tar. No image registry is needed.
#
#   ./deploy/images.sh [SERVICE...]      (default: every built service)
#
# Stages: (1) a Debian 12 root filesystem made by debootstrap (minbase) from
# Debian's archive, cached in build/images/rootfs-bookworm; (2) the runtime
# layer: into a copy of it, apt installs the packages that own the shared
# libraries the service binaries load (found with ldd + dpkg -S from the
# binaries, not listed by hand), plus fonts-dejavu-core (invoicing's PDFs),
# ca-certificates and tzdata; then apt itself, the package caches and the
# docs are removed; (3) per service, the
# binary on top (its migrations are embedded in it) and user 10001.
# The entry point is the binary itself: no shell is needed to start.
# One image per service rather than one with every binary: each pulls and
# rolls out on its own and carries only its binary; the runtime layer is
# shared, so a node stores it once.
#
# Needs root, buildah and debootstrap (deploy/install-deps.sh), and Debian's
# archive. Environment: GRIDBILL_DEBIAN_MIRROR (http://deb.debian.org/debian).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mirror="${GRIDBILL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
out="$BUILD_DIR/images"
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot

for tool in buildah debootstrap ldd dpkg; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh installs buildah and debootstrap)"
done
[[ $(id -u) -eq 0 ]] || die "deploy/images.sh needs root (debootstrap, buildah with the vfs driver)"

services=("$@")
if [[ ${#services[@]} -eq 0 ]]; then
  for line in "${SERVICES[@]}"; do
    read -r svc _ <<<"$line"
    [[ -n "$(service_binary "$svc")" ]] && services+=("$svc")
  done
fi
[[ ${#services[@]} -gt 0 ]] || die "no service binary built yet: bash deploy/build.sh --runtime"

version="$(git -C "$GRIDBILL_ROOT" describe --always --dirty --tags 2>/dev/null || echo unknown)"
revision="$(git -C "$GRIDBILL_ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
mkdir -p "$out"

# --- stage 1: Debian 12 root filesystem ---------------------------------------
# Made only when the runtime layer below must be built: with that layer in
# buildah's storage already (a fresh checkout on a machine that built it
# before, as CI is), fetching Debian again would be thrown away.
rootfs="$out/rootfs-bookworm"
make_rootfs() {
  if [[ ! -f "$rootfs/etc/debian_version" ]]; then
    say "debootstrap: Debian 12 (bookworm, minbase) into $rootfs"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
      die "debootstrap failed" "$out/debootstrap.log"
  fi
}

# --- stage 2: the runtime layer -------------------------------------------------
# The packages owning every shared library the binaries load.
bins=()
for svc in "${services[@]}"; do
  b="$(service_binary "$svc")"
  [[ -n "$b" ]] || die "gridbill-$svc has not been built"
  bins+=("$b")
done
mapfile -t libs < <(ldd "${bins[@]}" | awk '/=> \//{print $3}' | sort -u)
mapfile -t pkgs < <(for l in "${libs[@]}"; do dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l"; done |
  cut -d: -f1 | sort -u)
pkgs+=(fonts-dejavu-core ca-certificates tzdata)
say "runtime layer: ${#libs[@]} shared libraries from ${#pkgs[@]} packages"

runtime_id="$( (printf '%s\n' "${pkgs[@]}"; sed -n '/^# --- stage 2/,/^# --- stage 3/p' "${BASH_SOURCE[0]}") | sha256sum | cut -c1-12)"
runtime_image="localhost/gridbill/runtime:$runtime_id"
if ! buildah images -q "$runtime_image" >/dev/null 2>&1; then
  make_rootfs
  ctr="$(buildah from scratch)"
  mnt="$(buildah mount "$ctr")"
  cp -a "$rootfs/." "$mnt/"
  cp /etc/resolv.conf "$mnt/etc/resolv.conf"
  chroot "$mnt" apt-get update -qq >"$out/runtime-apt.log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive chroot "$mnt" apt-get install -y -qq --no-install-recommends \
      "${pkgs[@]}" >>"$out/runtime-apt.log" 2>&1 || die "installing the runtime packages failed" "$out/runtime-apt.log"
  # No package manager (images are rebuilt, never upgraded in place), no
  # package cache, no docs; a user that owns nothing.
  chroot "$mnt" apt-get clean
  chroot "$mnt" dpkg --purge --force-depends apt >>"$out/runtime-apt.log" 2>&1
  rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/var/cache/* "$mnt"/usr/share/doc/* "$mnt"/usr/share/man/* \
    "$mnt"/usr/share/info/* "$mnt"/etc/resolv.conf
  echo "gridbill:x:10001:10001:gridbill:/nonexistent:/usr/sbin/nologin" >>"$mnt/etc/passwd"
  echo "gridbill:x:10001:" >>"$mnt/etc/group"
  buildah unmount "$ctr" >/dev/null
  buildah commit --rm "$ctr" "$runtime_image" >/dev/null
fi

# Older runtime layers go (vfs stores each as a full copy).
buildah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/gridbill/runtime:' |
  grep -vxF "$runtime_image" | xargs -r buildah rmi >/dev/null 2>&1 || true

# --- stage 3: one image per service ---------------------------------------------
for svc in "${services[@]}"; do
  bin="$(service_binary "$svc")"
  image="gridbill/$svc:$version"
  ctr="$(buildah from "$runtime_image")"
  buildah copy --chmod 0755 "$ctr" "$bin" "/usr/local/bin/gridbill-$svc" >/dev/null
  read -r _ grpc_port metrics_port < <(printf '%s\n' "${SERVICES[@]}" | awk -v s="$svc" '$1 == s')
  buildah config --user 10001:10001 --workingdir / \
    --entrypoint "[\"/usr/local/bin/gridbill-$svc\"]" --cmd '[]' \
    --port "$grpc_port" --port "$metrics_port" \
    --label "org.opencontainers.image.title=gridbill-$svc" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.revision=$revision" \
    --label "org.opencontainers.image.source=https://gridbill.example.com/gridbill.git" \
    --label "org.opencontainers.image.base.name=debian:bookworm" "$ctr"
  buildah commit --rm "$ctr" "$image" >/dev/null
  # Older images of this service go: the archive is what is kept.
  buildah images --format '{{.Name}}:{{.Tag}}' | grep "^localhost/gridbill/$svc:" |
    grep -vxF "localhost/$image" | xargs -r buildah rmi >/dev/null 2>&1 || true
  rm -f "$out/$svc.oci.tar"
  buildah push "$image" "oci-archive:$out/$svc.oci.tar:$image" >/dev/null
  size="$(du -h "$out/$svc.oci.tar" | cut -f1)"
  say "$image -> build/images/$svc.oci.tar ($size)"
done
