#!/usr/bin/env bash
# Lints the published contracts (proto/, a buf module) with buf's STANDARD rules.
set -euo pipefail
root="${1:?usage: proto_lint.sh <checkout>}"
buf="$root/tools/node/node_modules/.bin/buf"
if [[ ! -x "$buf" ]]; then
  echo "buf is not installed ($buf): run deploy/install-deps.sh" >&2
  exit 1
fi
cd "$root/proto"
"$buf" lint
echo "buf lint: proto/ is clean"
