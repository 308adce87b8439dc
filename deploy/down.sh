#!/usr/bin/env bash
# Stops what ./deploy/up.sh started: every service, then PostgreSQL. The data
# stays in .run for the next `up`; --purge deletes .run (and the data) too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -h | --help) sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (usage: down.sh [--purge])" ;;
  esac
done

stop_services
stop_postgres

if [[ $purge -eq 1 && -e "$RUN_DIR" ]]; then
  if [[ -L "$PG_LINK" ]]; then
    outside="$(readlink -f "$PG_LINK")"
    say "deleting $outside"
    rm -rf -- "$outside"
  fi
  say "deleting $RUN_DIR"
  rm -rf -- "$RUN_DIR"
fi
say "stopped"
