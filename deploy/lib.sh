# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by the scripts
# Shared by the deploy scripts (sourced, not run): where things are, which
# services exist, and small helpers. Every path is relative to the checkout.

GRIDBILL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${GRIDBILL_BUILD_DIR:-$GRIDBILL_ROOT/build}"
# GRIDBILL_RUN_DIR: where up keeps its pids, logs, secrets, certificates and
# the cluster (.run of the checkout); down.sh stops and purges only that one.
RUN_DIR="${GRIDBILL_RUN_DIR:-$GRIDBILL_ROOT/.run}"
LOG_DIR="$RUN_DIR/logs"
PID_DIR="$RUN_DIR/pids"
CERT_DIR="$RUN_DIR/certs"                # mutual TLS: the local CA and one certificate per process
PG_LINK="$RUN_DIR/pg"                 # the cluster: data/ and sock/ below it
PG_HOST="127.0.0.1"
PG_PORT="${GRIDBILL_PG_PORT:-55432}"
PG_USER="gridbill"                    # owns the service databases; no superuser
PG_BIN="${GRIDBILL_PG_BIN:-/usr/lib/postgresql/15/bin}"
BIND_HOST="${GRIDBILL_BIND_HOST:-127.0.0.1}"

# The suite, one line per service: name, gRPC port, metrics port. A service
# whose binary (gridbill-<name>) has not been built is skipped by `up`.
# The gateway also serves the portal; it is listed last so that it starts
# after the services it calls.
SERVICES=(
  "contracts   7101 9101"
  "metering    7102 9102"
  "balance     7103 9103"
  "invoicing   7104 9104"
  "forecasting 7105 9105"
  "reporting   7106 9106"
  "gateway     7100 9100"
)

# Settings a service needs beyond the ones `up` gives every service (database
# URL, gRPC and metrics addresses), as KEY=VALUE lines.
# Services accept the caller's identity only when the gateway signed it with
# identity_secret (VERIFY_IDENTITY=0, set by `up` when gridbillctl cannot
# sign yet, leaves them trusting identity headers as sent).
service_env() {
  case "$1" in
    gateway)
      echo "GRIDBILL_TOKEN_SECRET=$(run_secret token_secret)"
      echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      run_secret admin_password >/dev/null
      echo "GRIDBILL_BOOTSTRAP_ADMIN=admin"
      echo "GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE=$RUN_DIR/secrets/admin_password"
      echo "GRIDBILL_WEB_ADDRESS=$BIND_HOST:$GATEWAY_WEB_PORT"
      echo "GRIDBILL_PORTAL_DIR=$GRIDBILL_ROOT/portal/dist"
      echo "GRIDBILL_BACKEND_CONTRACTS=$BIND_HOST:7101"
      echo "GRIDBILL_BACKEND_METERING=$BIND_HOST:7102"
      echo "GRIDBILL_BACKEND_BALANCE=$BIND_HOST:7103"
      echo "GRIDBILL_BACKEND_INVOICING=$BIND_HOST:7104"
      echo "GRIDBILL_BACKEND_FORECASTING=$BIND_HOST:7105"
      echo "GRIDBILL_BACKEND_REPORTING=$BIND_HOST:7106"
      echo "GRIDBILL_BACKEND_INTEGRATIONS=$BIND_HOST:7107"
      ;;
    balance)
      echo "GRIDBILL_METERING_ADDRESS=$BIND_HOST:7102"
      echo "GRIDBILL_CONTRACTS_ADDRESS=$BIND_HOST:7101"
      if [[ "${VERIFY_IDENTITY:-1}" == 1 ]]; then
        echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      fi
      ;;
    invoicing)
      echo "GRIDBILL_CONTRACTS_ADDRESS=$BIND_HOST:7101"
      echo "GRIDBILL_BALANCE_ADDRESS=$BIND_HOST:7103"
      echo "GRIDBILL_METERING_ADDRESS=$BIND_HOST:7102"
      if [[ "${VERIFY_IDENTITY:-1}" == 1 ]]; then
        echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      fi
      ;;
    forecasting)
      echo "GRIDBILL_CONTRACTS_ADDRESS=$BIND_HOST:7101"
      echo "GRIDBILL_BALANCE_ADDRESS=$BIND_HOST:7103"
      echo "GRIDBILL_INVOICING_ADDRESS=$BIND_HOST:7104"
      if [[ "${VERIFY_IDENTITY:-1}" == 1 ]]; then
        echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      fi
      ;;
    reporting)
      echo "GRIDBILL_CONTRACTS_ADDRESS=$BIND_HOST:7101"
      echo "GRIDBILL_INVOICING_ADDRESS=$BIND_HOST:7104"
      echo "GRIDBILL_BALANCE_ADDRESS=$BIND_HOST:7103"
      echo "GRIDBILL_FORECASTING_ADDRESS=$BIND_HOST:7105"
      if [[ "${VERIFY_IDENTITY:-1}" == 1 ]]; then
        echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      fi
      ;;
    *)
      if [[ "${VERIFY_IDENTITY:-1}" == 1 ]]; then
        echo "GRIDBILL_IDENTITY_SECRET=$(run_secret identity_secret)"
      fi
      ;;
  esac  # Mutual TLS inside the suite (MTLS=1, set by `up`): each process its own
  # certificate from the local CA in .run/certs.
  if [[ "${MTLS:-0}" == 1 ]]; then
    echo "GRIDBILL_MTLS_CERT_FILE=$CERT_DIR/$1.crt"
    echo "GRIDBILL_MTLS_KEY_FILE=$CERT_DIR/$1.key"
    echo "GRIDBILL_MTLS_CA_FILE=$CERT_DIR/ca.crt"
  fi
}

