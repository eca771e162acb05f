// The winevent_xml collector: Windows event XML as wevtutil, Get-WinEvent ToXml(), libevtx
// evtxexport and python-evtx write it (Sysmon, PowerShell, Security, any channel), streamed
// event by event through XmlEventStream -> WinEventXmlParser -> WinEventNormalizer.
#include <cstring>

#include "collectors/builtin.h"
#include "collectors/winevent.h"
#include "collectors/winevent_xml_reader.h"

namespace attest {
namespace {

class WinEventXmlCollector final : public Collector {
public:
    WinEventXmlCollector(InputFile input, const CollectorOptions& options, DiagnosticSink& sink)
        : m_input(std::move(input)),
          m_options(options),
          m_sink(sink),
          m_stream(m_input, options.origin, sink),
          m_normalizer(options, "winevent_xml") {
        m_normalizer.set_diagnostics(&sink, options.origin);
    }

    bool next(Event& out) override {
        while (true) {
            if (m_normalizer.pop(out)) {
                ++m_stats.events;
                return true;
            }
            if (m_finished) return false;
            XmlEventStream::Fragment f;
            bool got = m_stream.next(f);
            // Framer problems (truncated or oversized events, stray content) are bad records too.
            std::uint64_t problems = m_stream.problems();
            m_stats.records += problems - m_framer_problems;
            m_stats.skipped += problems - m_framer_problems;
            m_framer_problems = problems;
            if (!got) {
                m_normalizer.finish();
                m_finished = true;
                continue;
            }
            ++m_stats.records;
            std::string_view text(f.data, f.size);
            if (std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
                std::uint64_t line, column;
                m_stream.position_in_fragment(f, bad, line, column);
                fail(f, text[bad] == '\0'
                            ? "NUL byte at line " + std::to_string(line) + ", column " + std::to_string(column) +
                                  " (UTF-16 text without a byte-order mark?)"
                            : "invalid UTF-8 at line " + std::to_string(line) + ", column " +
                                  std::to_string(column) + " (the file must be UTF-8 or UTF-16)");
                continue;
            }
            if (m_options.include_original) m_original.assign(text);
            WinEventXmlParser::Failure failure;
            if (!m_parser.parse(f.data, f.size, m_record, failure)) {
                std::uint64_t line, column;
                m_stream.position_in_fragment(f, failure.offset, line, column);
                fail(f, failure.message + " (at line " + std::to_string(line) + ", column " +
                            std::to_string(column) + ")");
                continue;
            }
            if (m_options.include_original) m_record.original = std::move(m_original);
            m_record.position = Value(static_cast<std::int64_t>(f.line));
            m_normalizer.add(m_record);
        }
    }

private:
    void fail(const XmlEventStream::Fragment& f, std::string message) {
        ++m_stats.skipped;
        m_sink.error(m_options.origin, f.line, f.column, "bad event skipped: " + std::move(message));
    }

    InputFile m_input;
    CollectorOptions m_options;
    DiagnosticSink& m_sink;
    XmlEventStream m_stream;
    WinEventXmlParser m_parser;
    WinEventNormalizer m_normalizer;
    WinEventRecord m_record;
    std::string m_original;
    std::uint64_t m_framer_problems = 0;
    bool m_finished = false;
};

// The first characters of the head as ASCII: UTF-16 (with or without BOM) narrowed by
// dropping the high bytes, a UTF-8 BOM skipped.
std::string sniff_text(std::string_view head) {
    auto u = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
    std::size_t n = std::min<std::size_t>(head.size(), 8192);
    std::string s;
    if (n >= 2 && ((u(0) == 0xFF && u(1) == 0xFE) || (u(0) == 0xFE && u(1) == 0xFF))) {
        std::size_t lo = u(0) == 0xFF ? 0 : 1;
        for (std::size_t i = 2 + lo; i < n; i += 2) s.push_back(head[i]);
    } else if (n >= 4 && u(0) != 0 && u(1) == 0 && u(3) == 0) {
        for (std::size_t i = 0; i < n; i += 2) s.push_back(head[i]);
    } else if (n >= 4 && u(0) == 0 && u(1) != 0 && u(2) == 0) {
        for (std::size_t i = 1; i < n; i += 2) s.push_back(head[i]);
    } else {
        std::size_t start = n >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF ? 3 : 0;
        s.assign(head.substr(start, n - start));
    }
    return s;
}

int sniff_winevent_xml(std::string_view head, std::string_view) {
    std::string s = sniff_text(head);
    std::string_view v(s);
    auto p = v.find_first_not_of(" \t\r\n");
    if (p == std::string_view::npos) return 0;
    v.remove_prefix(p);
    auto event_start = [](std::string_view t) {
        return t.size() > 6 && t.substr(0, 6) == "<Event" &&
               (t[6] == ' ' || t[6] == '>' || t[6] == '\t' || t[6] == '\r' || t[6] == '\n');
    };
    if (v.substr(0, 10) == "evtxexport") {
        auto nl = v.find('\n');
        if (nl == std::string_view::npos) return 0;
        std::string_view rest = v.substr(nl + 1);
        auto q = rest.find_first_not_of(" \t\r\n");
        return q != std::string_view::npos && event_start(rest.substr(q)) ? 90 : 0;
    }
    // Skip a declaration and comments in front of the first element.
    bool prolog = false;
    while (v.substr(0, 2) == "<?" || v.substr(0, 4) == "<!--") {
        auto end = v.find(v[1] == '?' ? "?>" : "-->");
        if (end == std::string_view::npos) return prolog || v.substr(0, 5) == "<?xml" ? 5 : 0;
        v.remove_prefix(end + (v[1] == '?' ? 2 : 3));
        auto q = v.find_first_not_of(" \t\r\n");
        v.remove_prefix(q == std::string_view::npos ? v.size() : q);
        prolog = true;
    }
    if (event_start(v) || v.substr(0, 8) == "<Events>" || v.substr(0, 8) == "<Events ") return 80;
    return prolog ? 5 : 0;
}

}  // namespace

void register_winevent_xml_collector(CollectorRegistry& registry) {
    registry.add(CollectorInfo{
        "winevent_xml",
        "Windows event XML (wevtutil /f:xml, Get-WinEvent ToXml, evtxexport, python-evtx): Sysmon, "
        "PowerShell, Security, any channel",
        sniff_winevent_xml,
        [](InputFile input, const CollectorOptions& options, DiagnosticSink& sink) -> std::unique_ptr<Collector> {
            return std::make_unique<WinEventXmlCollector>(std::move(input), options, sink);
        }});
}

}  // namespace attest
