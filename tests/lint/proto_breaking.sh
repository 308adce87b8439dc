#!/usr/bin/env bash
# Checks that the published contracts (proto/) break no client: buf breaking
# (FILE rules, proto/buf.yaml) against the protos of the previous commit.
#
# The base is HEAD when proto/ has uncommitted changes (checking a change
# before committing it), else HEAD~1 (checking the commit itself, as CI does);
# GRIDBILL_BREAKING_AGAINST=<rev> picks another (e.g. origin/main). Without
# git history to compare with (no git, not a checkout, a shallow clone of one
# commit) the check is skipped with a message (exit 77: ctest's SKIPPED).
#
# An intentional break goes into a new package version (gridbill.<svc>.v2 in
# proto/gridbill/<svc>/v2/) next to the old one; see the README.
set -euo pipefail
root="${1:?usage: proto_breaking.sh <checkout>}"
buf="$root/tools/node/node_modules/.bin/buf"
if [[ ! -x "$buf" ]]; then
  echo "buf is not installed ($buf): run deploy/install-deps.sh" >&2
  exit 1
fi
skip() {
  echo "buf breaking: SKIPPED: $*"
  exit 77
}
command -v git >/dev/null || skip "git is not installed"
git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || skip "$root is not a git checkout"

if [[ -n "${GRIDBILL_BREAKING_AGAINST:-}" ]]; then
  base="$GRIDBILL_BREAKING_AGAINST"
elif ! git -C "$root" diff --quiet HEAD -- proto ||
  [[ -n "$(git -C "$root" ls-files --others --exclude-standard -- proto)" ]]; then
  base=HEAD
else
  base=HEAD~1
fi
commit="$(git -C "$root" rev-parse --verify --quiet "$base^{commit}")" ||
  skip "no commit $base to compare with (first commit or shallow clone)"
if ! git -C "$root" cat-file -e "$commit:proto/buf.yaml" 2>/dev/null; then
  skip "commit $base has no proto/buf.yaml to compare with"
fi

against="$(mktemp -d)"
trap 'rm -rf "$against"' EXIT
git -C "$root" archive "$commit" proto | tar -x -C "$against"
cd "$root/proto"
"$buf" breaking --against "$against/proto"
echo "buf breaking: proto/ breaks nothing of $base ($(git -C "$root" rev-parse --short "$commit"))"