# The gateway's HTTP/1.1 port: gRPC-web for browsers and the portal's files.
GATEWAY_WEB_PORT=8100

# A random secret generated once for this checkout's run (.run/secrets/$1).
run_secret() {
  local f="$RUN_DIR/secrets/$1"
  if [[ ! -s "$f" ]]; then
    mkdir -p "$RUN_DIR/secrets"
    chmod 700 "$RUN_DIR/secrets"
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$f")
  fi
  cat "$f"
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$1" >&2
  if [[ $# -ge 2 && -f "$2" ]]; then
    printf -- '--- last lines of %s ---\n' "$2" >&2
    tail -n "${3:-30}" "$2" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}

# Runs a command as user postgres (PostgreSQL refuses to run as root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    # From /: the caller's directory may be closed to postgres. Paths are absolute.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# The binary of service $1 in the build tree, or nothing.
service_binary() {
  local svc="$1" f
  for f in "$BUILD_DIR/services/$svc/gridbill-$svc" "$BUILD_DIR/bin/gridbill-$svc"; do
    if [[ -x "$f" && -f "$f" ]]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 0
}

gridbillctl_binary() {
  local f
  for f in "$BUILD_DIR/tools/gridbillctl/gridbillctl" "$BUILD_DIR/bin/gridbillctl"; do
    if [[ -x "$f" && -f "$f" ]]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 0
}

# Is something accepting TCP connections on host $1 port $2?
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Is pid file $1 naming a live process whose binary is $2?
pid_alive() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must be one of ours.
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == *gridbill* ]]
}

