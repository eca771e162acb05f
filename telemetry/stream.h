// The one time-ordered stream of telemetry: every input (a file opened through the collector
// registry, its format detected from content, or events already read) merged into a single
// sequence in timestamp order. `attest check`, `attest query`, `attest run` and
// `attest recheck` all read their telemetry through it, so every command orders events the
// same way:
//
//   order: (timestamp, tiebreaker field if any, input index, position in the input);
//   untimed events (timestamp absent or not a date) come after every timed event, in input
//   order, and are counted.
//
// In-order input (or input out of order by less than the reorder window per input) streams
// with bounded memory, decoding each input on its own thread. When an input turns out to be out
// of order beyond the window, the consumer is told to start over and everything is delivered
// again through an external sort: sorted runs of serialized events spilled to a temporary
// directory once the memory budget is used, then a k-way merge.
//
//   Stream stream(Stream::files(paths, options), sink, options);
//   StreamStats stats = stream.run([&](std::shared_ptr<Event>& e) { ... },
//                                  [&] { /* forget what was delivered */ });
//   telemetry::feed(evaluator, Stream::files(paths, options), sink, options);  // the same
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/collector.h"
#include "core/diagnostics.h"
#include "core/expected.h"

namespace attest::telemetry {

struct StreamOptions {
    std::string source;                 // force a collector (registry name); empty: detect per file
    CollectorOptions collector;         // threads, include_original
    Profile profile = Profile::Sysmon;  // vocabulary the source table translates events into
    std::string timestamp_field = "@timestamp";
    std::string tiebreaker_field;  // empty: none
    // Orders two tiebreaker values (< 0, 0, > 0). Unset: numbers numerically, then strings.
    std::function<int(const Value&, const Value&)> compare_tiebreakers;
    // Events held per input to put records slightly out of order back in order without
    // starting over.
    std::size_t reorder_window = 1024;
    // Bytes of serialized events the external sort keeps in memory before it spills a run.
    std::size_t memory_budget = std::size_t(48) << 20;
    std::string spill_dir;  // default: $TMPDIR, else /tmp
};

struct StreamStats {
    std::uint64_t files = 0;
    std::uint64_t events = 0;
    std::uint64_t bytes = 0;  // input bytes (files whose size is known)
    std::uint64_t skipped_records = 0;
    std::uint64_t out_of_order = 0;    // events older than the one before them in their input
    std::uint64_t untimed = 0;         // events without a usable timestamp: absent + unusable
    std::uint64_t untimed_absent = 0;  // ... because they have none
    std::string first_untimed;   // "NAME: event N has FIELD VALUE" / "NAME: event N has no FIELD"
    std::string first_absent;    // "NAME: event N"
    std::string first_unusable;  // "NAME: event N has FIELD VALUE"
    bool sorted = false;         // the inputs were out of order: delivered by the sort
    std::uint64_t spilled_runs = 0;  // sorted runs written to disk
    std::uint64_t spilled_bytes = 0;
    std::map<std::string, std::uint64_t> per_source;  // events per collector
    // Records delivered by another input before (the same O365 Id, or EVTX record id of one
    // channel and host, in two overlapping exports): dropped, counted here.
    std::uint64_t duplicates = 0;
    std::vector<std::string> unreadable;  // "path: reason"
};

// One input of the stream. `open` is called once per pass (twice when the stream starts over),
// so it must be able to produce the same events again.
struct StreamInput {
    std::string name;    // shown in statistics and warnings (the path)
    std::string source;  // collector name, filled by open() when detected
    bool rereadable = true;
    std::function<Expected<std::unique_ptr<Collector>>(DiagnosticSink& sink, std::string& source,
                                                       std::uint64_t& bytes)>
        open;
};

// A file read through CollectorRegistry::builtin() from byte `offset` on (a slice that starts
// at a record boundary: incremental reads of a growing log).
StreamInput file_input(const std::string& path, const StreamOptions& options,
                       std::uint64_t offset = 0);
// Events already read (replayed as copies).
StreamInput memory_input(std::string name, std::string source,
                         std::shared_ptr<const std::vector<Event>> events);

// The timestamp of an event as the stream orders it: an ISO-8601 string, or epoch
// milliseconds (a number or a numeric string). nullopt: untimed.
std::optional<std::int64_t> event_time_ns(const Event& e, std::string_view field);

class Stream {
public:
    using Consumer = std::function<void(std::shared_ptr<Event>& event)>;

    Stream(std::vector<StreamInput> inputs, DiagnosticSink& sink, StreamOptions options = {});
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    static std::vector<StreamInput> files(const std::vector<std::string>& paths,
                                          const StreamOptions& options);

    // Delivers every event once, in order. The consumer may keep the event (the shared pointer).
    // When the inputs turn out to be out of order, `restart` is called and every event is
    // delivered again from the start, sorted. Runs once.
    StreamStats run(const Consumer& consume, const std::function<void()>& restart);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Feeds `target` (anything with feed(std::shared_ptr<Event>&) and restart(), such as the
// expectations engine's Evaluator) every event of `inputs` in the stream's order.
template <class Target>
StreamStats feed(Target& target, std::vector<StreamInput> inputs, DiagnosticSink& sink,
                 StreamOptions options = {}) {
    Stream stream(std::move(inputs), sink, std::move(options));
    return stream.run([&](std::shared_ptr<Event>& e) { target.feed(e); },
                      [&] { target.restart(); });
}

}  // namespace attest::telemetry
