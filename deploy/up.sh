#!/usr/bin/env bash
# Command 1: brings the suite up on this machine. Installs what is missing,
# builds, starts a PostgreSQL cluster inside the checkout (.run/pg) with one
# database per service, starts every service that has been built, waits until
# each answers, loads the demo data set and prints where everything is.
# Running it again restarts everything cleanly and keeps the data.
#
#   ./deploy/up.sh [--no-demo]
#
# Environment: GRIDBILL_PG_PORT (55432), GRIDBILL_BIND_HOST (127.0.0.1),
# GRIDBILL_MTLS (1: mutual TLS inside, certificates in .run/certs), GRIDBILL_BACKUP
# (1: WAL archiving and a daily base backup in .run/pg, see deploy/backup.sh),
# GRIDBILL_BUILD_DIR (build), GRIDBILL_DEMO_SEED (42), GRIDBILL_DEMO_READINGS_MONTHS
# (12: months of demo metering readings, 0 = points only); any other GRIDBILL_*
# variable is passed on to the services as a setting (e.g. GRIDBILL_LOG_LEVEL).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

load_demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) load_demo=0 ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done
demo_seed="${GRIDBILL_DEMO_SEED:-42}"
demo_readings_months="${GRIDBILL_DEMO_READINGS_MONTHS:-12}"

on_exit() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    printf '\nup failed. Logs are in %s; ./deploy/down.sh stops what was started.\n' "$LOG_DIR" >&2
  fi
}
trap on_exit EXIT

bash "$GRIDBILL_ROOT/deploy/install-deps.sh"
bash "$GRIDBILL_ROOT/deploy/build.sh" --runtime
# The portal into portal/dist (the gateway's portal_dir): npm ci, clients from proto/, esbuild.
bash "$GRIDBILL_ROOT/portal/build.sh" || warn "the portal was not built (portal/build.sh failed): its URL answers 404"

mkdir -p "$LOG_DIR" "$PID_DIR"
# Restart cleanly: whatever a previous `up` left running stops first.
stop_services
stop_postgres

# --- PostgreSQL --------------------------------------------------------------

prepare_pg_dir
pg="$(pg_dir)"
pg_log="$pg/postgres.log"
ln -sfn "$pg_log" "$LOG_DIR/postgres.log"
init_postgres

if port_open "$PG_HOST" "$PG_PORT"; then
  die "port $PG_PORT is taken by another program; set GRIDBILL_PG_PORT to a free port"
fi
say "starting PostgreSQL on $PG_HOST:$PG_PORT (WAL archived to $(pg_archive_dir))"
start_postgres || die "PostgreSQL did not start" "$pg_log"

psql_admin() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
}
psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN;
  END IF; END \$\$;" || die "could not create role $PG_USER" "$pg_log"

# --- services ------------------------------------------------------------------

# Script settings that are not service settings: kept out of the services' env.
script_vars=(GRIDBILL_BUILD_DIR GRIDBILL_RUN_DIR GRIDBILL_PG_PORT GRIDBILL_PG_BIN
  GRIDBILL_BIND_HOST GRIDBILL_JOBS GRIDBILL_CMAKE_ARGS GRIDBILL_DEMO_SEED GRIDBILL_DEMO_READINGS_MONTHS
  GRIDBILL_MTLS GRIDBILL_BACKUP)
unset_args=()
for v in "${script_vars[@]}" GRIDBILL_DATABASE_URL GRIDBILL_DATABASE_OWNER_URL GRIDBILL_GRPC_ADDRESS \
  GRIDBILL_METRICS_ADDRESS; do
  unset_args+=(-u "$v")
done

ctl="$(gridbillctl_binary)"
ctl_help="$([[ -n "$ctl" ]] && "$ctl" --help 2>&1 || true)"
ctl_has() { grep -qw -- "$1" <<<"$ctl_help"; }
# gridbillctl calls the services directly: they verify identities only if it
# can sign them (it says so in its help by naming GRIDBILL_IDENTITY_SECRET).
VERIFY_IDENTITY=1
ctl_env=(GRIDBILL_IDENTITY_SECRET="$(run_secret identity_secret)")
if [[ -n "$ctl" ]] && ! ctl_has GRIDBILL_IDENTITY_SECRET; then
  warn "this gridbillctl cannot sign identities: the services trust identity headers as sent"
  VERIFY_IDENTITY=0
