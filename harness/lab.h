// The lab file: which machines scenarios run on, how they are reached (transport), which
// telemetry sources apply to each and how they are collected, latencies, concurrency and
// timeouts. Secrets are referenced by environment variable name, never written inline.
//
//   lab: NAME
//   concurrency: N                  # targets worked on at once (default 4)
//   timeouts: {connect: 20s, prerequisites: 120s, execution: 300s, cleanup: 120s,
//              collection: 60s, readiness: 300s}
//   targets:
//   - name: NAME
//     platform: windows | linux | macos
//     transport: local | ssh | command
//     qemu: {image: DIR, memory: 768M, cpus: 1, snapshot: clean, keep_running: false,
//            accel: auto | kvm | tcg, append: "kernel args"}   # a VM attest starts itself
//     ssh: {host, port, user, identity_file, known_hosts, strict_host_key_checking,
//           control_persist, options: [..]}
//     command: {vm, exec: [argv template], upload: [argv template]}
//     revert: [argv template]            # optional snapshot revert, run on this machine
//     readiness: "command on the target"  # optional, retried until exit 0
//     elevation: auto | none | sudo | unavailable
//     concurrency: 1                     # scenarios at once on this target
//     timeouts: {...}                    # overrides the lab's
//     secrets: [ENV_VAR, ...]            # values masked everywhere in output
//     sources:
//       auditd: {log: /var/log/audit/audit.log, latency: 2s,
//                rules: PATH | pack, start: false}  # rules loaded at preflight, removed after
//       sysmon: {channel: Microsoft-Windows-Sysmon/Operational}
//       powershell: {channel: Microsoft-Windows-PowerShell/Operational}
//       o365: {file: PATH} | {api: {tenant, client_id, client_secret_env, endpoint}},
//             latency: 30m
//       sysmon: {elastic: {url, index, host_field: host.name, ca_file | ca_fingerprint,
//                page_size: 1000}, latency: 2m}   # any source, read back from Elasticsearch
//     host: NAME                         # the machine's host.name in the SIEM (default: name)
//   siem:                                # detections marked `siem: elastic` (docs/elastic.md)
//     elastic: {url, kibana, alerts_index, ca_file | ca_fingerprint, host_field,
//               poll_interval: 30s, max_polls: 60, deadline: 10m, late_grace: 5m}
//   ship:                                # each scenario's collected telemetry, indexed
//     elastic: {url, index: "logs-{dataset}-attest", ca_file | ca_fingerprint,
//               profile: sysmon | endpoint}
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics.h"
#include "core/expected.h"
#include "harness/executor.h"
#include "telemetry/live/elastic_window.h"
#include "telemetry/live/o365_api.h"
#include "telemetry/source_spec.h"

namespace attest::run {

using Millis = std::chrono::milliseconds;

struct Timeouts {
    Millis connect{20000};
    Millis readiness{300000};
    Millis prerequisites{120000};
    Millis execution{300000};
    Millis cleanup{120000};
    Millis collection{60000};
};

using telemetry::O365ApiConfig;

struct SourceConfig {
    std::string name;       // auditd, sysmon, powershell, o365, ...
    std::string log;        // a file on the target read from the offset noted before the run
    std::string channel;    // a Windows event log channel (wevtutil qe)
    std::string file;       // an exported file on this machine (o365 export)
    std::optional<O365ApiConfig> api;
    std::optional<telemetry::ElasticSource> elastic;  // the window read from Elasticsearch
    Millis latency{0};      // how long events take to show up at the source
    bool optional = false;  // a failing preflight is a warning, not not_collected

