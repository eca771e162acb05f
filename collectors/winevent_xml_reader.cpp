#include "collectors/winevent_xml_reader.h"

#include <charconv>
#include <cstring>
#include <pugixml.hpp>

#include "core/utf8.h"

namespace attest {
namespace {

std::string_view local_name(const char* name) {
    std::string_view s(name);
    auto colon = s.rfind(':');
    return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The text content of an element: its PCDATA and CDATA children concatenated. Returns false
// when the element also has element children (not a Windows event shape).
bool element_text(pugi::xml_node node, std::string& out) {
    out.clear();
    bool plain = true;
    for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
        auto t = c.type();
        if (t == pugi::node_pcdata || t == pugi::node_cdata)
            out.append(c.value());
        else if (t == pugi::node_element)
            plain = false;
    }
    return plain;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    s = trim(s);
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

void attribute(pugi::xml_node node, const char* name, std::string& out) {
    if (pugi::xml_attribute a = node.attribute(name)) out.assign(a.value());
}

using Failure = WinEventXmlParser::Failure;

// Attacker-controlled input: bounds the depth and, when `check_attributes`, the attribute
// sizes. The walk is iterative, so junk nested a million deep cannot overflow the stack.
bool check_shape(pugi::xml_node event, const char* text, bool check_attributes, Failure& failure) {
    constexpr std::size_t kMaxAttributeBytes = WinEventXmlParser::kMaxAttributeBytes;
    constexpr int kMaxDepth = WinEventXmlParser::kMaxDepth;
    int depth = 0;
    pugi::xml_node n = event;
    while (n) {
        if (check_attributes)
            for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
                std::size_t len = std::strlen(a.value());
                if (len > kMaxAttributeBytes) {
                    failure.offset = static_cast<std::size_t>(a.value() - text);
                    failure.message = "attribute '" + std::string(a.name()).substr(0, 64) +
                                      "' is " + std::to_string(len) + " bytes long (limit " +
                                      std::to_string(kMaxAttributeBytes) + ")";
                    return false;
                }
            }
        if (pugi::xml_node c = n.first_child()) {
            if (++depth > kMaxDepth) {
                failure.offset =
                    c.offset_debug() > 0 ? static_cast<std::size_t>(c.offset_debug()) : 0;
                failure.message =
                    "elements nested deeper than " + std::to_string(kMaxDepth) + " levels";
                return false;
            }
            n = c;
            continue;
        }
        while (n && n != event && !n.next_sibling()) {
            n = n.parent();
            --depth;
        }
        if (!n || n == event) break;
        n = n.next_sibling();
    }
    return true;
}

// One element of <System> into the record. False (with `failure`) for an EventID that is
// not a number; `have_event_id` is set by a good one.
bool read_system_field(pugi::xml_node f, std::string_view name, WinEventRecord& out, std::string& s,
                       bool& have_event_id, Failure& failure) {
    switch (name.empty() ? 0 : name[0]) {
        case 'P':
            if (name == "Provider") {
                attribute(f, "Name", out.provider_name);
                attribute(f, "Guid", out.provider_guid);
                attribute(f, "EventSourceName", out.event_source_name);
            }
            break;
        case 'E':
            if (name == "EventID") {
                element_text(f, s);
                if (!parse_number(s, out.event_id) || out.event_id < 0) {
                    failure.offset = static_cast<std::size_t>(f.offset_debug());
                    failure.message = "EventID '" + s.substr(0, 64) + "' is not a number";
                    return false;
                }
                have_event_id = true;
                attribute(f, "Qualifiers", out.qualifiers);
            } else if (name == "EventRecordID") {
                element_text(f, s);
                out.has_record_id = parse_number(s, out.record_id);
            } else if (name == "Execution") {
                attribute(f, "ProcessID", out.process_id);
                attribute(f, "ThreadID", out.thread_id);
            }
            break;
        case 'V':
            if (name == "Version") element_text(f, out.version);
            break;
        case 'L':
            if (name == "Level") element_text(f, out.level);
            break;
        case 'T':
            if (name == "Task")
                element_text(f, out.task);
            else if (name == "TimeCreated")
                attribute(f, "SystemTime", out.time_created);
            break;
        case 'O':
            if (name == "Opcode") element_text(f, out.opcode);
            break;
        case 'K':
            if (name == "Keywords") element_text(f, out.keywords);
            break;
        case 'C':
            if (name == "Channel")
                element_text(f, out.channel);
            else if (name == "Computer")
                element_text(f, out.computer);
            else if (name == "Correlation") {
                attribute(f, "ActivityID", out.activity_id);
                attribute(f, "RelatedActivityID", out.related_activity_id);
            }
            break;
        case 'S':
            if (name == "Security") {
                // Windows writes UserID, Sysmon for Linux UserId.
                attribute(f, "UserID", out.user_id);
                if (out.user_id.empty()) attribute(f, "UserId", out.user_id);
            }
            break;
        default:
            break;
    }
    return true;
}

// <System>: its leaves. Anything nested deeper makes the shape unusual (checked after).
bool read_system(pugi::xml_node section, WinEventRecord& out, std::string& scratch,
                 bool& have_event_id, bool& unusual_shape, Failure& failure) {
    for (pugi::xml_node f = section.first_child(); f; f = f.next_sibling()) {
        if (f.type() != pugi::node_element) continue;
        if (pugi::xml_node k = f.first_child();
            k && (k.type() == pugi::node_element || k.next_sibling()))
            unusual_shape = true;
        if (!read_system_field(f, local_name(f.name()), out, scratch, have_event_id, failure))
            return false;
    }
    return true;
}

// <EventData>: <Data Name="..."> values in order (unnamed ones as param1, param2, ...) and
// other elements (<Binary>) by their name.
void read_event_data(pugi::xml_node section, WinEventRecord& out, std::size_t& unnamed,
                     bool& unusual_shape) {
    for (pugi::xml_node d = section.first_child(); d; d = d.next_sibling()) {
        if (d.type() != pugi::node_element) continue;
        std::string_view dname = local_name(d.name());
        std::string key;
        if (dname == "Data") {
            pugi::xml_attribute n = d.attribute("Name");
            if (n && *n.value())
                key = n.value();
            else
                key = "param" + std::to_string(++unnamed);
        } else {
            key = std::string(dname);  // <Binary> and friends
        }
        out.data.emplace_back(std::move(key), std::string());
        if (!element_text(d, out.data.back().second)) unusual_shape = true;
    }
}

// <UserData>: nested by design; its leaves flattened by element name (the depth is bounded by
// check_shape, which the caller runs for every event with UserData).
void read_user_data(pugi::xml_node section, WinEventRecord& out) {
    pugi::xml_node n = section.first_child();
    while (n && n != section) {
        if (n.type() == pugi::node_element) {
            pugi::xml_node c = n.first_child();
            bool has_element_child = false;
            for (pugi::xml_node k = c; k; k = k.next_sibling())
                if (k.type() == pugi::node_element) has_element_child = true;
            if (has_element_child) {
                n = c;
                continue;
            }
            out.data.emplace_back(std::string(local_name(n.name())), std::string());
            element_text(n, out.data.back().second);
        }
        while (n && n != section && !n.next_sibling()) n = n.parent();
        if (!n || n == section) break;
        n = n.next_sibling();
    }
}

}  // namespace

struct WinEventXmlParser::Impl {
    pugi::xml_document doc;
    std::string scratch;
};

WinEventXmlParser::WinEventXmlParser() : m_impl(std::make_unique<Impl>()) {}
WinEventXmlParser::~WinEventXmlParser() = default;

bool WinEventXmlParser::parse(char* text, std::size_t size, WinEventRecord& out, Failure& failure) {
    out.clear();
    // Entities, CDATA and end-of-line normalization as XML requires; whitespace-only text is
    // dropped except when it is an element's whole content (a Data value of " ").
    constexpr unsigned kFlags = pugi::parse_escapes | pugi::parse_cdata | pugi::parse_eol |
                                pugi::parse_ws_pcdata_single | pugi::parse_wconv_attribute;
    pugi::xml_parse_result result =
        m_impl->doc.load_buffer_inplace(text, size, kFlags, pugi::encoding_utf8);
    if (!result) {
        failure.offset = result.offset > 0 ? static_cast<std::size_t>(result.offset) : 0;
        failure.message = std::string("malformed XML: ") + result.description();
        return false;
    }
    pugi::xml_node event = m_impl->doc.document_element();
    if (!event || local_name(event.name()) != "Event") {
        failure.offset = 0;
        failure.message = "not an <Event> element";
        return false;
    }
    // The full walk (check_shape) only runs for events whose shape is not the standard
    // Event/section/field/text (found while reading them) or that are big enough to hold an
    // oversized attribute.
    const bool check_attributes = size > kMaxAttributeBytes;
    if (check_attributes && !check_shape(event, text, true, failure)) return false;
    bool unusual_shape = false, have_event_id = false;
    std::size_t unnamed = 0;
    for (pugi::xml_node section = event.first_child(); section; section = section.next_sibling()) {
        if (section.type() != pugi::node_element) continue;
        std::string_view sname = local_name(section.name());
        if (sname == "System") {
            if (!read_system(section, out, m_impl->scratch, have_event_id, unusual_shape, failure))
                return false;
        } else if (sname == "EventData") {
            read_event_data(section, out, unnamed, unusual_shape);
        } else {
            unusual_shape = true;
            if (sname == "UserData") read_user_data(section, out);
        }
    }
    if (unusual_shape && !check_attributes && !check_shape(event, text, false, failure))
        return false;
    if (!have_event_id) {
        failure.offset = 0;
        failure.message = "event without <System><EventID>";
        return false;
    }
    return true;
}

std::size_t find_invalid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // Fast path: 8 ASCII bytes without NUL at a time.
        if (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            constexpr std::uint64_t kHigh = 0x8080808080808080ULL, kLow = 0x0101010101010101ULL;
            if ((w & kHigh) == 0 && ((w - kLow) & ~w & kHigh) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] == 0) return i;
        std::size_t len = utf8_sequence_length(s, i);
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// XmlEventStream

namespace {
constexpr std::size_t kChunk = 1 << 20;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool ends_name(char c) {
    return is_space(c) || c == '>' || c == '/';
}
}  // namespace

XmlEventStream::XmlEventStream(InputFile& input, std::string origin, DiagnosticSink& sink,
                               std::size_t max_event_bytes)
    : m_input(input), m_origin(std::move(origin)), m_sink(sink), m_max_event(max_event_bytes) {}

void XmlEventStream::report(std::uint64_t line, std::uint64_t column, std::string message) {
    ++m_problems;
    m_sink.error(m_origin, line, column, std::move(message));
}

void XmlEventStream::detect_encoding() {
    const auto* p = reinterpret_cast<const unsigned char*>(m_raw.data());
    std::size_t n = m_raw_len, skip = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        m_encoding = Encoding::Utf8;
        skip = 3;
    } else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        m_encoding = Encoding::Utf16Le;
        skip = 2;
    } else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        m_encoding = Encoding::Utf16Be;
        skip = 2;
    } else if (n >= 4 && p[0] != 0 && p[1] == 0 && p[3] == 0) {
        m_encoding = Encoding::Utf16Le;  // no BOM, but "<\0E\0" gives it away
    } else if (n >= 4 && p[0] == 0 && p[1] != 0 && p[2] == 0) {
        m_encoding = Encoding::Utf16Be;
    } else {
        m_encoding = Encoding::Utf8;
    }
    if (skip > 0) {
        std::memmove(m_raw.data(), m_raw.data() + skip, n - skip);
        m_raw_len = n - skip;
    }
}

