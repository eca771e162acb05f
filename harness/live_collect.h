// Live collection through the transport: for each telemetry source of a target, check it is
// alive (preflight), note where its log stands before execution (mark), and fetch what was
// written since (fetch); all three are coroutines on the runner's executor. What is fetched is written to a file that a collector of
// CollectorRegistry::builtin() reads, so live runs and `attest check` share one code path.
//
//   auditd  {log: PATH}      the audit log on the target, from the byte offset noted before
//   sysmon / powershell / any {channel: NAME}
//                            wevtutil qe NAME /q:"*[System[TimeCreated[@SystemTime>='T']]]"
//                            /f:xml, T the target's own clock before execution
//   o365    {file: PATH}     an exported audit file on this machine
//   o365    {api: {...}}     the Office 365 Management Activity API (harness/o365_api.h)
#pragma once

#include <memory>
#include <string>

#include "core/expected.h"
#include "expectations/spec.h"
#include "harness/lab.h"
#include "harness/transport.h"

namespace attest::run {

class LiveSource {
public:
    virtual ~LiveSource() = default;
    // Whether the source is alive and configured (Sysmon running, script block logging on
    // by policy, audit rules loaded). An error makes its expectations not_collected.
    virtual Task<Expected<void>> preflight(Transport& transport, const CancelToken& cancel) = 0;
    // Notes the position before execution.
    virtual Task<Expected<void>> mark(Transport& transport, const CancelToken& cancel) = 0;
    // Writes everything since the mark to `dest` (replacing it). Called repeatedly while
    // collection polls; each call returns the whole window so far.
    virtual Task<Expected<void>> fetch(Transport& transport, const std::string& dest,
                                       const CancelToken& cancel) = 0;

    // Why the source, as preflight found it configured, cannot log what `spec` looks for
    // (auditd: no loaded rule logs its syscall); empty when it can or nobody knows.
    virtual std::string not_logged(const expectations::ExpectationSpec&) const { return {}; }

    const SourceConfig& config() const { return m_config; }
    // The collector (CollectorRegistry name) that reads what fetch() writes.
    virtual std::string collector() const = 0;
    virtual std::string file_extension() const = 0;

protected:
    explicit LiveSource(SourceConfig config) : m_config(std::move(config)) {}
    SourceConfig m_config;
};

// `privileged_reads`: read logs through `sudo -n` (target user is not root).
Expected<std::unique_ptr<LiveSource>> make_live_source(const SourceConfig& config,
                                                       Platform platform,
                                                       bool privileged_reads);

// The wevtutil query for events at or after `since_iso` (exposed for tests).
std::string wevtutil_query(const std::string& since_iso);

}  // namespace attest::run