    // Which of the read methods is set (api, elastic, file, channel, log), if any.
    std::optional<telemetry::Acquisition> acquisition() const;
    // Sensor provisioning: rules attest loads at preflight and removes at the end ("pack":
    // the pack's lab/<source>.rules), and whether to start the daemon when it is not running.
    std::string rules;
    bool start = false;
};

struct SshConfig {
    std::string host;
    int port = 22;
    std::string user;
    std::string identity_file;
    std::string known_hosts;
    bool strict_host_key_checking = true;
    std::string control_persist = "60s";
    std::vector<std::string> options;  // extra -o options, e.g. "ConnectTimeout=5"
};

struct CommandConfig {
    std::string vm;
    std::vector<std::string> exec;    // argv template: {vm} {command} {encoded_command} {argv}
    std::vector<std::string> upload;  // argv template with {remote_path}; content on stdin
};

// A VM that attest starts itself (harness/qemu.h) and reaches through the ssh transport.
struct QemuConfig {
    std::string image;          // directory made by scripts/lab-image.sh (lab-file relative)
    int memory_mb = 768;
    int cpus = 1;
    std::string snapshot = "clean";
    bool keep_running = false;  // leave it up after the run (attest lab stop stops it)
    std::string accel = "auto";  // kvm when /dev/kvm is usable, else tcg
    std::string append;         // extra kernel command-line arguments
};

struct TargetConfig {
    std::string name;
    Platform platform = Platform::Linux;
    std::string transport = "local";
    SshConfig ssh;
    CommandConfig command;
    std::optional<QemuConfig> qemu;
    std::vector<std::string> revert;  // argv template run locally, {vm} substituted
    std::string readiness;
    std::string elevation = "auto";
    int concurrency = 1;
    Timeouts timeouts;
    std::vector<std::string> secret_envs;
    std::vector<SourceConfig> sources;
    std::string host;  // the machine's name in the SIEM's documents; empty: `name`
    std::string file;  // lab file and position, for messages
    int line = 0;

    const SourceConfig* source(const std::string& name) const;
    // Whether every scenario starts from a clean snapshot (a revert step is configured), so a
    // destructive test cannot leave damage behind.
    bool can_revert() const { return !revert.empty() || qemu.has_value(); }
};

// What a lab lets tests do (docs/labs.md, "Safety rails"). Risk names are
// scenarios/risk.h's; `deny_tests` entries are technique ids, `T1114.001#3`, test names or
// GUID prefixes.
struct SafetyPolicy {
    std::optional<std::vector<std::string>> allow_risks;  // nullopt: every risk
    std::vector<std::string> deny_tests;
    std::string file;  // lab file and line of the policy, for reasons
    int line = 0;
};

// The deployed Elastic Security that detections marked `siem: elastic` are checked in.
// Credentials come from the environment (net/elastic_client.h), never from the lab file.
struct SiemElasticConfig {
    std::string url;     // Elasticsearch
    std::string kibana;  // Kibana, for the rules API; empty: the rule's status is not asked
    std::string alerts_index = ".alerts-security.alerts-default";
    std::string ca_file;
    std::string ca_fingerprint;
    std::string host_field = "host.name";
    Millis poll_interval{30000};
    int max_polls = 60;              // per detection, late polls included
    std::optional<Millis> deadline;  // after the execution end; none: the rule's schedule
    Millis late_grace{300000};       // polling goes on this long past the deadline for late alerts
};

// Where `attest run` ships each scenario's collected telemetry (harness/run_ship.h), so the
// deployed rules see lab activity where no agent ships it. Credentials from the environment.
struct ShipElasticConfig {
    net::ElasticConfig connection;
    // The target; {dataset} is replaced by the source's main dataset, so each source lands
    // where its integration would put it (logs-windows.sysmon_operational-attest).
    std::string index = "logs-{dataset}-attest";
    Profile profile = Profile::Sysmon;
};

struct Lab {
    std::string name;
    std::string path;
    std::string dir;  // the lab file's directory: relative paths in it resolve from there
    int concurrency = 4;
    Timeouts timeouts;
    SafetyPolicy safety;
    std::vector<TargetConfig> targets;
    std::optional<SiemElasticConfig> siem_elastic;
    std::optional<ShipElasticConfig> ship_elastic;

    const TargetConfig* target(const std::string& name) const;
};

// Parses a lab file. Every problem is reported to `sink` as file:line:column: reason; the
// result is an error when there was any.
Expected<Lab> load_lab(const std::string& path, DiagnosticSink& sink);
Expected<Lab> parse_lab(const std::string& text, const std::string& path, DiagnosticSink& sink);

// "250ms", "30s", "5m", "1h", or a plain number of seconds.
Expected<Millis> parse_duration(const std::string& text);

}  // namespace attest::run