void XmlEventStream::append_decoded(const char* p, std::size_t n) {
    if (m_buf.size() < m_end + n) m_buf.resize(m_end + n + kChunk);
    std::memcpy(m_buf.data() + m_end, p, n);
    m_end += n;
}

bool XmlEventStream::fill() {
    if (m_eof) return false;
    // Drop what has been consumed.
    std::size_t consumed = static_cast<std::size_t>(m_cur - m_base);
    if (consumed > 0) {
        std::memmove(m_buf.data(), m_buf.data() + consumed, m_end - consumed);
        m_end -= consumed;
        m_base = m_cur;
    }
    if (m_encoding == Encoding::Utf8) {
        // The common case: read straight into the buffer.
        if (m_buf.size() < m_end + kChunk) m_buf.resize(m_end + kChunk);
        long n = m_input.read(m_buf.data() + m_end, kChunk);
        if (n <= 0) {
            m_read_error = n < 0;
            m_eof = true;
            return false;
        }
        m_end += static_cast<std::size_t>(n);
        return true;
    }
    std::size_t before = m_end;
    while (true) {
        if (m_raw.size() < m_raw_len + kChunk) m_raw.resize(m_raw_len + kChunk);
        long n = m_input.read(m_raw.data() + m_raw_len, kChunk);
        if (n < 0) m_read_error = true;
        if (n <= 0)
            m_eof = true;
        else
            m_raw_len += static_cast<std::size_t>(n);
        if (m_encoding == Encoding::Unknown) {
            if (m_raw_len < 4 && !m_eof) continue;  // too little to tell yet
            detect_encoding();
            if (m_encoding == Encoding::Utf8) {
                append_decoded(m_raw.data(), m_raw_len);
                m_raw_len = 0;
                m_raw = std::string();
                return m_end > before;
            }
        }
        if (!m_utf16) m_utf16.emplace(m_encoding == Encoding::Utf16Be);
        m_decoded.clear();
        m_utf16->decode(m_raw.data(), m_raw_len,
                        m_decoded);  // keeps a split unit for the next call
        m_raw_len = 0;
        if (m_eof) m_utf16->finish(m_decoded);  // a dangling surrogate or odd final byte: U+FFFD
        append_decoded(m_decoded.data(), m_decoded.size());
        if (m_end > before || m_eof) return m_end > before;
    }
}