fi

# Mutual TLS between the gateway and the services, with certificates from a
# local CA in .run/certs (deploy/certs.sh; rotated by deleting a certificate
# and running up again), when gridbillctl can present one too (its help
# names GRIDBILL_MTLS_CERT_FILE). GRIDBILL_MTLS=0 keeps plaintext.
MTLS=0
if [[ "${GRIDBILL_MTLS:-1}" == 1 ]] && { [[ -z "$ctl" ]] || ctl_has GRIDBILL_MTLS_CERT_FILE; }; then
  MTLS=1
  bash "$GRIDBILL_ROOT/deploy/certs.sh" "$CERT_DIR" contracts metering balance invoicing \
    forecasting reporting integrations gateway gridbillctl || die "could not make the certificates in $CERT_DIR"
  ctl_env+=(GRIDBILL_MTLS_CERT_FILE="$CERT_DIR/gridbillctl.crt"
    GRIDBILL_MTLS_KEY_FILE="$CERT_DIR/gridbillctl.key" GRIDBILL_MTLS_CA_FILE="$CERT_DIR/ca.crt")
fi

started=()
skipped=()
for line in "${SERVICES[@]}"; do
  read -r svc grpc_port metrics_port <<<"$line"
  bin="$(service_binary "$svc")"
  if [[ -z "$bin" ]]; then
    skipped+=("$svc")
    continue
  fi
  db="$svc"
  if [[ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]]; then
    say "creating database $db"
    psql_admin -c "CREATE DATABASE $db OWNER $PG_USER" || die "could not create database $db" "$pg_log"
  fi
  # The service works as its own role with row access only; migrations run
  # as $PG_USER, the owner (database_owner_url; Bootstrap grants the rest).
  app_role="${svc}_app"
  psql_admin -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$app_role') THEN
      CREATE ROLE $app_role LOGIN;
    END IF; END \$\$; GRANT CONNECT ON DATABASE $db TO $app_role;" ||
    die "could not create role $app_role" "$pg_log"
  ports=("$grpc_port" "$metrics_port")
  [[ "$svc" == gateway ]] && ports+=("$GATEWAY_WEB_PORT")
  for port in "${ports[@]}"; do
    if port_open "$BIND_HOST" "$port"; then
      die "port $port (for $svc) is taken by another program"
    fi
  done
  log="$LOG_DIR/$svc.log"
  printf '\n--- %s: starting %s ---\n' "$(date -u +%FT%TZ)" "$bin" >>"$log"
  say "starting $svc (gRPC $BIND_HOST:$grpc_port, metrics $BIND_HOST:$metrics_port)"
  mapfile -t extra_env < <(service_env "$svc")
  env "${unset_args[@]}" "${extra_env[@]}" \
    GRIDBILL_DATABASE_URL="postgresql://$app_role@$PG_HOST:$PG_PORT/$db" \
    GRIDBILL_DATABASE_OWNER_URL="postgresql://$PG_USER@$PG_HOST:$PG_PORT/$db" \
    GRIDBILL_GRPC_ADDRESS="$BIND_HOST:$grpc_port" \
    GRIDBILL_METRICS_ADDRESS="$BIND_HOST:$metrics_port" \
    setsid "$bin" </dev/null >>"$log" 2>&1 &
  echo $! >"$PID_DIR/$svc.pid"
  started+=("$svc")
done

