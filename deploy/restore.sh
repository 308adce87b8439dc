#!/usr/bin/env bash
# Restores the local cluster (every service's database at once) from a base
# backup (deploy/backup.sh) and the WAL archive: to the latest committed
# point the archive holds, or to --time. Stops the services and PostgreSQL
# first; the data directory it replaces is kept as data.before-<UTC time>
# (delete it when the restore is checked). Then ./deploy/up.sh starts the
# suite on the restored data. What a restore to an earlier point means for
# the other services: README.md, "Backups and restore".
#
#   ./deploy/restore.sh [--backup NAME] [--time '2026-12-07 05:10:00+00']
#
# NAME is a folder of .run/pg/backups (default: the newest, or with --time
# the newest taken before it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

backup="" target_time=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --backup) backup="$2"; shift 2 ;;
    --time) target_time="$2"; shift 2 ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

pg="$(pg_dir)"
backups="$(pg_backup_dir)"
archive="$(pg_archive_dir)"
if [[ -z "$backup" ]]; then
  mapfile -t all < <(find "$backups" -mindepth 1 -maxdepth 1 -type d -name '20*Z' 2>/dev/null | sort)
  [[ ${#all[@]} -gt 0 ]] || die "no base backup in $backups (./deploy/backup.sh takes one)"
  backup="${all[-1]}"
  if [[ -n "$target_time" ]]; then
    # The newest backup that ended before the target time.
    want="$(date -u -d "$target_time" +%Y%m%dT%H%M%SZ)" || die "--time: not a time: $target_time"
    backup=""
    for b in "${all[@]}"; do [[ "$(basename "$b")" < "$want" ]] && backup="$b"; done
    [[ -n "$backup" ]] || die "no base backup older than $target_time in $backups"
  fi
else
  backup="$backups/$backup"
fi
[[ -f "$backup/base.tar.gz" ]] || die "$backup holds no base.tar.gz"

stop_services
if pg_running; then
  say "stopping PostgreSQL"
  as_pg "$PG_BIN/pg_ctl" -D "$pg/data" -m fast -w -t 60 stop >/dev/null
fi
if [[ -d "$pg/data" ]]; then
  aside="$pg/data.before-$(date -u +%Y%m%dT%H%M%SZ)"
  say "keeping the current data directory as $aside"
  as_pg mv "$pg/data" "$aside"
fi
say "restoring $backup"
as_pg mkdir -m 700 "$pg/data"
as_pg tar -xzf "$backup/base.tar.gz" -C "$pg/data"
as_pg tar -xzf "$backup/pg_wal.tar.gz" -C "$pg/data/pg_wal"
as_pg touch "$pg/data/recovery.signal"

recovery=(-c "restore_command='test -f $archive/%f.gz && gunzip -c $archive/%f.gz >%p'")
if [[ -n "$target_time" ]]; then
  recovery+=(-c "recovery_target_time='$target_time'" -c recovery_target_action=promote)
  say "replaying the archived WAL up to $target_time"
else
  say "replaying the archived WAL to its end (the latest committed point)"
fi
start=$SECONDS
GRIDBILL_PG_START_TIMEOUT="${GRIDBILL_PG_START_TIMEOUT:-3600}" start_postgres "${recovery[*]}" ||
  die "PostgreSQL did not start from the backup" "$pg/postgres.log" 60
# pg_ctl -w returns once connections are accepted, which (hot_standby)
# can be before the replay ends: wait until the cluster is promoted.
until [[ "$(as_pg "$PG_BIN/psql" -X -qAt -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres \
  -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" == f ]]; do
  [[ $((SECONDS - start)) -lt 3600 ]] || die "recovery did not end within an hour" "$pg/postgres.log" 60
  sleep 0.5
done
say "restored in $((SECONDS - start))s; ./deploy/up.sh starts the suite on it"