void XmlEventStream::advance_to(std::uint64_t pos) {
    if (pos <= m_cur) return;
    const char* b = m_buf.data() + (m_cur - m_base);
    const char* e = m_buf.data() + (pos - m_base);
    const char* last_nl = nullptr;
    for (const char* p = b; p < e;) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
        if (nl == nullptr) break;
        last_nl = static_cast<const char*>(nl);
        ++m_line;
        p = last_nl + 1;
    }
    if (last_nl != nullptr)
        m_line_start = m_base + static_cast<std::uint64_t>(last_nl - m_buf.data()) + 1;
    m_cur = pos;
}

std::uint64_t XmlEventStream::column_of(std::uint64_t pos) const {
    return pos - m_line_start + 1;
}

bool XmlEventStream::available(std::uint64_t pos, std::size_t n) {
    while (limit() - pos < n)
        if (!fill()) return false;
    return true;
}

std::uint64_t XmlEventStream::find(std::uint64_t from, std::string_view needle, bool consume,
                                   bool capped) {
    while (true) {
        if (consume) advance_to(from);
        const char* b = m_buf.data() + (from - m_base);
        std::size_t len = static_cast<std::size_t>(limit() - from);
        const void* hit = needle.size() == 1 ? std::memchr(b, needle[0], len)
                                             : ::memmem(b, len, needle.data(), needle.size());
        if (hit != nullptr)
            return m_base +
                   static_cast<std::uint64_t>(static_cast<const char*>(hit) - m_buf.data());
        if (len >= needle.size()) from = limit() - (needle.size() - 1);
        if (capped && limit() - m_cur > m_max_event) return kTooBig;
        if (!fill()) return kNotFound;
    }
}

