// Live collection through the transport: for each telemetry source of a target, check it is
// alive (preflight), note where its log stands before execution (mark), and fetch what was
// written since (fetch); all three are coroutines on the runner's executor. What is fetched is
// written to a file that a collector of CollectorRegistry::builtin() reads, so live runs and
// `attest check` share one code path. Which ways a source can be read, the collector that
// reads what is fetched and the source's own liveness check come from its SourceSpec
// (telemetry/sources/<name>.cpp, `attest sources`):
//
//   log {log: PATH}          a file on the target, from the byte offset noted before (auditd,
//                            sysmon_linux); preflight: the table's listing command (auditctl -l)
//   channel {channel: NAME}  wevtutil qe NAME /q:"*[System[TimeCreated[@SystemTime>='T']]]"
//                            /f:xml, T the target's own clock before execution (sysmon,
//                            powershell, security)
//   file {file: PATH}        an exported file on this machine (o365, mde)
//   api {api: {...}}         the Office 365 Management Activity API (telemetry/live/o365_api.h)
#pragma once

#include <memory>
#include <string>

#include "core/expected.h"
#include "expectations/spec.h"
#include "harness/lab.h"
#include "harness/transport.h"
#include "scenarios/baseline.h"

namespace attest::run {

class LiveSource {
public:
    virtual ~LiveSource() = default;
    // Whether the source is alive and configured (Sysmon running, script block logging on
    // by policy, audit rules loaded). An error makes its expectations not_collected.
    virtual Task<Expected<void>> preflight(Transport& transport, const CancelToken& cancel) = 0;
    // Notes the position before execution.
    virtual Task<Expected<void>> mark(Transport& transport, const CancelToken& cancel) = 0;
    // Brings `dest` up to date with everything since the mark. Called repeatedly while
    // collection polls. A source that appends() adds only what arrived since its previous
    // fetch (the first fetch after mark() starts the file); the others rewrite it whole.
    virtual Task<Expected<void>> fetch(Transport& transport, const std::string& dest,
                                       const CancelToken& cancel) = 0;
    virtual bool appends() const { return false; }
    // Bytes read from the target by fetch() so far (an incremental poll reads only new ones).
    std::uint64_t fetched_bytes() const { return m_fetched_bytes; }

    // Why the source, as preflight found it configured, cannot log what `spec` looks for
    // (auditd: no loaded rule logs its syscall); empty when it can or nobody knows.
    virtual std::string not_logged(const expectations::ExpectationSpec&) const { return {}; }
    // Whether a file rule of the source covers writes to `path` (the baseline derives a file
    // expectation only then).
    virtual bool logs_writes_to(std::string_view) const { return false; }

    const SourceConfig& config() const { return m_config; }
    // The collector (CollectorRegistry name) that reads what fetch() writes.
    virtual std::string collector() const = 0;
    virtual std::string file_extension() const = 0;

protected:
    explicit LiveSource(SourceConfig config) : m_config(std::move(config)) {}
    SourceConfig m_config;
    std::uint64_t m_fetched_bytes = 0;
};

// The lab's process sensors as the baseline expectations see them (scenarios/baseline.h):
// every configured source the baseline knows, alive (in `live`) or not; a dead one still
// gets its expectations, made not_collected with its preflight error by the runner.
std::vector<scenarios::BaselineSensor> baseline_sensors(
    const std::vector<SourceConfig>& configured,
    const std::vector<std::unique_ptr<LiveSource>>& live);

// `privileged_reads`: read logs through `sudo -n` (target user is not root).
Expected<std::unique_ptr<LiveSource>> make_live_source(const SourceConfig& config,
                                                       Platform platform,
                                                       bool privileged_reads);

// The wevtutil query for events at or after `since_iso` and, when `after_record` is not 0,
// with a record id above it (what an earlier poll already fetched). Exposed for tests.
std::string wevtutil_query(const std::string& since_iso, std::uint64_t after_record = 0);
// The highest <EventRecordID> in wevtutil's XML output (0: none).
std::uint64_t last_record_id(std::string_view xml);

}  // namespace attest::run
