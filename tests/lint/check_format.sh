#!/usr/bin/env bash
# Checks that every *.cc / *.h under libs services tools tests is formatted
# by clang-format with the repository's .clang-format; lists the files that
# are not, and how to fix them.
set -euo pipefail
root="${1:?usage: check_format.sh <checkout>}"
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format is not installed: run deploy/install-deps.sh" >&2; exit 1; }

mapfile -d '' files < <(find libs services tools tests -name node_modules -prune -o \
  -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z)
# One clang-format process for all files: it names each file that would change.
rc=0
out="$(clang-format --style=file --dry-run --Werror --ferror-limit=1 "${files[@]}" 2>&1)" || rc=$?
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' \
  <<<"$out" | sort -u)
if [[ $rc -ne 0 && ${#bad[@]} -eq 0 ]]; then
  printf 'clang-format failed:\n%s\n' "$out"
  exit 1
fi
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "${#bad[@]} of ${#files[@]} C++ files are not clang-formatted:"
  printf '  %s\n' "${bad[@]}"
  echo "fix with: clang-format -i ${bad[*]}"
  exit 1
fi
echo "clang-format: all ${#files[@]} C++ files are formatted"
