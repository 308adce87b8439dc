#!/usr/bin/env bash
# Runs a benchmark (or any *_pgtest-style binary using libs/pgtest) against
# throwaway PostgreSQL clusters that load pg_stat_statements, and writes per
# cluster, into OUTDIR: stmts-*.tsv (every statement by database: calls,
# total_exec_time, rows, shared blocks hit/read/dirtied, WAL records),
# cpu-*.txt (the server's CPU seconds: the postmaster and its reaped
# backends) and, with GRIDBILL_PGSTAT_SAMPLE=1, tables-*.txt (updates, HOT
# updates, dead rows and size of each updated table, sampled twice a second
# until its database is dropped). A database dropped before the cluster
# stops shows its oid instead of its name (created in order: t_1 < t_2 ...).
#
#   deploy/bench-pgstat.sh OUTDIR build/services/invoicing/bench/gridbill_invoicing_bench --contracts=2000
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: deploy/bench-pgstat.sh OUTDIR COMMAND [ARGS...]" >&2; exit 2; }
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
chmod 777 "$out"  # the clusters run as "postgres" when started by root
real_bin=${GRIDBILL_PG_BIN:-/usr/lib/postgresql/15/bin}
bin=$(mktemp -d /tmp/gridbill-pgstat-XXXXXX)
trap 'rm -rf "$bin"' EXIT
chmod 755 "$bin"
for f in "$real_bin"/*; do ln -s "$f" "$bin/"; done
rm "$bin/pg_ctl"
cat > "$bin/pg_ctl" <<EOF
#!/usr/bin/env bash
real=$real_bin/pg_ctl
psql=$real_bin/psql
out=$out
sample=${GRIDBILL_PGSTAT_SAMPLE:-0}
EOF
cat >> "$bin/pg_ctl" <<'EOF'
args=("$@"); D=""
for ((i = 0; i < $#; i++)); do [[ ${args[i]} == -D ]] && D=${args[i+1]}; done
sock=$(dirname "$D"); tag=$(basename "$sock")
case "${@: -1}" in
  start)
    printf '%s\n' "shared_preload_libraries = 'pg_stat_statements'" \
      "pg_stat_statements.track = all" "pg_stat_statements.max = 5000" >> "$D/postgresql.conf"
    "$real" "$@" || exit $?
    "$psql" -h "$sock" -U postgres -d postgres -qc 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
    if [[ $sample == 1 ]]; then
      (
        while [[ -S $sock/.s.PGSQL.5432 ]]; do
          for db in $("$psql" -h "$sock" -U postgres -d postgres -Atc \
              "SELECT datname FROM pg_database WHERE datname LIKE 't\_%'" 2>/dev/null); do
            "$psql" -h "$sock" -U postgres -d "$db" -AtF' ' -c "SELECT current_database(), relname, \
n_tup_upd, n_tup_hot_upd, n_live_tup, n_dead_tup, pg_relation_size(relid), now() \
FROM pg_stat_user_tables WHERE n_tup_upd > 0" > "$out/tables-$tag-$db.tmp" 2>/dev/null &&
              [[ -s $out/tables-$tag-$db.tmp ]] && mv "$out/tables-$tag-$db.tmp" "$out/tables-$tag-$db.txt"
          done
          sleep 0.5
        done
      ) </dev/null >/dev/null 2>&1 &
    fi
    exit 0
    ;;
  stop)
    "$psql" -h "$sock" -U postgres -d postgres -AF$'\t' -c "SELECT coalesce(d.datname, s.dbid::text) \
AS db, s.calls, round(s.total_exec_time::numeric, 1) AS ms, s.rows, s.shared_blks_hit AS hit, \
s.shared_blks_read AS rd, s.shared_blks_dirtied AS dirt, s.wal_records, \
regexp_replace(left(s.query, 110), '\s+', ' ', 'g') AS query FROM pg_stat_statements s \
LEFT JOIN pg_database d ON d.oid = s.dbid ORDER BY s.dbid, s.total_exec_time DESC" \
      > "$out/stmts-$tag.tsv" 2>&1 || true
    sleep 0.3
    pm=$(head -n 1 "$D/postmaster.pid")
    awk -v t="$(getconf CLK_TCK)" '{printf "postgres cpu (postmaster + reaped backends): %.2f s\n", ($14+$15+$16+$17)/t}' \
      "/proc/$pm/stat" > "$out/cpu-$tag.txt" || true
    ;;
esac
exec "$real" "$@"
EOF
chmod 755 "$bin/pg_ctl"
GRIDBILL_PG_BIN=$bin "$@"
