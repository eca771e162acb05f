// What the expectations engine and the lineage tracker read of every event before anything
// else: its time, its source, its host and the process ids its source's lineage follows.
// Read once per event (Evaluator::feed) and kept with the event while it waits for its
// lineage (an event of no test's tree is then never read again).
//
//   EventFacts f = EventFacts::of(event);
//   if (f.ts != EventFacts::kUntimed && f.source) ... f.source->name, f.host, f.self ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/value.h"
#include "telemetry/source_spec.h"

namespace attest::telemetry {

struct EventFacts {
    static constexpr std::int64_t kUntimed = INT64_MIN;

    std::int64_t ts = kUntimed;          // @timestamp in ns (ISO-8601 or epoch milliseconds)
    const SourceSpec* source = nullptr;  // by event.dataset; null: no declared source
    std::optional<std::string> host;     // host.name, when it is a string
    // The lineage ids its source declares (SourceSpec::lineage), as text (a number is written
    // in decimal): the process, its parent, and process.pid for a source of entity ids. Empty
    // when absent or not a string or an integer.
    std::string self, parent, pid;

    static EventFacts of(const Event& event);
    // The same with the source given (the lineage ids are those `source` declares).
    static EventFacts of(const Event& event, const SourceSpec* source);
    const std::string* host_name() const { return host ? &*host : nullptr; }
};

}  // namespace attest::telemetry