void XmlEventStream::note_stray(std::uint64_t from, std::uint64_t to) {
    // Whitespace between events is fine; anything else is reported once per run.
    for (std::uint64_t p = from; p < to; ++p) {
        char c = m_buf[static_cast<std::size_t>(p - m_base)];
        if (is_space(c)) continue;
        if (!m_in_stray) {
            advance_to(p);
            m_in_stray = true;
            m_stray_line = m_line;
            m_stray_column = column_of(p);
            m_stray_bytes = 0;
        }
        m_stray_bytes += to - p;
        return;
    }
}

void XmlEventStream::flush_stray() {
    if (!m_in_stray) return;
    m_in_stray = false;
    report(
        m_stray_line, m_stray_column,
        "unexpected content between events (" + std::to_string(m_stray_bytes) + " bytes); skipped");
}

bool XmlEventStream::next(Fragment& out) {
    if (!m_started) {
        m_started = true;
        fill();
        // libevtx's evtxexport starts with a one-line banner ("evtxexport 20181227").
        if (available(m_cur, 10) &&
            std::memcmp(m_buf.data() + (m_cur - m_base), "evtxexport", 10) == 0) {
            std::uint64_t nl = find(m_cur, "\n", true, false);
            advance_to(nl == kNotFound ? limit() : nl + 1);
        }
    }
    while (true) {
        // Between events: find the next markup.
        std::uint64_t lt = kNotFound;
        while (true) {
            const char* b = m_buf.data() + (m_cur - m_base);
            const void* hit = std::memchr(b, '<', static_cast<std::size_t>(limit() - m_cur));
            if (hit != nullptr) {
                lt = m_base +
                     static_cast<std::uint64_t>(static_cast<const char*>(hit) - m_buf.data());
                note_stray(m_cur, lt);
                break;
            }
            note_stray(m_cur, limit());
            advance_to(limit());
            if (!fill()) {
                flush_stray();
                if (m_read_error) report(m_line, 0, "read error");
                return false;
            }
        }
        advance_to(lt);
        available(lt, 10);  // short at the very end of the input: classify what is there
        std::size_t have = static_cast<std::size_t>(limit() - lt);
        const char* p = m_buf.data() + (lt - m_base);
        auto starts = [&](std::string_view s) {
            return have >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
        };

        if (starts("<Event") && have > 6 && ends_name(p[6])) {
            flush_stray();
            if (scan_event(lt, out)) return true;
            continue;
        }
        std::string_view close;
        if (starts("<?"))
            close = "?>";
        else if (starts("<!--"))
            close = "-->";
        else if (starts("<!"))
            close = ">";
        else if ((starts("<Events") && have > 7 && ends_name(p[7])) ||
                 (starts("</Events") && have > 8 && ends_name(p[8])))
            close = ">";
        if (!close.empty()) {
            std::uint64_t line = m_line, column = column_of(lt);
            std::uint64_t end = find(lt + 2, close, true, false);
            if (end == kNotFound) {
                report(line, column, "unterminated markup at the end of the input");
                advance_to(limit());
                return false;
            }
            advance_to(end + close.size());
            continue;
        }
        note_stray(lt, lt + 1);
        advance_to(lt + 1);
    }
}

