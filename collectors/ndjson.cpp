// NDJSON events: one JSON object per line, already normalized (the output of `attest events`,
// or events exported from Elasticsearch). Yields each object as read, member order kept, parsed
// by the collectors' record parser (json_stream.h).
#include "collectors/builtin.h"
#include "collectors/json_stream.h"
#include "core/line_reader.h"

namespace attest {
namespace {

class NdjsonCollector final : public Collector {
public:
    NdjsonCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)), m_reader(m_input), m_origin(options.origin), m_sink(sink) {}

    bool next(Event& out) override {
        std::string_view line;
        while (m_reader.next(line)) {
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
            ++m_stats.records;
            if (m_reader.too_long()) {
                m_sink.error(m_origin, m_reader.line_number(), 1, "line too long; skipped");
                ++m_stats.skipped;
                continue;
            }
            std::string error;
            std::size_t off = 0;
            if (!parse_json_record(line, out, error, off)) {
                std::uint64_t l, c;
                record_position(line, off, m_reader.line_number(), 1, l, c);
                m_sink.error(m_origin, l, c, "invalid JSON: " + error);
                ++m_stats.skipped;
                continue;
            }
            if (!out.is_object()) {
                m_sink.error(m_origin, m_reader.line_number(), 1, "not a JSON object; skipped");
                ++m_stats.skipped;
                continue;
            }
            ++m_stats.events;
            return true;
        }
        if (m_reader.read_error()) m_sink.error(m_origin, m_reader.line_number(), 0, "read error");
        return false;
    }

private:
    InputFile m_input;
    LineReader m_reader;
    std::string m_origin;
    DiagnosticSink& m_sink;
};

int sniff_ndjson(std::string_view head, std::string_view path) {
    auto p = head.find_first_not_of(" \t\r\n");
    if (p == std::string_view::npos || head[p] != '{') return 0;
    int score = 10;
    if (path.size() >= 7 &&
        (path.substr(path.size() - 7) == ".ndjson" || path.substr(path.size() - 6) == ".jsonl"))
        score = 20;
    // Already-normalized ECS events carry these.
    if (head.find("\"@timestamp\"") != std::string_view::npos) score += 20;
    return score;
}

}  // namespace

void register_ndjson_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "ndjson", "normalized events, one JSON object per line (attest events output)",
        sniff_ndjson,
        [](InputFile input, const CollectorOptions& options,
           DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<NdjsonCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
