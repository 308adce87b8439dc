#!/usr/bin/env bash
# Checks that no SQL is built from strings at run time in the code that
# runs against the databases (services/, libs/, tools/; tests, benchmarks,
# fixtures and the test-only libraries pgtest and testing excepted): every
# statement is a named constant (queries.h, `constexpr pg::Query`) whose
# input goes in as parameters. It fails on
#   - a string literal starting with an SQL keyword inside StrCat, StrAppend,
#     StrFormat, Substitute or a `+` concatenation;
#   - a pg::Query made at run time (not constexpr), outside libs/pg;
#   - ExecuteScript, CopyIn, CopyRows or Command given anything but a
#     constant (kName, q::kName) or a literal, outside libs/pg.
# A statement whose comment says "sql-lint: allowed (why)" is skipped: for
# text that cannot be a parameter and comes from no input (an escaped
# identifier, an integer of the config).
#   ./sql_concat.sh <checkout> [dirs...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${1:?usage: sql_concat.sh <checkout> [dirs...]}"
cd "$root"
shift
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(services libs tools)

files() {
  find "${dirs[@]}" \( -name tests -o -name bench -o -name fuzz -o -name fixtures -o -path libs/pgtest \
    -o -path libs/testing \) -prune -o \( -name '*.cc' -o -name '*.h' \) -type f -print
}

# The checks run in one perl process over every file (sql_concat.pl): a
# dozen processes per file took minutes on a loaded machine.
if ! count="$(files | perl "$here/sql_concat.pl")"; then
  printf '%s\n' "$count"
  exit 1
fi
echo "sql_concat: no SQL built by concatenation in $count files of ${dirs[*]}"
