// Windows events as records, shared by the Windows event XML collector and the EVTX reader.
//
// Both readers produce a WinEventRecord per event (System fields + EventData/UserData as
// name/value strings, rendered the way Windows' EvtRender renders them), and one normalizer
// maps records to ECS. That is what makes `attest events FILE.evtx` equal to `attest events`
// over the same records rendered as XML: there is only one mapping.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/collector.h"
#include "core/value.h"

namespace attest {

struct WinEventRecord {
    // <System>
    std::string provider_name;
    std::string provider_guid;
    std::string event_source_name;
    std::int64_t event_id = -1;
    std::string qualifiers;
    std::string version;
    std::string level;
    std::string task;
    std::string opcode;
    std::string keywords;
    std::string time_created;  // SystemTime as written
    std::uint64_t record_id = 0;
    bool has_record_id = false;
    std::string activity_id;
    std::string related_activity_id;
    std::string process_id;  // Execution ProcessID: the logging service's pid
    std::string thread_id;
    std::string channel;
    std::string computer;
    std::string user_id;  // Security UserID (UserId on Sysmon for Linux)

    // <EventData><Data Name='..'>..</Data> (unnamed Data get "param1", "param2", ...),
    // or <UserData> leaf elements flattened by name.
    std::vector<std::pair<std::string, std::string>> data;

    // Set by renderers that lose information (EvtxECmd: line breaks as ", "): said in
    // attest.rendering_loss of events whose command line or script text came from it.
    std::string lossy;
    // Set when time_created is an estimate (a local time shifted by a measured offset): said
    // in attest.time_note of events whose @timestamp came from it.
    std::string time_note;

    std::string original;  // the raw record, when CollectorOptions::include_original
    Value position;        // provenance: line number, record id or byte offset

    void clear();
};

// Maps WinEventRecords to ECS events (shared/spec/ecs-mapping.md), sysmon profile, and
// reassembles PowerShell 4104 script blocks by (Computer, ScriptBlockId). Events come out in
// input order; a split script block comes out when its last part arrives, or at finish()
// marked incomplete.
class WinEventNormalizer {
public:
    WinEventNormalizer(const CollectorOptions& options, std::string source_name);
    ~WinEventNormalizer();

    void add(WinEventRecord& record);  // may consume (move from) the record's strings
    void finish();                     // flushes partial script blocks
    bool pop(Event& out);              // next ready event, in order

    // Where to report reassembly problems (duplicate parts, blocks evicted by the memory
    // cap), with the line of the record from its position. Optional; added for the readers.
    void set_diagnostics(DiagnosticSink* sink, std::string origin);

    // Reassembly bounds: held script blocks and their text bytes. When either is exceeded the
    // oldest pending block is emitted incomplete (and reported), so memory stays bounded.
    static constexpr std::size_t kMaxPendingBlocks = 1024;
    static constexpr std::size_t kMaxPendingBytes = std::size_t(32) << 20;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace attest
