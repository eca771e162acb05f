// What a telemetry source is, declared once per source in telemetry/sources/<name>.cpp (the
// way osquery's table specs drive its tables): its name, the datasets its events carry, the
// formats (collectors) that read it, how it is acquired live, its vocabulary translation and
// the fields its events have. Everything that needs to know about a source reads this table:
// the expectations engine (source of an event, host binding, lag), pack and lab validation,
// live collection, `attest sources`.
//
// The spec holds plain data only (no collector internals), so that telemetry/ sits above
// collectors/ without a cycle; the telemetry layer applies it (vocabulary.h, open.h).
#pragma once

#include <string_view>
#include <vector>

namespace attest::telemetry {

// How a source is read during `attest run` (harness/live_collect.cpp implements each kind).
enum class Acquisition {
    LogFile,         // a log file on the target, read from the byte offset noted before a run
    WindowsChannel,  // a Windows event log channel on the target (wevtutil qe, from a time)
    ExportedFile,    // a file exported on this machine (copied as it is at each poll)
    O365Api,         // the Office 365 Management Activity API (telemetry/live/o365_api.h)
    Elasticsearch,   // the scenario's window read back from Elasticsearch, where an agent
                     // ships the source (telemetry/live/elastic_window.h); ECS documents
};
// The lab file key for the kind ("log", "channel", "file", "api", "elastic") and a one-line
// description.
std::string_view acquisition_key(Acquisition kind);
std::string_view acquisition_description(Acquisition kind);

struct LiveAcquisition {
    Acquisition kind;
    std::string_view collector;  // the collector that reads what is fetched
    std::string_view location;   // default channel name or log path; empty: the lab must say
    // Extra liveness check. Channel: PowerShell lines run after the channel check (exit 3 and
    // a message on stderr when dead). Log file: a command whose listing, when empty or "No
    // rules", means the source records nothing.
    std::string_view preflight;
    // Preflight also reads the sensor's active configuration to know which event IDs it logs
    // (Sysmon for Windows: `Sysmon64 -c`, harness/sysmon_config.h).
    bool reads_sysmon_configuration = false;
};

// One field the normalizer emits for the source: its dotted path, its ECS (Elasticsearch)
// type and what it holds. Native fields (winlog.event_data.*, o365.audit.*, auditd.*, mde.*)
// are listed with the type their values have.
struct FieldSpec {
    std::string_view name;
    std::string_view type;  // keyword, long, date, ip, boolean, object, match_only_text, ...
    std::string_view description;
};

// One row of a vocabulary translation: events of `code` (event.code), optionally only those
// whose `when_field` equals `when_value` (ASCII case-insensitively), get this event.action,
// event.category and event.type in the target vocabulary. Rows are tried in order; the first
// that applies wins, so conditional rows come before the unconditional row of their code.
struct VocabularyRule {
    std::string_view code;
    std::string_view when_field;
    std::string_view when_value;
    std::string_view action;
    std::vector<std::string_view> category;
    std::vector<std::string_view> type;
    std::string_view why;  // the decision, for `attest sources --fields` and reviewers
};

// How a source's events name their process and its parent, for process lineage
// (telemetry/lineage.h). Empty `self`: its events carry no process identity to follow.
struct ProcessIdentity {
    std::string_view self;    // "process.pid" or "process.entity_id"
    std::string_view parent;  // "process.parent.pid" or "process.parent.entity_id"
    // A pid: the kernel gives it to a new process once the old one is gone, so a process
    // seen again under another parent is not the one the tree owned.
    bool reused = false;
    // Fork events (event.action one of `fork_actions`, successful) name the child they
    // created in `forked`: a child that forks without exec has no event of its own before
    // its children's, and is in its parent's tree from its birth.
    std::string_view forked;
    std::vector<std::string_view> fork_actions;
    // How much earlier than the event that ties its process to a tree a process's own event
    // may be dated. Lineage-bound expectations get the source's events this late (event
    // time), so that such an event still counts once its process is known (Evaluator).
    std::int64_t late_ns = 10'000'000'000;

    // Identity by process.entity_id (Sysmon ProcessGuid, MDE device+pid+creation time): never
    // reused, no fork events.
    static ProcessIdentity by_entity_id() {
        // Sysmon dates a network connection (EID 3) seconds before the creation event (EID 1)
        // of the process that made it.
        return {.self = "process.entity_id",
                .parent = "process.parent.entity_id",
                .reused = false,
                .forked = {},
                .fork_actions = {},
                .late_ns = 10'000'000'000};
    }
};

struct SourceSpec {
    std::string_view name;                   // as expectations and lab files name it: "sysmon"
    std::vector<std::string_view> datasets;  // event.dataset values of its events; first: main
    std::string_view description;
    bool host_bound = true;  // events carry the lab host's name (o365 audit does not)
    bool lagging = false;    // known to arrive late: pending until its deadline
    std::vector<std::string_view> collectors;  // the formats that produce its events
    std::vector<LiveAcquisition> live;         // the ways `attest run` can collect it
    // Translation of the source's native (sysmon profile) vocabulary to Elastic Defend's
    // (endpoint profile); empty: its events read the same under both profiles.
    std::vector<VocabularyRule> endpoint_vocabulary;
    std::vector<FieldSpec> fields;
    ProcessIdentity lineage{};

    const LiveAcquisition* acquisition(Acquisition kind) const;
    const FieldSpec* field(std::string_view name) const;
    bool produced_by(std::string_view collector) const;
};

}  // namespace attest::telemetry
