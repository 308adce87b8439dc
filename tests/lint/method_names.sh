#!/usr/bin/env bash
# Checks that no service source names an RPC by a string literal: a handler
# learns its method, its access policy and its idempotency key from its
# request type (libs/server/include/gridbill/server/access.h), so a literal
# such as "TransitionPeriod", "ContractService/GetContract" or
# "/gridbill.balance.v1.BalanceService/StartRun" in services/ is a second,
# hand-typed copy that drifts. The method names are those declared in
# proto/. Tests and benchmarks (services/*/tests, services/*/bench) may name
# the methods they exercise.
set -euo pipefail
root="${1:?usage: method_names.sh <checkout>}"
cd "$root"

mapfile -t methods < <(grep -rhoE --include='*.proto' '^[[:space:]]*rpc[[:space:]]+[A-Za-z0-9_]+' proto |
  awk '{print $2}' | sort -u)
[[ ${#methods[@]} -gt 0 ]] || { echo "no rpc found under proto/" >&2; exit 1; }
alternatives="$(IFS='|'; echo "${methods[*]}")"
# The whole literal is a method name, optionally after "Service/" or
# "/package.Service/".
pattern="\"(/[A-Za-z0-9_.]+/|[A-Za-z0-9_]+/)?(${alternatives})\""

hits="$(grep -rnE --include='*.cc' --include='*.h' --exclude-dir=tests --exclude-dir=bench \
  "$pattern" services || true)"
if [[ -n "$hits" ]]; then
  echo "method names as string literals in services/ (use Authorize / IdempotentCall, which"
  echo "find the method from the request type: libs/server/include/gridbill/server/access.h):"
  echo "$hits"
  exit 1
fi
echo "method_names: no service source names one of the ${#methods[@]} RPCs by a literal"