[[ ${#started[@]} -gt 0 ]] || die "no service binary has been built yet (looked in $BUILD_DIR/services)"

wait_ready() {
  local svc="$1" grpc_port="$2" metrics_port="$3" pidfile="$PID_DIR/$1.pid" log="$LOG_DIR/$1.log"
  local deadline=$((SECONDS + 120))
  until port_open "$BIND_HOST" "$grpc_port" && port_open "$BIND_HOST" "$metrics_port"; do
    pid_starting "$pidfile" || die "$svc exited while starting" "$log"
    [[ $SECONDS -lt $deadline ]] || die "$svc did not open its ports within 120s" "$log"
    sleep 0.2
  done
  # A real call, not only an open port.
  if ctl_has health; then
    env "${ctl_env[@]}" "$ctl" health --addr "$BIND_HOST:$grpc_port" >>"$log" 2>&1 ||
      die "$svc is not healthy (gridbillctl health)" "$log"
  elif [[ "$svc" == contracts && -n "$ctl" ]]; then
    env "${ctl_env[@]}" "$ctl" participants list --addr "$BIND_HOST:$grpc_port" >/dev/null 2>"$RUN_DIR/check.err" ||
      die "$svc does not answer: gridbillctl participants list failed" "$RUN_DIR/check.err"
  fi
}

for line in "${SERVICES[@]}"; do
  read -r svc grpc_port metrics_port <<<"$line"
  [[ " ${started[*]} " == *" $svc "* ]] || continue
  wait_ready "$svc" "$grpc_port" "$metrics_port"
  say "$svc is up"
done

# --- demo data -------------------------------------------------------------------

contracts_addr="$BIND_HOST:7101"
if [[ $load_demo -eq 1 && " ${started[*]} " == *" contracts "* ]]; then
  if [[ -z "$ctl" ]]; then
    warn "gridbillctl has not been built: no demo data loaded"
  else
    say "loading the demo data set (seed $demo_seed; already loaded data stays as it is)"
    # Metering points and readings go to the metering service when it runs.
    metering_args=(--no-metering)
    if [[ " ${started[*]} " == *" metering "* ]]; then
      metering_args=(--metering-addr "$BIND_HOST:7102" --readings-months "$demo_readings_months")
    fi
    if ! env "${ctl_env[@]}" "$ctl" demo load --seed "$demo_seed" --addr "$contracts_addr" \
      "${metering_args[@]}" 2>&1 |
      tee "$LOG_DIR/demo-load.log"; then
      if grep -q 'already used with different content' "$LOG_DIR/demo-load.log"; then
        # The data in .run came from another version of the demo generator (or
        # another seed): what is there stays; the suite is usable as it is.
        warn "the demo data in .run differs from what this gridbillctl generates (another"
        warn "version or seed); the existing data was kept. For a fresh data set:"
        warn "./deploy/down.sh --purge && ./deploy/up.sh"
      else
        die "the demo data load failed" "$LOG_DIR/demo-load.log"
      fi
    fi
  fi
fi

# --- balance runs of the demo months (after the readings are loaded) -------------

if [[ $load_demo -eq 1 && -n "$ctl" && " ${started[*]} " == *" balance "* &&
  " ${started[*]} " == *" metering "* && "$demo_readings_months" -gt 0 ]]; then
  say "balance: demo accounting schemes, then preliminary and final runs of 2026-09 and 2026-10"
  balance_args=(--addr "$contracts_addr" --balance-addr "$BIND_HOST:7103")
  # Fixed request ids: running up again replays the same runs instead of refusing
  # a second final run of a month.
  if ! (
    env "${ctl_env[@]}" "$ctl" balance demo-schemes --seed "$demo_seed" "${balance_args[@]}" &&
      for month in 2026-09 2026-10; do
        env "${ctl_env[@]}" "$ctl" balance run "$month" --type preliminary \
          --request-id "demo-$demo_seed-balance-preliminary-$month" "${balance_args[@]}" &&
          env "${ctl_env[@]}" "$ctl" balance run "$month" --type final \
            --request-id "demo-$demo_seed-balance-final-$month" "${balance_args[@]}" || exit 1
      done
  ) >"$LOG_DIR/demo-balance.log" 2>&1; then
    warn "the demo balance runs failed (see .run/logs/demo-balance.log)"
  else
    tail -n 30 "$LOG_DIR/demo-balance.log"
  fi
fi

# --- invoicing of the demo months (after their final balance runs) ----------------

if [[ $load_demo -eq 1 && -n "$ctl" && " ${started[*]} " == *" invoicing "* &&
  " ${started[*]} " == *" balance "* && "$demo_readings_months" -gt 0 ]]; then
  say "invoicing: the invoice runs of 2026-09 and 2026-10 from their final balance runs"
  # Fixed request ids: running up again replays the same runs. 2026-09 first, so
  # document numbers follow the months.
  if ! (
    for month in 2026-09 2026-10; do
      echo "== invoice run $month"
      env "${ctl_env[@]}" "$ctl" invoicing run "$month" \
        --request-id "demo-$demo_seed-invoicing-$month" \
        --invoicing-addr "$BIND_HOST:7104" || exit 1
    done
  ) >"$LOG_DIR/demo-invoicing.log" 2>&1; then
    warn "the demo invoice runs failed (see .run/logs/demo-invoicing.log)"
  else
    grep -v "%)" "$LOG_DIR/demo-invoicing.log" | cut -c1-240 | tail -n 24
  fi
fi

# --- forecasting: the legacy history and one forecast run ---------------------------

if [[ $load_demo -eq 1 && -n "$ctl" && " ${started[*]} " == *" forecasting "* ]]; then
  say "forecasting: the legacy history 2019-01 .. 2025-10, final balance runs of the demo"
  say "  months before 2026-09, then a forecast run from all of it and one from history to 2026-08"
  # The months of the demo readings before the invoiced ones are billed too
  # (final balance runs), so the forecast reads them rather than filling
  # gaps. Fixed request ids: running up again replays the same runs, import
  # and forecast run.
  forecast_months=()
  if [[ " ${started[*]} " == *" balance "* && " ${started[*]} " == *" metering "* ]]; then
    for ((k = demo_readings_months - 1; k >= 2; k--)); do
      forecast_months+=("$(date -u -d "2026-10-01 -$k months" +%Y-%m)")
    done
  fi
  if ! (
    for month in "${forecast_months[@]}"; do
      echo "== final balance run $month"
      env "${ctl_env[@]}" "$ctl" balance run "$month" --type final \
        --request-id "demo-$demo_seed-balance-final-$month" --addr "$contracts_addr" \
        --balance-addr "$BIND_HOST:7103" || exit 1
    done
    env "${ctl_env[@]}" "$ctl" forecast demo-history --seed "$demo_seed" \
      --out "$RUN_DIR/demo-history.csv" &&
      env "${ctl_env[@]}" "$ctl" forecast import-history "$RUN_DIR/demo-history.csv" \
        --request-id "demo-$demo_seed-forecast-history-v2" --forecasting-addr "$BIND_HOST:7105" &&
      env "${ctl_env[@]}" "$ctl" forecast run --request-id "demo-$demo_seed-forecast-run-v2" \
        --forecasting-addr "$BIND_HOST:7105" &&
      # A second run whose history ends before the invoiced months (2026-09,
      # 2026-10), so reporting's R6 has forecasts to set against billed actuals.
      env "${ctl_env[@]}" "$ctl" forecast run --history-to 2026-08 \
        --request-id "demo-$demo_seed-forecast-run-2026-08" --forecasting-addr "$BIND_HOST:7105"
  ) >"$LOG_DIR/demo-forecasting.log" 2>&1; then
    warn "the demo forecast failed (see .run/logs/demo-forecasting.log)"
  else
    grep -v "%)" "$LOG_DIR/demo-forecasting.log" | cut -c1-240 | tail -n 16
  fi
fi

# --- reporting: refresh the read model over what the services hold now -----------

if [[ -n "$ctl" && " ${started[*]} " == *" reporting "* ]]; then
  say "reporting: refreshing the read model (only what changed since the last refresh)"
  if ! env "${ctl_env[@]}" "$ctl" report refresh --reporting-addr "$BIND_HOST:7106" \
    >"$LOG_DIR/demo-reporting.log" 2>&1; then
    warn "the reporting refresh failed (see .run/logs/demo-reporting.log)"
  else
    cut -c1-240 "$LOG_DIR/demo-reporting.log" | tail -n 8
  fi
fi

# --- integrations: the adapters, through the gateway with an API key ---------------
# Started after the gateway (it calls the suite only through it, as a third
# party would), with an API key of role integration client made once and kept
# in .run/secrets, and every adapter on a folder under .run/integrations or
# on a local stand-in of its outside system (tools/standins: ESF 7208, ITSM
# 7209, the CMIS archive 7211, the ERP importer 7212 reading erp-out).

integrations_bin="$(service_binary integrations)"
if [[ -n "$integrations_bin" && -n "$ctl" && " ${started[*]} " == *" gateway "* ]]; then
  say "integrations: an integration client API key, then the adapters (gRPC $BIND_HOST:7107)"
  key_file="$RUN_DIR/secrets/integrations_api_key"
  log="$LOG_DIR/integrations.log"
  if [[ ! -s "$key_file" ]]; then
    gw=(--gateway "$BIND_HOST:7100")
    token="$("$ctl" "${gw[@]}" auth sign-in --user admin --password-file "$RUN_DIR/secrets/admin_password")" ||
      die "integrations: admin sign-in failed"
    (umask 077 && GRIDBILL_TOKEN="$token" "$ctl" "${gw[@]}" auth create-api-key integrations \
      --roles integration_client --request-id "integrations-key-$(date +%s)-$$" >"$key_file") ||
      die "integrations: could not create its API key"
  fi
  if [[ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = 'integrations'")" ]]; then
    psql_admin -c "CREATE DATABASE integrations OWNER $PG_USER" || die "could not create database integrations"
  fi
  idir="$RUN_DIR/integrations"
  mkdir -p "$idir"/{cms-in,bank-in,erp-out,ecm-archive,dwh}
  integrations_env=(GRIDBILL_GATEWAY_ADDRESS="$BIND_HOST:7100" GRIDBILL_API_KEY_FILE="$key_file"
    GRIDBILL_CMS_INBOUND_DIR="$idir/cms-in" GRIDBILL_BANK_INBOUND_DIR="$idir/bank-in"
    GRIDBILL_ERP_OUTBOX_DIR="$idir/erp-out"
    GRIDBILL_SCADA_LISTEN_ADDRESS="$BIND_HOST:7110" GRIDBILL_DWH_DIR="$idir/dwh")
  # The stand-ins of ESF (7208), ITSM (7209), the CMIS archive (7211) and the
  # ERP importer of erp-out (7212), recording what they get (GET /stats).
  ecm_archive="$idir/ecm-archive"
  for standin in esf:7208 itsm:7209 cmis:7211 erp:7212; do
    sname="${standin%%:*}" sport="${standin##*:}"
    sbin="$BUILD_DIR/tools/standins/gridbill-$sname-standin"
    [[ -x "$sbin" ]] || continue
    sargs=(--port "$sport" --host "$BIND_HOST")
    if [[ "$sname" == erp ]]; then sargs+=(--dir "$idir/erp-out" --scan-ms 1000); fi
    setsid "$sbin" "${sargs[@]}" </dev/null >>"$LOG_DIR/$sname-standin.log" 2>&1 &
    echo $! >"$PID_DIR/$sname-standin.pid"
    case "$sname" in
      esf) integrations_env+=(GRIDBILL_ESF_URL="http://$BIND_HOST:7208" GRIDBILL_ESF_BIN=940740000911
        GRIDBILL_ESF_USERNAME=kegoc GRIDBILL_ESF_PASSWORD=standin) ;;
      itsm) integrations_env+=(GRIDBILL_ITSM_URL="http://$BIND_HOST:7209" GRIDBILL_ITSM_USER=gridbill
        GRIDBILL_ITSM_PASSWORD=standin) ;;
      cmis) ecm_archive="http://$BIND_HOST:7211/cmis/browser/gridbill"
        integrations_env+=(GRIDBILL_ECM_CMIS_URL="$ecm_archive" GRIDBILL_ECM_CMIS_USER=gridbill
          GRIDBILL_ECM_CMIS_PASSWORD=standin) ;;
    esac
  done
  # Without the CMIS stand-in built, the archive is a directory.
  [[ "$ecm_archive" == http* ]] || integrations_env+=(GRIDBILL_ECM_ARCHIVE_DIR="$ecm_archive")
  mapfile -t extra_env < <(service_env integrations)
  printf '\n--- %s: starting %s ---\n' "$(date -u +%FT%TZ)" "$integrations_bin" >>"$log"
  env "${unset_args[@]}" "${extra_env[@]}" "${integrations_env[@]}" \
    GRIDBILL_DATABASE_URL="postgresql://$PG_USER@$PG_HOST:$PG_PORT/integrations" \
    GRIDBILL_GRPC_ADDRESS="$BIND_HOST:7107" GRIDBILL_METRICS_ADDRESS="$BIND_HOST:9107" \
    setsid "$integrations_bin" </dev/null >>"$log" 2>&1 &
  echo $! >"$PID_DIR/integrations.pid"
  wait_ready integrations 7107 9107
  started+=(integrations)
  say "integrations is up: drop files into $idir/cms-in and $idir/bank-in; documents go to $idir/erp-out and $ecm_archive"
