#!/usr/bin/env bash
# Records tests/data/lineage/auditd_two_trees.log: real audit records (execve and the
# clone/fork family) of two process trees
# that run at the same time on this host, plus a third, unanchored one (noise). Needs root,
# Debian's auditd and no other audit daemon registered (it starts its own in the foreground
# with a private config, like tests/collectors/auditd_e2e_test.cpp, and stops it after).
# Writes the anchors (executor pid, start, end of each tree) to auditd_two_trees.json.
set -euo pipefail
out_dir=$(cd "$(dirname "$0")" && pwd)
key=attest-lineage-$$
work=$(mktemp -d)
trap 'auditctl -d always,exit -F arch=b64 -S execve,clone,clone3,fork,vfork -k "$key" 2>/dev/null || true;
      [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null; wait 2>/dev/null; auditctl -e "$enabled" >/dev/null;
      rm -rf "$work"' EXIT
enabled=$(auditctl -s | awk '$1=="enabled"{print $2}')
[ "$(auditctl -s | awk '$1=="pid"{print $2}')" = 0 ] || { echo "an audit daemon already runs" >&2; exit 1; }
cat > "$work/auditd.conf" <<CONF
log_file = $work/audit.log
log_format = ENRICHED
log_group = root
flush = INCREMENTAL_ASYNC
freq = 20
max_log_file = 0
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
name_format = HOSTNAME
write_logs = yes
local_events = yes
CONF
chmod 0640 "$work/auditd.conf"
/usr/sbin/auditd -n -c "$work" >"$work/auditd.out" 2>&1 &
daemon=$!
for _ in $(seq 50); do [ "$(auditctl -s | awk '$1=="pid"{print $2}')" = "$daemon" ] && break; sleep 0.1; done
auditctl -e 1 >/dev/null
auditctl -a always,exit -F arch=b64 -S execve,clone,clone3,fork,vfork -k "$key"

now() { date +%s.%N; }
# A tree: its executor (bash) forks subshells and programs, some in the background.
tree() {
    bash -c 'echo $$ > "$1"; sleep 0.2; ls / >/dev/null; (sleep 0.3; cat /etc/hostname >/dev/null) &
             id >/dev/null; sh -c "uname -a >/dev/null; sleep 0.2; head -c1 /etc/passwd >/dev/null"; wait
             sleep 0.2; env >/dev/null' tree "$1"
}
noise() { for _ in 1 2 3 4 5 6; do /bin/true; sleep 0.15; done; }

noise & noise_pid=$!
a_start=$(now); tree "$work/a.pid" & a=$!
sleep 0.1
b_start=$(now); tree "$work/b.pid" & b=$!
wait "$a"; a_end=$(now)
wait "$b"; b_end=$(now)
wait "$noise_pid"
sleep 0.5
auditctl -d always,exit -F arch=b64 -S execve,clone,clone3,fork,vfork -k "$key"
sleep 0.3
grep -a "key=\"$key\"\|$key" "$work/audit.log" >/dev/null || { echo "no records with $key" >&2; exit 1; }
# Whole events (every record of each serial whose SYSCALL carries the key).
serials=$(grep -a "key=\"$key\"" "$work/audit.log" | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p' | sort -u)
grep -aF -f <(printf 'msg=audit(%s)\n' $serials) "$work/audit.log" > "$out_dir/auditd_two_trees.log"
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.%NZ; }
cat > "$out_dir/auditd_two_trees.json" <<JSON
{"host": "$(hostname)", "key": "$key",
 "anchors": [
  {"name": "A", "executor_pid": "$(cat "$work/a.pid")", "start": "$(iso "$a_start")", "end": "$(iso "$a_end")"},
  {"name": "B", "executor_pid": "$(cat "$work/b.pid")", "start": "$(iso "$b_start")", "end": "$(iso "$b_end")"}
 ]}
JSON
echo "recorded $(wc -l < "$out_dir/auditd_two_trees.log") lines"
