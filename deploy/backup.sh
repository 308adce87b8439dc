#!/usr/bin/env bash
# Takes a base backup of the local cluster (every service's database) with
# pg_basebackup into .run/pg/backups/<UTC time>/ (base.tar.gz, pg_wal.tar.gz,
# backup_manifest), keeps the newest GRIDBILL_BACKUP_KEEP (2) and deletes
# the archived WAL older than the oldest one kept. With the WAL archive
# that `up` keeps (.run/pg/wal-archive), deploy/restore.sh brings the
# cluster back to the latest committed point or to any time after the
# oldest kept backup. `up` takes one when the newest is older than a day.
#
#   ./deploy/backup.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }

pg_running || die "PostgreSQL is not running (./deploy/up.sh starts it)"
backups="$(pg_backup_dir)"
archive="$(pg_archive_dir)"
name="$(date -u +%Y%m%dT%H%M%SZ)"
as_pg mkdir -p "$backups"
say "base backup $backups/$name"
start=$SECONDS
# -X stream: the WAL written during the backup is in the backup itself, so
# that a backup restores on its own even without the archive.
as_pg "$PG_BIN/pg_basebackup" -h "$PG_HOST" -p "$PG_PORT" -U postgres -D "$backups/$name.partial" \
  -Ft -z -X stream -c fast --label "gridbill $name" ||
  die "pg_basebackup failed"
as_pg mv "$backups/$name.partial" "$backups/$name"
# Close the WAL segment the backup ended in: archived now, not after archive_timeout.
as_pg "$PG_BIN/psql" -X -qAt -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres \
  -c "SELECT pg_switch_wal()" >/dev/null
say "base backup done in $((SECONDS - start))s: $(du -sh "$backups/$name" | cut -f1)"

keep="${GRIDBILL_BACKUP_KEEP:-2}"
mapfile -t all < <(find "$backups" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort)
while [[ ${#all[@]} -gt $keep ]]; do
  say "deleting the old backup ${all[0]}"
  as_pg rm -rf -- "${all[0]}"
  all=("${all[@]:1}")
done
# WAL older than the oldest kept backup's start restores nothing.
oldest="${all[0]}"
start_wal="$(as_pg tar -xzOf "$oldest/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p')"
if [[ -n "$start_wal" ]]; then
  removed=0
  for f in "$archive"/*.gz; do
    [[ -e "$f" ]] || continue
    seg="$(basename "$f" .gz)"
    # Segment and timeline history names sort in WAL order; keep history files.
    if [[ "$seg" =~ ^[0-9A-F]{24}$ && "$seg" < "$start_wal" ]]; then
      as_pg rm -f -- "$f"
      removed=$((removed + 1))
    fi
  done
  say "kept ${#all[@]} backup(s); removed $removed archived WAL segment(s) before $start_wal"
fi
