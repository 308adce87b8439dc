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
root="${1:?usage: sql_concat.sh <checkout> [dirs...]}"
cd "$root"
shift
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(services libs tools)

keywords='SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|COPY|TRUNCATE|GRANT|REVOKE|SET|LOCK|VALUES|WHERE|FROM|ORDER BY|DO'
files() {
  find "${dirs[@]}" \( -name tests -o -name bench -o -name fuzz -o -name fixtures -o -path libs/pgtest \
    -o -path libs/testing \) -prune -o \( -name '*.cc' -o -name '*.h' \) -type f -print
}

problems=""
add() { problems+="$1"$'\n'; }

while IFS= read -r f; do
  # Joined lines of one statement: a call may span several lines.
  text="$(tr '\n' ' ' <"$f" | sed 's/;/;\n/g' | grep -v 'sql-lint: allowed' || true)"
  if grep -qE "(StrCat|StrAppend|StrFormat|Substitute)\([^;]*\"[[:space:]]*(${keywords})[[:space:]]" <<<"$text"; then
    add "$f: SQL text inside StrCat/StrAppend/StrFormat/Substitute"
  fi
  if grep -qE "(\"[[:space:]]*(${keywords})[[:space:]][^\"]*\"[[:space:]]*\+[[:space:]]*[A-Za-z_(])|([A-Za-z_)][[:space:]]*\+[[:space:]]*\"[[:space:]]*(${keywords})[[:space:]])" <<<"$text"; then
    add "$f: SQL text joined with + to a value"
  fi
  if [[ "$f" != libs/pg/* ]]; then
    if grep -nE '(^|[^A-Za-z0-9_])(pg::)?Query[[:space:]]*[{(]' "$f" |
      grep -vE 'constexpr|^[0-9]+:[[:space:]]*//|(struct|class)[[:space:]]+Query[[:space:]]*\{' | grep -q .; then
      add "$f: a pg::Query made at run time (make it a constexpr constant in queries.h)"
    fi
    if grep -qE '(ExecuteScript|CopyIn|CopyRows|Command)\((tx,[[:space:]]*)?[^k"q)[:space:]]' <<<"$text" &&
      grep -E '(ExecuteScript|CopyIn|CopyRows|Command)\((tx,[[:space:]]*)?[^)]*' -o <<<"$text" |
      grep -vE '\((tx,[[:space:]]*)?(q::)?k[A-Z][A-Za-z0-9_]*|\((tx,[[:space:]]*)?"|\(sql(,|\))' | grep -q .; then
      add "$f: ExecuteScript/CopyIn/CopyRows/Command with text that is not a named constant"
    fi
  fi
done < <(files)

if [[ -n "$problems" ]]; then
  echo "SQL built from strings at run time (name each statement in queries.h and pass values"
  echo "as parameters):"
  printf '%s' "$problems"
  exit 1
fi
echo "sql_concat: no SQL built by concatenation in $(files | wc -l) files of ${dirs[*]}"
