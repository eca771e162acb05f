// Linux audit collector ("auditd"): raw /var/log/audit/audit.log and `ausearch --raw` output.
//
// One event per audit serial. Records of one serial (SYSCALL, EXECVE, CWD, PATH..., SOCKADDR,
// PROCTITLE, EOE) are grouped even when records of other serials are interleaved between them.
//
// Grouping rule (bounded memory). Open groups are kept in arrival order, keyed by (node,
// serial). A group is complete when:
//   1. its EOE record arrives; or
//   2. it has a SYSCALL record, its PROCTITLE record (the kernel writes it last) and as many
//      PATH records as SYSCALL's `items=`; or
//   3. it is a user-space / daemon message (USER_*, CRED_*, DAEMON_*, SERVICE_*, SYSTEM_*),
//      which is always a single record.
// A group that is not complete is closed anyway when more than kMaxOpenGroups (64) newer groups
// have opened after it, or when a record stamped more than 2 s later than the group arrives (the
// kernel writes all records of one event together), and at the end of the input. Events are
// emitted in the order their first record arrived. A closed group that has a SYSCALL without its
// PROCTITLE / PATH records, or PATH/EXECVE/CWD/SOCKADDR/PROCTITLE records without a SYSCALL, is
// emitted with `auditd.incomplete: true`. A record arriving for a serial already emitted starts a
// new (incomplete) group.
//
// Values: quoted values are taken as is; unquoted values of the fields the kernel hex-encodes
// (EXECVE a*, PROCTITLE proctitle, PATH name, CWD cwd, exe, comm, key, ...) are hex-decoded when
// they are hex; `(null)` / `(none)` are absent. EXECVE long arguments arrive as `aN_len=`,
// `aN[0]=`, `aN[1]=`... and are joined. The interpreted fields after `\x1d` in ENRICHED logs
// (`UID="root"`, `SYSCALL=openat`, `SADDR={...}`) go to auditd.enriched.*. A `node=NAME` prefix
// gives host.name; without it there is no host.name (ecs-mapping.md: host.name is the record's
// node name, and it names no fallback such as the collecting machine's hostname).
//
// ECS (shared/spec/ecs-mapping.md): @timestamp from audit(EPOCH.mmm:SERIAL); event.dataset
// "auditd.log"; EXECVE: event.category ["process"], event.type ["start"], event.action
// "executed", process.executable / name / pid / parent.pid / args / args_count / command_line /
// working_directory / title, user.id; opens and creations of files: event.category ["file"],
// file.path (PATH name joined with CWD when relative to the cwd), file.name / directory /
// extension, event.action "opened-file" / "creation" / "deleted"; connect with SOCKADDR:
// event.category ["network"], destination.ip / destination.port (local sockets: destination
// .address = the socket path), event.action "connected-to" (event.outcome "unknown" for a
// non-blocking connect's EINPROGRESS); tags from the rule key;
// auditd.data.* = the SYSCALL (or first) record's fields; auditd.paths = the PATH records
// (without the cap_* file-capability fields).
// process.entity_id = hex FNV-1a of (node, pid, serial of the EXECVE that started the pid's
// current image), tracked across the stream in a bounded map (kMaxTrackedPids, oldest dropped);
// serial 0 stands for an image started before the log began.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attest::auditd {

struct AuditField {
    std::string key;
    std::string value;
    bool quoted = false;  // the value was written in quotes (never hex-encoded then)
};

// The record types the grouping and the ECS mapping look at (set by parse_audit_line).
enum class RecordKind : std::uint8_t { other, syscall, execve, cwd, path, proctitle, sockaddr, eoe };

struct AuditRecord {
    std::string node;
    std::string type;
    RecordKind kind = RecordKind::other;
    std::int64_t time_ns = 0;
    std::uint64_t serial = 0;
    std::vector<AuditField> fields;    // raw values (hex not decoded yet)
    std::vector<AuditField> enriched;  // after \x1d
    std::uint64_t line = 0;

    const AuditField* find(std::string_view key) const;
};

// Parses one audit.log line. On failure returns false with a reason and a 1-based column.
// `out` may be a record parsed before: its storage is reused.
bool parse_audit_line(std::string_view line, AuditRecord& out, std::string& error,
                      std::size_t& column);

// Hex text ("2F746D70") to bytes; nullopt when not even-length hex.
std::optional<std::string> decode_hex(std::string_view hex);
// The same into `out` (its capacity reused); false (out unspecified) when not even-length hex.
bool decode_hex_into(std::string_view hex, std::string& out);

// The value of a field as the program saw it: quoted taken as is, unquoted hex decoded for
// fields the kernel encodes; nullopt for (null) / (none).
std::optional<std::string> field_value(const AuditField& f);

struct SocketAddress {
    std::string family;  // "inet", "inet6", "local", "netlink", or "unknown(N)"
    std::string ip;
    int port = -1;
    std::string path;  // local sockets ("@name" for abstract ones)
};
std::optional<SocketAddress> decode_saddr(std::string_view hex);

// Syscall name from number for x86_64 and aarch64 (the common ones), or the number as text.
std::string syscall_name(std::string_view arch_hex, std::string_view number);

int sniff_auditd(std::string_view head, std::string_view path);

}  // namespace attest::auditd