// Scans one event starting at `start` (its `<Event`). Returns true with the fragment, or
// false after reporting a bad event (the caller goes on with what follows).
// The fast path, one pass over the '<' of the event from `scan`: the first "</Event>" in the
// buffer ends it when nothing before it needs a closer look (no "<!" for CDATA or comments,
// no nested "<Event"). nullptr: scan_event's careful loop decides.
const char* XmlEventStream::plain_close(std::uint64_t scan) const {
    const char* b = m_buf.data() + (scan - m_base);
    const char* e = m_buf.data() + m_end;
    for (const char* q = b; q + 8 <= e;) {
        q = static_cast<const char*>(std::memchr(q, '<', static_cast<std::size_t>(e - q)));
        if (q == nullptr || q + 8 > e) break;
        char c = q[1];
        if (c == '/' && std::memcmp(q + 2, "Event>", 6) == 0) return q;
        if (c == '!' || (c == 'E' && std::memcmp(q + 1, "Event", 5) == 0 && ends_name(q[6]))) break;
        ++q;
    }
    return nullptr;
}

// Skips the ordinary element tags in the buffer from `scan`: the position of the first tag
// that needs a closer look ("</", "<!", "<E") or of what is left to read.
std::uint64_t XmlEventStream::skip_plain_tags(std::uint64_t scan) const {
    const char* b = m_buf.data() + (scan - m_base);
    const char* e = m_buf.data() + m_end;
    while (b < e) {
        const char* q =
            static_cast<const char*>(std::memchr(b, '<', static_cast<std::size_t>(e - b)));
        if (q == nullptr || q + 1 >= e) {
            b = q == nullptr ? e : q;
            break;
        }
        char c = q[1];
        if (c == '/' || c == '!' || c == 'E') {
            b = q;
            break;
        }
        b = q + 1;
    }
    return m_base + static_cast<std::uint64_t>(b - m_buf.data());
}