# A process `up` has just started (env ... setsid BINARY &) is alive: it
# exists and is not a zombie. Its exe is env or setsid until the exec of the
# service binary happens, so pid_alive's "one of ours" check would call a
# service that is still on its way "exited" when it is looked at at once.
pid_starting() {
  local pidfile="$1" pid state
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The data directory of the cluster (follows the .run/pg link when the
# cluster had to live outside the checkout).
pg_dir() {
  if [[ -L "$PG_LINK" ]]; then
    readlink -f "$PG_LINK"
  else
    printf '%s\n' "$PG_LINK"
  fi
}

pg_running() {
  local d
  d="$(pg_dir)"
  [[ -f "$d/data/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$d/data" status >/dev/null 2>&1
}

# Stops every service started by `up` (SIGTERM, then SIGKILL after a grace).
stop_services() {
  local pidfile pid name waited
  [[ -d "$PID_DIR" ]] || return 0
  for pidfile in "$PID_DIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    name="$(basename "$pidfile" .pid)"
    if pid_alive "$pidfile"; then
      pid="$(cat "$pidfile")"
      say "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      waited=0
      while kill -0 "$pid" 2>/dev/null && [[ $waited -lt 150 ]]; do
        sleep 0.1
        waited=$((waited + 1))
      done
      if kill -0 "$pid" 2>/dev/null; then
        warn "$name did not stop within 15s of SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$pidfile"
  done
}

stop_postgres() {
  local d
  d="$(pg_dir)"
  if pg_running; then
    say "stopping PostgreSQL ($d/data)"
    as_pg "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w -t 60 stop >/dev/null
  fi
}

# --- the local PostgreSQL cluster (up, backup, restore) ---------------------------

# The cluster lives in .run/pg, owned by user postgres when we are root. If
# user postgres cannot reach the checkout (a parent directory without o+x,
# e.g. one made by mktemp -d), the files go to /var/tmp and .run/pg links there.
prepare_pg_dir() {
  [[ -e "$PG_LINK" ]] && return 0
  mkdir -p "$PG_LINK"
  if [[ $(id -u) -ne 0 ]]; then return 0; fi
  chown postgres:postgres "$PG_LINK"
  if runuser -u postgres -- test -w "$PG_LINK" 2>/dev/null; then return 0; fi
  rmdir "$PG_LINK"
  local outside
  outside="/var/tmp/gridbill-pg-$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-12)"
  warn "user postgres cannot enter $GRIDBILL_ROOT; keeping the cluster in $outside (linked from .run/pg)"
  mkdir -p "$outside"
  chown postgres:postgres "$outside"
  chmod 700 "$outside"
  ln -s "$outside" "$PG_LINK"
}
# Makes the cluster in $(pg_dir)/data unless it exists.
init_postgres() {
  local pg
  pg="$(pg_dir)"
  if [[ ! -f "$pg/data/PG_VERSION" ]]; then
    say "creating a PostgreSQL 15 cluster in $pg/data"
    as_pg mkdir -p "$pg/sock"
    mkdir -p "$RUN_DIR"
    as_pg "$PG_BIN/initdb" -D "$pg/data" -U postgres --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$RUN_DIR/initdb.log" 2>&1 || die "initdb failed" "$RUN_DIR/initdb.log"
  fi
  as_pg mkdir -p "$pg/sock"
}

# Continuous archiving: every finished WAL segment is copied, gzipped, to
# $(pg_dir)/wal-archive (never overwriting one already there), and a
# segment is finished at least every GRIDBILL_PG_ARCHIVE_TIMEOUT seconds
# (60) when there was any write: what a restore can lose at most. Base
# backups (deploy/backup.sh) and this archive restore the cluster to any
# point after the oldest kept backup (deploy/restore.sh).
pg_archive_dir() { printf '%s/wal-archive\n' "$(pg_dir)"; }
pg_backup_dir() { printf '%s/backups\n' "$(pg_dir)"; }

# Starts the cluster with archiving on; more postgres options may follow
# (restore.sh adds the recovery settings).
start_postgres() {
  local pg archive
  pg="$(pg_dir)"
  archive="$(pg_archive_dir)"
  as_pg mkdir -p "$pg/sock" "$archive"
  as_pg "$PG_BIN/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -t "${GRIDBILL_PG_START_TIMEOUT:-60}" \
    -o "-c listen_addresses=$PG_HOST -p $PG_PORT -k $pg/sock -c wal_level=replica \
-c archive_mode=$([[ "${GRIDBILL_BACKUP:-1}" == 1 ]] && echo on || echo off) -c archive_timeout=${GRIDBILL_PG_ARCHIVE_TIMEOUT:-60} \
-c archive_command='test ! -f $archive/%f.gz && gzip -c %p >$archive/%f.tmp && mv $archive/%f.tmp $archive/%f.gz' $*" \
    start >/dev/null
}
