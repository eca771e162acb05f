// Reading Windows event XML: a streaming framer that cuts `<Event>...</Event>` fragments out
// of a byte stream (any of the encodings and wrappers Windows tools write), and a parser that
// turns one fragment into a WinEventRecord. Shared by the winevent_xml and sysmon_linux
// collectors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collectors/winevent.h"
#include "core/diagnostics.h"
#include "core/input.h"
#include "core/utf8.h"

namespace attest {

// Parses one `<Event>` element (a mutable buffer: the parse is in place and destroys it).
class WinEventXmlParser {
public:
    WinEventXmlParser();
    ~WinEventXmlParser();

    struct Failure {
        std::size_t offset = 0;  // byte offset of the problem inside the fragment
        std::string message;
    };
    // Fills `out` (cleared first). On failure returns false and sets `failure`.
    bool parse(char* text, std::size_t size, WinEventRecord& out, Failure& failure);

    static constexpr std::size_t kMaxAttributeBytes = 1 << 20;  // Windows writes short ones
    static constexpr int kMaxDepth = 32;                        // real events nest 4 deep

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Offset of the first invalid UTF-8 sequence or NUL byte in `s`, or npos.
std::size_t find_invalid_utf8(std::string_view s);

// Cuts event fragments out of an input: detects UTF-8 (with or without BOM) and UTF-16LE/BE
// (with a BOM, or without one when the first characters give it away) and transcodes UTF-16
// to UTF-8 in streaming chunks; skips the XML declaration, comments, an `<Events>` root and
// libevtx's `evtxexport` banner line; reports anything else between events. Memory is one
// buffer of about the largest event (capped), whatever the input size.
class XmlEventStream {
public:
    XmlEventStream(InputFile& input, std::string origin, DiagnosticSink& sink,
                   std::size_t max_event_bytes = std::size_t(64) << 20);

    struct Fragment {
        char* data = nullptr;  // mutable: the parser works in place
        std::size_t size = 0;
        std::uint64_t line = 0;    // 1-based line of the `<Event` in the original file
        std::uint64_t column = 0;  // 1-based column (bytes; UTF-16 code units for UTF-16 input)
    };
    // Next event fragment; false at the end. Problems found by the framer itself (truncated
    // events, oversized events, stray content) are reported and counted in problems().
    bool next(Fragment& out);
    std::uint64_t problems() const { return m_problems; }
    // Line:column of a byte offset inside the last fragment returned.
    void position_in_fragment(const Fragment& f, std::size_t offset, std::uint64_t& line,
                              std::uint64_t& column) const;

private:
    enum class Encoding { Unknown, Utf8, Utf16Le, Utf16Be };
    static constexpr std::uint64_t kNotFound = ~std::uint64_t(0);
    static constexpr std::uint64_t kTooBig = ~std::uint64_t(0) - 1;

    // Positions are absolute offsets in the decoded stream; m_buf holds [m_base, limit()).
    std::uint64_t limit() const { return m_base + m_end; }
    bool fill();  // reads and decodes more input; false at end
    void append_decoded(const char* p, std::size_t n);
    void advance_to(std::uint64_t pos);                // consumes up to pos, counting lines
    std::uint64_t column_of(std::uint64_t pos) const;  // pos on the current line
    bool available(std::uint64_t pos, std::size_t n);  // refills until n bytes from pos
    // Next occurrence of `needle` at or after `from` (refilling). `consume` drops what was
    // searched (outside events); `capped` gives kTooBig when the event exceeds the limit.
    std::uint64_t find(std::uint64_t from, std::string_view needle, bool consume, bool capped);
    bool scan_event(std::uint64_t start, Fragment& out);
    const char* plain_close(std::uint64_t scan) const;
    std::uint64_t skip_plain_tags(std::uint64_t scan) const;
    std::optional<std::uint64_t> find_in_event(std::uint64_t from, std::string_view needle,
                                               const char* missing, std::uint64_t line,
                                               std::uint64_t column, bool& result);
    bool skip_oversized(std::uint64_t line, std::uint64_t column);
    bool emit_event(std::uint64_t start, std::uint64_t gt, std::uint64_t line, std::uint64_t column,
                    Fragment& out);
    void note_stray(std::uint64_t from, std::uint64_t to);
    void flush_stray();
    void report(std::uint64_t line, std::uint64_t column, std::string message);
    void detect_encoding();

    InputFile& m_input;
    std::string m_origin;
    DiagnosticSink& m_sink;
    std::size_t m_max_event;

    Encoding m_encoding = Encoding::Unknown;
    std::string m_raw;  // undecoded input (until detection, and for UTF-16)
    std::size_t m_raw_len = 0;
    std::optional<Utf16Decoder> m_utf16;  // UTF-16 input: the streaming transcoder
    std::string m_decoded;
    bool m_eof = false;
    bool m_read_error = false;
    bool m_started = false;

    std::string m_buf;               // decoded UTF-8
    std::size_t m_end = 0;           // valid bytes in m_buf
    std::uint64_t m_base = 0;        // absolute offset of m_buf[0]
    std::uint64_t m_cur = 0;         // first unconsumed byte (absolute)
    std::uint64_t m_line = 1;        // line number at m_cur
    std::uint64_t m_line_start = 0;  // absolute offset where line m_line starts

    bool m_in_stray = false;  // stray content between events, reported once per run
    std::uint64_t m_stray_line = 0, m_stray_column = 0, m_stray_bytes = 0;

    std::uint64_t m_problems = 0;
    Fragment m_last{};
};

}  // namespace attest
