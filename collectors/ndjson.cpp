// NDJSON events: one JSON object per line, already normalized (the output of `attest events`,
// or events exported from Elasticsearch). Yields each object as read, member order kept.
#include <nlohmann/json.hpp>

#include "collectors/builtin.h"
#include "core/json.h"
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
            try {
                out = value_from_json(nlohmann::ordered_json::parse(line.begin(), line.end()));
            } catch (const nlohmann::json::parse_error& e) {
                m_sink.error(m_origin, m_reader.line_number(), e.byte == 0 ? 1 : e.byte,
                             std::string("invalid JSON: ") + short_message(e.what()));
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
    static std::string short_message(const char* what) {
        // nlohmann: "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
        std::string s(what);
        auto p = s.find(": ");
        return p == std::string::npos ? s : s.substr(p + 2);
    }

    InputFile m_input;
    LineReader m_reader;
    std::string m_origin;
    DiagnosticSink& m_sink;
};

int sniff_ndjson(std::string_view head, std::string_view path) {
    auto p = head.find_first_not_of(" \t\r\n");
    if (p == std::string_view::npos || head[p] != '{') return 0;
    int score = 10;
    if (path.size() >= 7 && (path.substr(path.size() - 7) == ".ndjson" || path.substr(path.size() - 6) == ".jsonl"))
        score = 20;
    // Already-normalized ECS events carry these.
    if (head.find("\"@timestamp\"") != std::string_view::npos) score += 20;
    return score;
}

}  // namespace

void register_ndjson_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "ndjson", "normalized events, one JSON object per line (attest events output)", sniff_ndjson,
        [](InputFile input, const CollectorOptions& options, DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<NdjsonCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
