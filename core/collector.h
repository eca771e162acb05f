// The collector interface: a collector turns one input (a file or a stream) into normalized
// ECS events, one at a time, from a reused buffer, so memory stays flat whatever the size.
// Collectors are registered by name; the registry also detects the format from content.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/expected.h"
#include "core/input.h"
#include "core/value.h"
#include "core/value_writer.h"

namespace attest {

// The ECS vocabulary for Windows endpoint data (see shared/spec/ecs-mapping.md). Collectors
// always write the sysmon profile (the Elastic Agent integrations' vocabulary); the telemetry
// layer translates to endpoint from each source's table (telemetry/vocabulary.h).
enum class Profile { Sysmon, Endpoint };
std::string_view profile_name(Profile p);
Expected<Profile> parse_profile(std::string_view name);

struct CollectorOptions {
    bool include_original = false;  // keep the raw record in event.original
    unsigned threads = 0;           // 0: all cores (collectors that can decode in parallel)
    std::string origin;             // provenance name (defaults to the file path)
};

struct CollectorStats {
    std::uint64_t records = 0;  // records read (including skipped ones)
    std::uint64_t events = 0;   // events yielded
    std::uint64_t skipped = 0;  // bad records reported and skipped
    std::uint64_t ignored = 0;  // records not meant for this collector (e.g. non-XML syslog)
};

class Collector {
public:
    virtual ~Collector() = default;
    // Fills `out` with the next event (replacing its content). Returns false at the end.
    // Bad records are reported to the DiagnosticSink given at creation and skipped.
    virtual bool next(Event& out) = 0;
    // An event this collector made, given back when its consumers are done with it, on the
    // thread that calls next(). A collector that writes events over old ones
    // (core/value_writer.h) may keep it, bounded, for a later next(); by default it is
    // destroyed.
    virtual void recycle(Event&& dead) { Event gone = std::move(dead); }
    const CollectorStats& stats() const { return m_stats; }

protected:
    CollectorStats m_stats;
};

struct CollectorInfo {
    std::string name;         // e.g. "winevent_xml", "evtx", "o365", "mde", "auditd"
    std::string description;  // one line, for --help / `attest sources`
    // Confidence 0..100 that the input is this format, from its first bytes and its path.
    std::function<int(std::string_view head, std::string_view path)> sniff;
    std::function<std::unique_ptr<Collector>(InputFile input, const CollectorOptions& options,
                                             DiagnosticSink& sink)>
        create;
};

class CollectorRegistry {
public:
    // The registry with every built-in collector registered (defined in collectors/).
    static CollectorRegistry& builtin();

    void add(CollectorInfo info);
    const CollectorInfo* find(std::string_view name) const;
    // The collector that claims the input with the highest confidence (> 0), or nullptr.
    const CollectorInfo* detect(std::string_view head, std::string_view path) const;
    const std::vector<CollectorInfo>& all() const { return m_collectors; }
    std::string names() const;  // "a, b, c"

    // Opens `path` and creates the collector named `source` (empty: detect from content).
    Expected<std::unique_ptr<Collector>> open(const std::string& path, std::string_view source,
                                              const CollectorOptions& options,
                                              DiagnosticSink& sink) const;

private:
    std::vector<CollectorInfo> m_collectors;
};

// Defined in collectors/: registers every built-in collector.
void register_builtin_collectors(CollectorRegistry& registry);

// Sets the provenance fields every collector adds (attest.source, attest.origin,
// attest.position).
void set_provenance(Event& e, std::string_view source, std::string_view origin, Value position);
// The same as the next member of an event being written over a recycled one (value_writer.h).
void put_provenance(ObjectWriter& event, std::string_view source, std::string_view origin,
                    Value position);

}  // namespace attest
