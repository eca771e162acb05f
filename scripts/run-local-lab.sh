#!/usr/bin/env bash
# Runs the T1114 pack on this machine (labs/local.yaml) with real Linux audit telemetry.
#
# Starts auditd if it is not running and loads the pack's audit rules; afterwards removes
# exactly the rules it added and stops the daemon it started (by pid), whatever happened.
# Needs root (auditctl). Arguments are passed to `attest run`, e.g.
#   scripts/run-local-lab.sh --out runs/local --record runs/local/telemetry
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
attest="${ATTEST:-$here/build/attest}"
pack="${PACK:-$here/scenarios/t1114}"
rules="$pack/lab/auditd.rules"
log=/var/log/audit/audit.log

if [ "$(id -u)" != 0 ]; then
    echo "run-local-lab: needs root (auditctl, auditd)" >&2
    exit 2
fi
[ -x "$attest" ] || { echo "run-local-lab: $attest not built (scripts/build.sh)" >&2; exit 2; }
[ -f "$rules" ] || { echo "run-local-lab: no audit rules at $rules" >&2; exit 2; }

started_pid=""
added_rules=()

restore() {
    local status=$?
    # Remove only the rules this script added, newest first.
    for ((i = ${#added_rules[@]} - 1; i >= 0; i--)); do
        local rule="${added_rules[$i]}"
        if [[ "$rule" == -w* ]]; then
            auditctl ${rule/-w/-W} >/dev/null 2>&1 || true
        else
            auditctl ${rule/-a/-d} >/dev/null 2>&1 || true
        fi
    done
    if [ -n "$started_pid" ]; then
        kill "$started_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$started_pid" 2>/dev/null || break; sleep 0.1; done
        echo "run-local-lab: stopped auditd (pid $started_pid)" >&2
    fi
    exit $status
}
trap restore EXIT
trap 'exit 130' INT TERM

# auditd: the status line `pid N` is 0 when no daemon is attached to the audit socket.
audit_pid="$(auditctl -s 2>/dev/null | awk '$1 == "pid" {print $2}')"
if [ -z "$audit_pid" ] || [ "$audit_pid" = 0 ]; then
    mkdir -p "$(dirname "$log")"
    auditd
    for _ in $(seq 50); do
        audit_pid="$(auditctl -s | awk '$1 == "pid" {print $2}')"
        [ -n "$audit_pid" ] && [ "$audit_pid" != 0 ] && break
        sleep 0.1
    done
    [ "$audit_pid" != 0 ] || { echo "run-local-lab: auditd did not start" >&2; exit 1; }
    started_pid="$audit_pid"
    echo "run-local-lab: started auditd (pid $started_pid)" >&2
fi
auditctl -e 1 >/dev/null

# A watch needs an existing path.
mkdir -p /tmp/attest /var/mail
existing="$(auditctl -l)"
while IFS= read -r line; do
    line="${line%%#*}"
    line="$(echo "$line" | sed 's/[[:space:]]*$//')"
    [ -z "$line" ] && continue
    # Skip rules that are already loaded (they are not ours to remove).
    if auditctl $line 2>/dev/null; then
        added_rules+=("$line")
    fi
done < "$rules"
echo "run-local-lab: loaded ${#added_rules[@]} audit rule(s) from $rules" >&2

set +e
"$attest" run --lab "$here/labs/local.yaml" --pack "$pack" --get-prereqs "$@"
status=$?
set -e
exit $status