fi

# --- a base backup (WAL is archived continuously: deploy/backup.sh, restore.sh) -------

if [[ "${GRIDBILL_BACKUP:-1}" == 1 ]] &&
  [[ -z "$(find "$(pg_backup_dir)" -mindepth 1 -maxdepth 1 -type d -name '20*Z' -mmin -1440 2>/dev/null)" ]]; then
  # In the background: a copy of the whole cluster takes minutes and the suite
  # is usable meanwhile (WAL is archived from the start either way).
  say "base backup of the cluster (none from the last day) in the background: .run/logs/backup.log"
  setsid bash -c "bash '$GRIDBILL_ROOT/deploy/backup.sh' || echo 'the base backup failed'" \
    </dev/null >"$LOG_DIR/backup.log" 2>&1 &
fi

# --- where everything is -----------------------------------------------------------

ctl_rel="${ctl#"$GRIDBILL_ROOT"/}"
{
  echo
  echo "Gridbill is up."
  echo
  printf '  %-12s %-22s %-38s %s\n' service gRPC metrics log
  for line in "${SERVICES[@]}"; do
    read -r svc grpc_port metrics_port <<<"$line"
    if [[ " ${started[*]} " == *" $svc "* ]]; then
      printf '  %-12s %-22s %-38s %s\n' "$svc" "$BIND_HOST:$grpc_port" \
        "http://$BIND_HOST:$metrics_port/metrics" ".run/logs/$svc.log"
    fi
  done
  if [[ " ${started[*]} " == *" integrations "* ]]; then
    printf '  %-12s %-22s %-38s %s\n' integrations "$BIND_HOST:7107" \
      "http://$BIND_HOST:9107/metrics" ".run/logs/integrations.log"
  fi
  echo
  echo "  PostgreSQL   $PG_HOST:$PG_PORT, user $PG_USER, one database per service (.run/logs/postgres.log)"
  echo "               psql -h $PG_HOST -p $PG_PORT -U $PG_USER contracts"
  if [[ " ${started[*]} " == *" gateway "* ]]; then
    echo "  gateway      gRPC for integrators $BIND_HOST:7100 (x-api-key or authorization: Bearer)"
    echo "  portal       http://$BIND_HOST:$GATEWAY_WEB_PORT/  User Account and operator console (portal/dist; gRPC-web on the same port)"
    echo "               sign in as admin; its password is in .run/secrets/admin_password"
    if [[ $VERIFY_IDENTITY -eq 1 ]]; then
      echo "               services accept only identities the gateway signed (.run/secrets/identity_secret)"
    fi
    if [[ $MTLS -eq 1 ]]; then
      echo "               gateway and services speak mutual TLS (certificates in .run/certs)"
    fi
  else
    echo "  portal       not yet available (the gateway has not been built)"
  fi
  if [[ ${#skipped[@]} -gt 0 ]]; then
    echo "  not built    ${skipped[*]}"
  fi
  echo
  if [[ -n "$ctl" ]]; then
    echo "Try the operator CLI:"
    if [[ $VERIFY_IDENTITY -eq 1 ]]; then
      echo "  export GRIDBILL_IDENTITY_SECRET=\$(cat .run/secrets/identity_secret)   # it signs its calls"
    fi
    if [[ $MTLS -eq 1 ]]; then
      echo "  export GRIDBILL_MTLS_CERT_FILE=.run/certs/gridbillctl.crt GRIDBILL_MTLS_KEY_FILE=.run/certs/gridbillctl.key GRIDBILL_MTLS_CA_FILE=.run/certs/ca.crt"
    fi
    echo "  $ctl_rel participants list --addr $contracts_addr"
    echo "  $ctl_rel balance runs --period 2026-10"
    echo "  $ctl_rel invoicing documents --period 2026-10"
    echo "  $ctl_rel forecast show --nation"
    if [[ " ${started[*]} " == *" gateway "* ]]; then
      echo "Or through the gateway, as a signed-in user:"
      echo "  export GRIDBILL_GATEWAY=$BIND_HOST:7100"
      echo "  export GRIDBILL_TOKEN=\$($ctl_rel auth sign-in --user admin --password-file .run/secrets/admin_password)"
      echo "  $ctl_rel participants list"
    fi
    echo "  $ctl_rel --help"
  fi
  echo "Health and metrics: curl -s http://$BIND_HOST:9101/metrics | promtool check metrics"
  echo "Stop: ./deploy/down.sh   (keeps the data; ./deploy/down.sh --purge deletes .run)"
}
