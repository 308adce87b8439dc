#!/usr/bin/env bash
# Checks that every *.cc / *.h under libs services tools tests is formatted
# by clang-format with the repository's .clang-format; lists the files that
# are not, and how to fix them.
set -euo pipefail
root="${1:?usage: check_format.sh <checkout>}"
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format is not installed: run deploy/install-deps.sh" >&2; exit 1; }

mapfile -d '' files < <(find libs services tools tests \
  \( -name node_modules -o -name 'build*' \) -prune -o \
  -type f \( -name '*.cc' -o -name '*.h' \) -print0 | sort -z)
bad=()
for f in "${files[@]}"; do
  clang-format --style=file "$f" | cmp -s - "$f" || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "${#bad[@]} of ${#files[@]} C++ files are not clang-formatted:"
  printf '  %s\n' "${bad[@]}"
  echo "fix with: clang-format -i ${bad[*]}"
  exit 1
fi
echo "clang-format: all ${#files[@]} C++ files are formatted"
