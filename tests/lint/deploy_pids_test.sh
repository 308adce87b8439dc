#!/usr/bin/env bash
# How `up` tells a service that has just been started from one that died:
# pid_starting (deploy/lib.sh) must hold from the moment `env ... setsid BIN &`
# returns, while the process is still env or setsid before its exec, and fail
# once the process has exited; pid_alive (used by down) must accept only a
# gridbill binary. A check made at once used to see /usr/bin/env and report
# "exited while starting" for a service that was starting fine.
set -euo pipefail
root="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GRIDBILL_RUN_DIR="$tmp/run"
# shellcheck source=/dev/null
source "$root/deploy/lib.sh"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# A stand-in service binary whose name says gridbill, started exactly as up
# starts a service, checked at once, many times over (the exec window is short).
cp /bin/sleep "$tmp/gridbill-standin"
for i in $(seq 1 50); do
  env A=1 setsid "$tmp/gridbill-standin" 5 </dev/null >/dev/null 2>&1 &
  echo $! >"$tmp/standin.pid"
  pid_starting "$tmp/standin.pid" || fail "round $i: a process just started was taken for dead"
  kill "$(cat "$tmp/standin.pid")"
  wait "$(cat "$tmp/standin.pid")" 2>/dev/null || true
  pid_starting "$tmp/standin.pid" && fail "round $i: an exited process was taken for alive"
done

# A launcher slow to reach its exec (as under load): for a second the process
# is bash, not the binary. It is starting, not dead.
env setsid bash -c "sleep 1; exec '$tmp/gridbill-standin' 5" </dev/null >/dev/null 2>&1 &
echo $! >"$tmp/slow.pid"
pid_starting "$tmp/slow.pid" || fail "a process still before its exec was taken for dead"
kill "$(cat "$tmp/slow.pid")"

# Once it is the binary, pid_alive accepts it; an unrelated program is not ours.
env setsid "$tmp/gridbill-standin" 5 </dev/null >/dev/null 2>&1 &
echo $! >"$tmp/standin.pid"
for _ in $(seq 1 50); do
  [[ "$(readlink "/proc/$(cat "$tmp/standin.pid")/exe")" == "$tmp/gridbill-standin" ]] && break
  sleep 0.05
done
pid_alive "$tmp/standin.pid" || fail "pid_alive refused the started binary"
kill "$(cat "$tmp/standin.pid")"
sleep 5 &
echo $! >"$tmp/other.pid"
pid_alive "$tmp/other.pid" && fail "pid_alive accepted a program that is not gridbill's"
kill "$(cat "$tmp/other.pid")"
pid_starting "$tmp/missing.pid" && fail "a missing pid file was taken for a live process"
echo "ok: pid_starting and pid_alive"
