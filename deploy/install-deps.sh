#!/usr/bin/env bash
# Installs everything the build, the tests and `up` use on Debian 12, and the
# Node tools (buf) in tools/node. Idempotent, and a fast no-op when all is
# present: packages are checked with dpkg-query first, apt runs only when
# something is missing. Needs root (or sudo) only when it has to install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export DEBIAN_FRONTEND=noninteractive

packages=(
  # build tools
  cmake ninja-build ccache g++ pkg-config git ca-certificates curl
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  prometheus-cpp-dev catch2 libpq-dev libssl-dev
  libexpat1-dev   # metering: XML imports
  libargon2-dev   # gateway: password hashing
  libhpdf-dev fonts-dejavu-core   # invoicing: PDF documents with an embedded Cyrillic/Kazakh font
  poppler-utils   # invoicing tests: pdftotext reads the rendered PDFs back
  libxlsxwriter-dev   # reporting: XLSX exports with native charts
  qpdf libreoffice-calc-nogui   # reporting tests: PDFs checked, XLSX converted back to CSV
  python3-statsmodels   # forecasting tests: the reference ETS / Holt-Winters fits
  libmicrohttpd-dev    # gateway: the gRPC-web door (HTTP/1.1 server)
  libcpp-httplib-dev   # gateway tests and benchmark: HTTP client
  chromium   # portal browser tests (playwright-core drives /usr/bin/chromium)
  clang-14 libclang-rt-14-dev   # gateway: the libFuzzer target of the gRPC-web frame parser
  # PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin) and contrib (btree_gist)
  postgresql-15 postgresql-contrib
  # promtool (checks /metrics), clang-format (style check)
  prometheus clang-format
  # deploy/images.sh: OCI images from a Debian root filesystem
  buildah debootstrap
  # deploy/certs.sh: the local CA and certificates of mutual TLS
  openssl
)

# One dpkg-query for all: a package it does not list as installed ("ii") is missing.
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)"
missing=()
for p in "${packages[@]}"; do
  grep -qE "^${p//+/\\+}(:[a-z0-9]+)? ii" <<<"$installed" || missing+=("$p")
done
# Node.js and npm: Debian's, unless a node is already there (e.g. NodeSource's,
# which carries its own npm).
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  say "installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
      die "missing packages (${missing[*]}); run this script as root"
    sudo=(sudo DEBIAN_FRONTEND=noninteractive)
  fi
  # Installing postgresql or prometheus must not start their system services:
  # the suite runs its own cluster. A policy-rc.d that denies every start does
  # that for the duration of the install (only when none is there already).
  policy=/usr/sbin/policy-rc.d
  remove_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    remove_policy=1
  fi
  trap '[[ $remove_policy -eq 1 ]] && "${sudo[@]}" rm -f "$policy"' EXIT
  apt_opts=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}"
fi

# PostgreSQL's server runs as this user (the postgresql package creates it).
if ! id postgres >/dev/null 2>&1; then
  [[ $(id -u) -eq 0 ]] || die "user postgres is missing; run this script as root"
  say "creating system user postgres"
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
fi

for tool in "$PG_BIN/initdb" "$PG_BIN/pg_ctl" /usr/bin/promtool /usr/bin/clang-format; do
  [[ -x "$tool" ]] || die "$tool is missing after the install"
done

# Node tools: buf (proto lint), pinned by tools/node/package-lock.json. Skipped
# when the installed version is the locked one.
node_dir="$GRIDBILL_ROOT/tools/node"
buf_ok() {
  [[ -x "$node_dir/node_modules/.bin/buf" ]] || return 1
  (cd "$node_dir" && node -e '
    const lock = require("./package-lock.json").packages["node_modules/@bufbuild/buf"];
    const got = require("./node_modules/@bufbuild/buf/package.json");
    process.exit(lock && lock.version === got.version ? 0 : 1);' 2>/dev/null)
}
if ! buf_ok; then
  say "installing Node tools in tools/node (buf)"
  if [[ -f "$node_dir/package-lock.json" ]]; then
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
  buf_ok && "$node_dir/node_modules/.bin/buf" --version >/dev/null ||
    die "buf is not usable after npm install in $node_dir"
fi

# Node packages of the Kubernetes manifest tests (tests/k8s: YAML, the
# Kubernetes schemas, a JSON-schema validator), pinned by its package-lock.
k8s_dir="$GRIDBILL_ROOT/tests/k8s"
k8s_ok() {
  (cd "$k8s_dir" && node -e '
    const lock = require("./package-lock.json").packages;
    for (const [path, want] of Object.entries(lock)) {
      if (!path.startsWith("node_modules/")) continue;
      if (require("./" + path + "/package.json").version !== want.version) process.exit(1);
    }' 2>/dev/null)
}
if ! k8s_ok; then
  say "installing Node packages in tests/k8s"
  (cd "$k8s_dir" && npm ci --no-audit --no-fund --loglevel=error)
  k8s_ok || die "tests/k8s/node_modules does not match its package-lock.json after npm ci"
fi
