// The sysmon_linux collector: Sysmon for Linux writes one XML <Event> per syslog line after a
// `sysmon:` / `sysmon[pid]:` tag, mixed with other programs' lines. The XML goes through the
// same record parser and normalizer as Windows event XML.
#include <cstring>

#include "collectors/builtin.h"
#include "collectors/winevent.h"
#include "collectors/winevent_xml_reader.h"
#include "core/line_reader.h"

namespace attest {
namespace {

// The `<Event` of a Sysmon syslog line, or npos when the line is not one.
std::size_t sysmon_event_start(std::string_view line) {
    std::size_t lt = line.find("<Event");
    if (lt == std::string_view::npos || lt + 6 >= line.size()) return std::string_view::npos;
    char c = line[lt + 6];
    if (c != '>' && c != ' ' && c != '\t') return std::string_view::npos;
    std::string_view prefix = line.substr(0, lt);
    std::size_t tag = prefix.rfind("sysmon");
    if (tag == std::string_view::npos) return std::string_view::npos;
    // "sysmon:" or "sysmon[123]:" right before the XML (blanks allowed).
    std::string_view after = prefix.substr(tag + 6);
    if (!after.empty() && after[0] == '[') {
        auto close = after.find(']');
        if (close == std::string_view::npos) return std::string_view::npos;
        after.remove_prefix(close + 1);
    }
    if (after.empty() || after[0] != ':') return std::string_view::npos;
    after.remove_prefix(1);
    if (after.find_first_not_of(" \t") != std::string_view::npos) return std::string_view::npos;
    return lt;
}

class SysmonLinuxCollector final : public Collector {
public:
    SysmonLinuxCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)),
          m_reader(m_input, 1 << 20, kMaxLine),
          m_options(options),
          m_sink(sink),
          m_normalizer(options, "sysmon_linux") {
        m_normalizer.set_diagnostics(&sink, options.origin);
    }

    bool next(Event& out) override {
        while (true) {
            if (m_normalizer.pop(out)) {
                ++m_stats.events;
                return true;
            }
            if (m_finished) return false;
            std::string_view line;
            if (!m_reader.next(line)) {
                if (m_reader.read_error()) m_sink.error(m_options.origin, m_reader.line_number(), 0, "read error");
                m_normalizer.finish();
                m_finished = true;
                continue;
            }
            std::size_t lt = sysmon_event_start(line);
            if (lt == std::string_view::npos) {
                if (line.find_first_not_of(" \t") != std::string_view::npos) ++m_stats.ignored;
                continue;
            }
            ++m_stats.records;
            const std::uint64_t line_no = m_reader.line_number(), column = lt + 1;
            if (m_reader.too_long()) {
                fail(line_no, column, "line longer than " + std::to_string(kMaxLine >> 20) + " MiB");
                continue;
            }
            std::string_view xml = line.substr(lt);
            while (!xml.empty() && (xml.back() == ' ' || xml.back() == '\t')) xml.remove_suffix(1);
            if (std::size_t bad = find_invalid_utf8(xml); bad != std::string_view::npos) {
                fail(line_no, column + bad, "invalid UTF-8 or NUL byte");
                continue;
            }
            m_scratch.assign(xml);
            WinEventXmlParser::Failure failure;
            if (!m_parser.parse(m_scratch.data(), m_scratch.size(), m_record, failure)) {
                fail(line_no, column, failure.message + " (at column " + std::to_string(column + failure.offset) + ")");
                continue;
            }
            if (m_options.include_original) m_record.original.assign(line);
            m_record.position = Value(static_cast<std::int64_t>(line_no));
            m_normalizer.add(m_record);
        }
    }

private:
    static constexpr std::size_t kMaxLine = std::size_t(64) << 20;

    void fail(std::uint64_t line, std::uint64_t column, std::string message) {
        ++m_stats.skipped;
        m_sink.error(m_options.origin, line, column, "bad event skipped: " + std::move(message));
    }

    InputFile m_input;
    LineReader m_reader;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    WinEventXmlParser m_parser;
    WinEventNormalizer m_normalizer;
    WinEventRecord m_record;
    std::string m_scratch;
    bool m_finished = false;
};

int sniff_sysmon_linux(std::string_view head, std::string_view) {
    // Syslog lines (not XML from the first byte) carrying a sysmon-tagged <Event>.
    auto p = head.find_first_not_of(" \t\r\n");
    if (p == std::string_view::npos || head[p] == '<') return 0;
    std::size_t start = 0;
    while (start < head.size()) {
        std::size_t nl = head.find('\n', start);
        std::string_view line = head.substr(start, nl == std::string_view::npos ? head.size() - start : nl - start);
        if (sysmon_event_start(line) != std::string_view::npos) return 85;
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return 0;
}

}  // namespace

void register_sysmon_linux_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "sysmon_linux", "Sysmon for Linux in syslog (one XML event per `sysmon:` line; other lines ignored)",
        sniff_sysmon_linux,
        [](InputFile input, const CollectorOptions& options, DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<SysmonLinuxCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
