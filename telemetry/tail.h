// Incremental reading of telemetry files that grow between collection polls (`attest run`
// fetches a source's new records and appends them to its local file): each poll reads only
// the bytes appended since the previous poll, through the same collector, and keeps the events
// read so far, which the time-ordered stream then merges (memory_input). A file that is
// rewritten whole on each fetch (an O365 export) is read again whole.
//
//   Tail tail(options);
//   tail.poll(path, "auditd", Tail::Growth::Appends, sink);   // every poll
//   telemetry::feed(evaluator, tail.inputs(), sink);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "telemetry/stream.h"

namespace attest::telemetry {

class Tail {
public:
    enum class Growth { Appends, Rewritten };

    explicit Tail(StreamOptions options = {}) : m_options(std::move(options)) {}

    // Reads what `path` gained since the last poll. `source`: the collector (empty: detected
    // from content on the first read). An appending file that shrank was replaced (log
    // rotation): it is read again from its start.
    Expected<void> poll(const std::string& path, const std::string& source, Growth growth,
                        DiagnosticSink& sink);

    // One stream input per file polled, replaying every event read so far.
    std::vector<StreamInput> inputs() const;

    std::uint64_t last_poll_bytes() const {
        return m_last_poll_bytes;
    }  // bytes read by the last poll()
    std::uint64_t total_bytes() const { return m_total_bytes; }
    std::uint64_t events() const;

private:
    struct File {
        std::string source;
        std::uint64_t offset = 0;
        std::shared_ptr<std::vector<Event>> events = std::make_shared<std::vector<Event>>();
    };
    StreamOptions m_options;
    std::map<std::string, File> m_files;
    std::vector<std::string> m_order;  // paths in the order first polled
    std::uint64_t m_last_poll_bytes = 0;
    std::uint64_t m_total_bytes = 0;
};

}  // namespace attest::telemetry
