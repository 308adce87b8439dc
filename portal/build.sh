#!/usr/bin/env bash
# Builds the portal into portal/dist (what the gateway's portal_dir serves):
# npm ci when node_modules does not match package-lock.json, the clients
# generated from ../proto (buf + protoc-gen-es), then the esbuild bundle with
# hashed names and index.html. Used by deploy/up.sh and the portal tests.
#
#   portal/build.sh [--check]   --check: also type-check with tsc
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
check=0
[[ "${1:-}" == "--check" ]] && check=1

deps_ok() {
  node -e '
    const lock = require("./package-lock.json").packages;
    for (const [path, want] of Object.entries(lock)) {
      if (!path.startsWith("node_modules/") || path.split("node_modules/").length > 2) continue;
      const fs = require("fs");
      if (want.optional && !fs.existsSync(path)) continue;  // another platform binary
      if (require("./" + path + "/package.json").version !== want.version) process.exit(1);
    }' 2>/dev/null
}
if ! deps_ok; then
  echo "portal: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
# Generated clients: only when a proto file is newer than the output.
stamp=src/gen/.stamp
if [[ ! -f "$stamp" ]] || [[ -n "$(find ../proto -name '*.proto' -newer "$stamp" -print -quit)" ]] ||
  [[ buf.gen.yaml -nt "$stamp" ]]; then
  rm -rf src/gen
  node_modules/.bin/buf generate ../proto --template buf.gen.yaml
  touch "$stamp"
fi
if [[ $check -eq 1 ]]; then
  node_modules/.bin/tsc --noEmit -p .
fi
node build.mjs