// `needle` from `from` inside the event at line:column. Not found: the event is reported as
// truncated (`missing` says what is unterminated), or skipped when it outgrew the limit;
// nullopt is returned and `result` is what scan_event returns.
std::optional<std::uint64_t> XmlEventStream::find_in_event(std::uint64_t from,
                                                           std::string_view needle,
                                                           const char* missing, std::uint64_t line,
                                                           std::uint64_t column, bool& result) {
    std::uint64_t at = find(from, needle, false, true);
    if (at == kTooBig) {
        result = skip_oversized(line, column);
        return std::nullopt;
    }
    if (at == kNotFound) {
        report(line, column, std::string("truncated event: ") + missing);
        advance_to(limit());
        result = false;
        return std::nullopt;
    }
    return at;
}

bool XmlEventStream::scan_event(std::uint64_t start, Fragment& out) {
    advance_to(start);
    std::uint64_t line = m_line, column = column_of(start);
    std::uint64_t scan = start + 6;
    if (const char* close = plain_close(scan))
        return emit_event(start, m_base + static_cast<std::uint64_t>(close - m_buf.data()) + 7,
                          line, column, out);
    constexpr const char* kNoClose = "no </Event> before the end of the input";
    bool result = false;
    while (true) {
        // Most tags inside an event are ordinary elements: skip those without leaving this
        // loop (only "</", "<!" and "<E" need a closer look).
        scan = skip_plain_tags(scan);
        auto lt = find_in_event(scan, "<", kNoClose, line, column, result);
        if (!lt) return result;
        available(*lt, 9);
        std::size_t have = static_cast<std::size_t>(limit() - *lt);
        const char* p = m_buf.data() + (*lt - m_base);
        auto starts = [&](std::string_view s) {
            return have >= s.size() && std::memcmp(p, s.data(), s.size()) == 0;
        };
        if (starts("</Event") && have > 7 && ends_name(p[7])) {
            auto gt = find_in_event(*lt + 7, ">", kNoClose, line, column, result);
            return gt ? emit_event(start, *gt, line, column, out) : result;
        }
        if (starts("<![CDATA[") || starts("<!--")) {
            bool cdata = p[2] == '[';
            auto end = find_in_event(*lt + (cdata ? 9 : 4), cdata ? "]]>" : "-->",
                                     cdata ? "unterminated CDATA section" : "unterminated comment",
                                     line, column, result);
            if (!end) return result;
            scan = *end + 3;
            continue;
        }
        if (starts("<Event") && have > 6 && ends_name(p[6])) {
            // Events do not nest: the previous one was cut short.
            advance_to(*lt);
            report(line, column,
                   "truncated event: a new <Event> starts at line " + std::to_string(m_line) +
                       " before </Event>");
            start = *lt;
            line = m_line;
            column = column_of(*lt);
            scan = start + 6;
            continue;
        }
        scan = *lt + 1;
    }
}

// Hands out the event from `start` to its closing '>' at `gt`.
bool XmlEventStream::emit_event(std::uint64_t start, std::uint64_t gt, std::uint64_t line,
                                std::uint64_t column, Fragment& out) {
    out.data = m_buf.data() + (start - m_base);
    out.size = static_cast<std::size_t>(gt + 1 - start);
    out.line = line;
    out.column = column;
    // Count the lines now: the parser rewrites the fragment in place.
    advance_to(gt + 1);
    m_last = out;
    return true;
}

bool XmlEventStream::skip_oversized(std::uint64_t line, std::uint64_t column) {
    report(line, column,
           "event larger than " + std::to_string(m_max_event >> 20) + " MiB; skipped");
    // Discard (consuming as we go, so memory stays flat) up to the end of this event.
    std::uint64_t e = find(m_cur, "</Event>", true, false);
    advance_to(e == kNotFound ? limit() : e + 8);
    return false;
}

void XmlEventStream::position_in_fragment(const Fragment& f, std::size_t offset,
                                          std::uint64_t& line, std::uint64_t& column) const {
    line = f.line;
    column = f.column;
    if (offset > f.size) offset = f.size;
    for (std::size_t i = 0; i < offset; ++i) {
        if (f.data[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

}  // namespace attest
