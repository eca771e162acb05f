// EVTX chunk and binary XML decoding. Layout reference: libevtx's "Windows XML Event Log
// (EVTX)" format documentation; value rendering follows what `evtxexport -f xml` writes.
//
// Decoding is done in two steps: binary XML (template bodies and record streams) is compiled
// into a flat list of ops with names and literal text already converted to UTF-8, then the ops
// are executed against the substitution values of a record, feeding a RecordBuilder that
// fills a WinEventRecord directly (no XML text, no DOM). Template bodies are compiled once per
// chunk and cached by their chunk offset, which is where the speed comes from: a chunk holds
// a few templates and hundreds of records instantiating them.
#include "collectors/evtx_chunk.h"

#include <zlib.h>

#include "core/timeutil.h"
#include "core/utf8.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace attest {
namespace {

// ---------------------------------------------------------------------------------------
// Little helpers

std::uint16_t load_u16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t load_u32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint64_t load_u64(const unsigned char* p) {
    return static_cast<std::uint64_t>(load_u32(p)) |
           (static_cast<std::uint64_t>(load_u32(p + 4)) << 32);
}

// UTF-16LE (`count` code units) to UTF-8. Unpaired surrogates become U+FFFD.
void append_utf16(std::string& out, const unsigned char* p, std::size_t count) {
    std::size_t i = 0;
    out.reserve(out.size() + count);
    while (i < count) {
#if defined(__SSE2__)
        // Most event text is ASCII: narrow 8 code units at a time while all are < 0x80.
        while (i + 8 <= count) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, _mm_set1_epi16(static_cast<short>(0xFF80))),
                                                  _mm_setzero_si128())) != 0xFFFF)
                break;
            alignas(16) char narrow[16];
            _mm_store_si128(reinterpret_cast<__m128i*>(narrow), _mm_packus_epi16(v, v));
            out.append(narrow, 8);
            i += 8;
        }
        if (i >= count) break;
#endif
        std::uint32_t u = load_u16(p + 2 * i);
        if (u < 0x80) {
            out.push_back(static_cast<char>(u));
            ++i;
            continue;
        }
        ++i;
        if (u >= 0xD800 && u < 0xDC00) {
            if (i < count) {
                std::uint32_t lo = load_u16(p + 2 * i);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    ++i;
                    append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                    continue;
                }
            }
            u = 0xFFFD;
        } else if (u >= 0xDC00 && u < 0xE000) {
            u = 0xFFFD;
        }
        append_utf8(out, u);
    }
}

template <class T>
void append_number(std::string& out, T v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_hex(std::string& out, std::uint64_t v, int digits) {
    static const char* hex = "0123456789abcdef";
    out += "0x";
    char buf[16];
    for (int i = digits - 1; i >= 0; --i) {
        buf[i] = hex[v & 0xF];
        v >>= 4;
    }
    out.append(buf, static_cast<std::size_t>(digits));
}

void append_padded(std::string& out, std::uint64_t v, int width) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0 && n < 20);
    for (int i = n; i < width; ++i) out.push_back('0');
    while (n > 0) out.push_back(buf[--n]);
}

// FILETIME as libevtx writes it: 100 ns precision, printed with 9 fractional digits.
void append_filetime(std::string& out, std::uint64_t ft) {
    const std::uint64_t ticks_per_day = 864000000000ULL;
    std::uint64_t days_since_1601 = ft / ticks_per_day;
    std::uint64_t rem = ft % ticks_per_day;
    // 1601-01-01 is 134774 days before 1970-01-01.
    std::int64_t days = static_cast<std::int64_t>(days_since_1601) - 134774;
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    std::uint64_t secs = rem / 10000000ULL;
    std::uint64_t frac = rem % 10000000ULL;
    append_padded(out, static_cast<std::uint64_t>(y), 4);
    out.push_back('-');
    append_padded(out, m, 2);
    out.push_back('-');
    append_padded(out, d, 2);
    out.push_back('T');
    append_padded(out, secs / 3600, 2);
    out.push_back(':');
    append_padded(out, (secs / 60) % 60, 2);
    out.push_back(':');
    append_padded(out, secs % 60, 2);
    out.push_back('.');
    append_padded(out, frac * 100, 9);
    out.push_back('Z');
}

void append_hex_upper(std::string& out, std::uint64_t v, int digits) {
    static const char* hex = "0123456789ABCDEF";
    char buf[16];
    for (int i = digits - 1; i >= 0; --i) {
        buf[i] = hex[v & 0xF];
        v >>= 4;
    }
    out.append(buf, static_cast<std::size_t>(digits));
}

void append_guid(std::string& out, const unsigned char* p) {
    out.push_back('{');
    append_hex_upper(out, load_u32(p), 8);
    out.push_back('-');
    append_hex_upper(out, load_u16(p + 4), 4);
    out.push_back('-');
    append_hex_upper(out, load_u16(p + 6), 4);
    out.push_back('-');
    append_hex_upper(out, (static_cast<std::uint64_t>(p[8]) << 8) | p[9], 4);
    out.push_back('-');
    std::uint64_t node = 0;
    for (int i = 10; i < 16; ++i) node = (node << 8) | p[i];
    append_hex_upper(out, node, 12);
    out.push_back('}');
}

// A SID at `p` (at most `size` bytes). Returns its length, or 0 when malformed.
std::size_t append_sid(std::string& out, const unsigned char* p, std::size_t size) {
    if (size < 8) return 0;
    unsigned count = p[1];
    std::size_t len = 8 + 4 * static_cast<std::size_t>(count);
    if (len > size) return 0;
    std::uint64_t authority = 0;
    for (int i = 2; i < 8; ++i) authority = (authority << 8) | p[i];
    out += "S-";
    append_number(out, static_cast<unsigned>(p[0]));
    out.push_back('-');
    append_number(out, authority);
    for (unsigned i = 0; i < count; ++i) {
        out.push_back('-');
        append_number(out, load_u32(p + 8 + 4 * i));
    }
    return len;
}

void append_hex_bytes(std::string& out, const unsigned char* p, std::size_t size) {
    static const char* hex = "0123456789ABCDEF";
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(hex[p[i] >> 4]);
        out.push_back(hex[p[i] & 0xF]);
    }
}

// Size of one element of a fixed-size value type, 0 for variable-size types.
std::size_t fixed_size(std::uint8_t type, std::size_t total) {
    switch (type) {
        case 0x03: case 0x04: return 1;
        case 0x05: case 0x06: return 2;
        case 0x07: case 0x08: case 0x0B: case 0x0D: case 0x14: return 4;
        case 0x09: case 0x0A: case 0x0C: case 0x11: case 0x15: return 8;
        case 0x0F: case 0x12: return 16;
        case 0x10: return (total % 8 == 0 && total != 0) ? 8 : 4;
        default: return 0;
    }
}

// Binary XML tokens.
enum Token : std::uint8_t {
    kEndOfStream = 0x00,
    kOpenStartElement = 0x01,
    kCloseStartElement = 0x02,
    kCloseEmptyElement = 0x03,
    kEndElement = 0x04,
    kValue = 0x05,
    kAttribute = 0x06,
    kCData = 0x07,
    kCharRef = 0x08,
    kEntityRef = 0x09,
    kPITarget = 0x0A,
    kPIData = 0x0B,
    kTemplateInstance = 0x0C,
    kNormalSubstitution = 0x0D,
    kOptionalSubstitution = 0x0E,
    kFragmentHeader = 0x0F,
};

constexpr std::uint8_t kTypeNull = 0x00;
constexpr std::uint8_t kTypeString = 0x01;
constexpr std::uint8_t kTypeBinXml = 0x21;
constexpr std::uint8_t kTypeArray = 0x80;

constexpr int kMaxNesting = 8;                          // nested binary XML values
constexpr std::size_t kMaxRecordOps = 1u << 20;         // executed ops per record
constexpr std::size_t kMaxRecordText = 16u << 20;       // rendered bytes per record
constexpr std::size_t kMaxChunkText = 64u << 20;       // decoded names and text per chunk
constexpr unsigned kMaxDepth = 64;                      // element depth tracked

enum class OpKind : std::uint8_t {
    Open,
    Attribute,
    CloseStart,
    CloseEmpty,
    End,
    Text,
    Substitution,
    Template,
};

// One compiled binary XML step. Text and names live in the chunk's string arena.
struct Op {
    OpKind kind;
    std::uint8_t value_type = 0;
    std::uint16_t sub_id = 0;
    std::uint32_t a = 0;  // string offset | template index
    std::uint32_t b = 0;  // string length | first value index
    std::uint32_t c = 0;  // value count (Template)
};

struct SubValue {
    std::uint32_t offset;  // chunk offset of the value bytes
    std::uint16_t size;
    std::uint8_t type;
};

struct CompiledTemplate {
    std::uint32_t definition_offset = 0;
    std::uint32_t ops_begin = 0;
    std::uint32_t ops_end = 0;
    bool ok = false;
    std::string error;
};

struct DecodeError {
    std::uint32_t offset;  // chunk-relative
    std::string message;
};

}  // namespace

// zlib's CRC-32 (the same polynomial as EVTX) runs about 3x faster than a slicing-by-8 table
// here; the checksums cover every byte of every chunk.
std::uint32_t evtx_crc32(const unsigned char* data, std::size_t size, std::uint32_t crc) {
    uLong c = crc;
    while (size > 0) {
        auto n = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
        c = ::crc32(c, data, n);
        data += n;
        size -= n;
    }
    return static_cast<std::uint32_t>(c);
}

bool evtx_render_value(std::uint8_t type, const unsigned char* p, std::size_t size,
                       std::string& out) {
    switch (type) {
        case kTypeNull: return true;
        case kTypeString: {
            std::size_t n = size / 2;
            while (n > 0 && load_u16(p + 2 * (n - 1)) == 0) --n;  // trailing NULs
            append_utf16(out, p, n);
            return true;
        }
        case 0x02: {  // ANSI string: code page unknown here; Latin-1 is the usual reading
            std::size_t n = size;
            while (n > 0 && p[n - 1] == 0) --n;
            for (std::size_t i = 0; i < n; ++i) append_utf8(out, p[i]);
            return true;
        }
        case 0x03: if (size < 1) return false; append_number(out, static_cast<int>(static_cast<std::int8_t>(p[0]))); return true;
        case 0x04: if (size < 1) return false; append_number(out, static_cast<unsigned>(p[0])); return true;
        case 0x05: if (size < 2) return false; append_number(out, static_cast<int>(static_cast<std::int16_t>(load_u16(p)))); return true;
        case 0x06: if (size < 2) return false; append_number(out, static_cast<unsigned>(load_u16(p))); return true;
        case 0x07: if (size < 4) return false; append_number(out, static_cast<std::int32_t>(load_u32(p))); return true;
        case 0x08: if (size < 4) return false; append_number(out, load_u32(p)); return true;
        case 0x09: if (size < 8) return false; append_number(out, static_cast<std::int64_t>(load_u64(p))); return true;
        case 0x0A: if (size < 8) return false; append_number(out, load_u64(p)); return true;
        case 0x0B: {
            if (size < 4) return false;
            float f;
            std::uint32_t bits = load_u32(p);
            std::memcpy(&f, &bits, 4);
            append_number(out, f);
            return true;
        }
        case 0x0C: {
            if (size < 8) return false;
            double d;
            std::uint64_t bits = load_u64(p);
            std::memcpy(&d, &bits, 8);
            append_number(out, d);
            return true;
        }
        case 0x0D: if (size < 1) return false; {
            bool v = false;
            for (std::size_t i = 0; i < size && i < 4; ++i) v = v || p[i] != 0;
            out += v ? "true" : "false";
            return true;
        }
        case 0x0E: append_hex_bytes(out, p, size); return true;
        case 0x0F: if (size < 16) return false; append_guid(out, p); return true;
        case 0x10:
            if (size >= 8) append_hex(out, load_u64(p), 16);
            else if (size >= 4) append_hex(out, load_u32(p), 8);
            else return false;
            return true;
        case 0x11: if (size < 8) return false; append_filetime(out, load_u64(p)); return true;
        case 0x12: {
            if (size < 16) return false;
            append_padded(out, load_u16(p), 4);
            out.push_back('-');
            append_padded(out, load_u16(p + 2), 2);
            out.push_back('-');
            append_padded(out, load_u16(p + 6), 2);
            out.push_back('T');
            append_padded(out, load_u16(p + 8), 2);
            out.push_back(':');
            append_padded(out, load_u16(p + 10), 2);
            out.push_back(':');
            append_padded(out, load_u16(p + 12), 2);
            out.push_back('.');
            append_padded(out, static_cast<std::uint64_t>(load_u16(p + 14)) * 1000000, 9);
            out.push_back('Z');
            return true;
        }
        case 0x13: return append_sid(out, p, size) != 0;
        case 0x14: if (size < 4) return false; append_hex(out, load_u32(p), 8); return true;
        case 0x15: if (size < 8) return false; append_hex(out, load_u64(p), 16); return true;
        default: append_hex_bytes(out, p, size); return true;  // EvtHandle, EvtXml, unknown
    }
}

// ---------------------------------------------------------------------------------------
// RecordBuilder: the XML event stream to WinEventRecord fields, the way the XML collector
// reads the rendered XML: System children and attributes by name, EventData/Data by Name,
// UserData leaves by element name.

namespace {

class RecordBuilder {
public:
    // Names are kept as offsets into `arena` because the arena may grow (and move) while a
    // record is executed (nested binary XML is compiled on the fly).
    void start(WinEventRecord& record, const std::string& arena, bool render_xml) {
        m_arena = &arena;
        m_record = &record;
        m_xml = render_xml ? &record.original : nullptr;
        if (m_xml != nullptr) {
            m_xml->clear();
            m_xml_tags.clear();
            m_xml_attr_open = false;
        }
        m_depth = 0;
        m_in_attribute = false;
        m_attr_target = nullptr;
        m_text.clear();
        m_data_name.clear();
        m_unnamed = 0;
    }

    void open(std::uint32_t name_offset, std::uint32_t name_length) {
        if (m_xml != nullptr) xml_open(name_offset, name_length);
        m_in_attribute = false;
        if (m_depth < kMaxDepth) {
            if (m_depth > 0) m_has_child[m_depth - 1] = true;
            m_names[m_depth] = {name_offset, name_length};
            m_has_child[m_depth] = false;
        }
        ++m_depth;
        m_text.clear();
        if (m_depth == 2) m_section = classify_section(name_at(2));  // once per section, not per element
        if (m_depth == 3 && section() == Section::EventData) m_data_name.clear();
    }

    void attribute(std::string_view name) {
        if (m_xml != nullptr) {
            xml_close_attribute();
            m_xml_attr_begin = m_xml->size();
            m_xml->push_back(' ');
            m_xml->append(name);
            m_xml->append("=\"");
            m_xml_attr_open = true;
        }
        m_in_attribute = true;
        m_attr_target = attribute_target(name);
        if (m_attr_target != nullptr) m_attr_target->clear();
    }

    void close_start() {
        if (m_xml != nullptr) {
            xml_close_attribute();
            m_xml->push_back('>');
            if (!m_xml_tags.empty()) m_xml_tags.back().start_end = m_xml->size();
        }
        m_in_attribute = false;
    }

    void close_empty() {
        if (m_xml != nullptr) {
            xml_close_attribute();
            m_xml->append("/>");
            if (!m_xml_tags.empty()) m_xml_tags.pop_back();
        }
        m_in_attribute = false;
        end_element();
    }

    void end() {
        if (m_xml != nullptr) xml_end();
        end_element();
    }

    void end_element() {
        m_in_attribute = false;
        if (m_depth == 0) return;
        if (m_depth <= kMaxDepth) finish_element();
        --m_depth;
        m_text.clear();
    }

    void text(std::string_view s) {
        if (m_xml != nullptr) xml_escape(s, m_xml_attr_open);
        if (m_in_attribute) {
            if (m_attr_target != nullptr) m_attr_target->append(s);
        } else {
            m_text.append(s);
        }
    }

    // An array value inside an element: Windows repeats the element per item. For EventData
    // that means one Data pair per item under the same name.
    void array_separator() {
        if (m_in_attribute) {
            text(" ");
            return;
        }
        // The XML rendering repeats the element too: "</Data><Data Name=\"x\">".
        if (m_xml != nullptr && !m_xml_tags.empty() && m_xml_tags.back().start_end != 0) {
            const XmlTag& tag = m_xml_tags.back();
            xml_end_tag(tag);
            std::string start_tag = m_xml->substr(tag.start_begin, tag.start_end - tag.start_begin);
            XmlTag again = tag;
            again.start_begin = m_xml->size();
            m_xml->append(start_tag);
            again.start_end = m_xml->size();
            m_xml_tags.back() = again;
        }
        if (m_depth == 3 && section() == Section::EventData && name_at(3) == "Data") {
            std::string name = m_data_name;  // finish_element() hands it over
            finish_element();
            m_data_name = std::move(name);
            m_text.clear();
        }
    }

private:
    enum class Section { None, System, EventData, UserData, Other };

    // --- XML rendering of the record (event.original), in Windows' EvtRender style: compact,
    // double-quoted attributes, text escaped.
    struct XmlTag {
        std::uint32_t name_offset, name_length;
        std::size_t start_begin, start_end;  // the start tag's bytes in the rendering
    };

    void xml_open(std::uint32_t name_offset, std::uint32_t name_length) {
        xml_close_attribute();
        m_xml_tags.push_back({name_offset, name_length, m_xml->size(), 0});
        m_xml->push_back('<');
        m_xml->append(*m_arena, name_offset, name_length);
    }
    void xml_close_attribute() {
        if (!m_xml_attr_open) return;
        m_xml_attr_open = false;
        // An attribute whose value is empty (a null optional substitution) is left out, as
        // EvtRender does: <Correlation/>, not <Correlation ActivityID=""/>.
        if (m_xml->back() == '"' && (*m_xml)[m_xml->size() - 2] == '=') {
            m_xml->resize(m_xml_attr_begin);
            return;
        }
        m_xml->push_back('"');
    }
    void xml_end_tag(const XmlTag& tag) {
        m_xml->append("</");
        m_xml->append(*m_arena, tag.name_offset, tag.name_length);
        m_xml->push_back('>');
    }
    void xml_end() {
        xml_close_attribute();
        if (m_xml_tags.empty()) return;
        xml_end_tag(m_xml_tags.back());
        m_xml_tags.pop_back();
    }
    void xml_escape(std::string_view s, bool attribute) {
        for (char c : s) {
            switch (c) {
                case '&': m_xml->append("&amp;"); break;
                case '<': m_xml->append("&lt;"); break;
                case '>': m_xml->append("&gt;"); break;
                case '"':
                    if (attribute) m_xml->append("&quot;");
                    else m_xml->push_back(c);
                    break;
                default: m_xml->push_back(c);
            }
        }
    }

    std::string_view name_at(unsigned depth) const {
        if (depth < 1 || depth > kMaxDepth) return {};
        return std::string_view(*m_arena).substr(m_names[depth - 1].first, m_names[depth - 1].second);
    }

    Section section() const { return m_depth < 2 ? Section::None : m_section; }

    static Section classify_section(std::string_view s) {
        if (s == "System") return Section::System;
        if (s == "EventData") return Section::EventData;
        if (s == "UserData") return Section::UserData;
        return Section::Other;
    }

    std::string* attribute_target(std::string_view attr) {
        WinEventRecord& r = *m_record;
        if (m_depth == 3) {
            std::string_view el = name_at(3);
            switch (section()) {
                case Section::System:
                    if (el == "Provider") {
                        if (attr == "Name") return &r.provider_name;
                        if (attr == "Guid") return &r.provider_guid;
                        if (attr == "EventSourceName") return &r.event_source_name;
                    } else if (el == "EventID") {
                        if (attr == "Qualifiers") return &r.qualifiers;
                    } else if (el == "TimeCreated") {
                        if (attr == "SystemTime") return &r.time_created;
                    } else if (el == "Correlation") {
                        if (attr == "ActivityID") return &r.activity_id;
                        if (attr == "RelatedActivityID") return &r.related_activity_id;
                    } else if (el == "Execution") {
                        if (attr == "ProcessID") return &r.process_id;
                        if (attr == "ThreadID") return &r.thread_id;
                    } else if (el == "Security") {
                        if (attr == "UserID" || attr == "UserId") return &r.user_id;
                    }
                    break;
                case Section::EventData:
                    if (el == "Data" && attr == "Name") return &m_data_name;
                    break;
                default: break;
            }
        }
        return nullptr;
    }

    void finish_element() {
        WinEventRecord& r = *m_record;
        Section sec = section();
        if (m_depth == 3 && sec == Section::System) {
            std::string_view el = name_at(3);
            if (el == "EventID") {
                std::int64_t v = -1;
                auto res = std::from_chars(m_text.data(), m_text.data() + m_text.size(), v);
                r.event_id = (res.ec == std::errc() && res.ptr == m_text.data() + m_text.size()) ? v : -1;
            } else if (el == "Version") {
                r.version = m_text;
            } else if (el == "Level") {
                r.level = m_text;
            } else if (el == "Task") {
                r.task = m_text;
            } else if (el == "Opcode") {
                r.opcode = m_text;
            } else if (el == "Keywords") {
                r.keywords = m_text;
            } else if (el == "EventRecordID") {
                std::uint64_t v = 0;
                auto res = std::from_chars(m_text.data(), m_text.data() + m_text.size(), v);
                if (res.ec == std::errc() && res.ptr == m_text.data() + m_text.size()) {
                    r.record_id = v;
                    r.has_record_id = true;
                }
            } else if (el == "Channel") {
                r.channel = m_text;
            } else if (el == "Computer") {
                r.computer = m_text;
            }
        } else if (m_depth == 3 && sec == Section::EventData) {
            std::string_view el = name_at(3);
            // Same keys as the XML reader: Data by Name (unnamed ones numbered param1..),
            // other children (<Binary>) by element name.
            // The buffers are handed over (moved), not copied: they are refilled per element.
            if (el != "Data")
                r.data.emplace_back(std::string(el), std::move(m_text));
            else if (m_data_name.empty())
                r.data.emplace_back("param" + std::to_string(++m_unnamed), std::move(m_text));
            else
                r.data.emplace_back(std::move(m_data_name), std::move(m_text));
            m_text.clear();
            m_data_name.clear();
        } else if (m_depth >= 3 && sec == Section::UserData && !m_has_child[m_depth - 1]) {
            r.data.emplace_back(std::string(name_at(m_depth)), m_text);
        }
    }

    const std::string* m_arena = nullptr;
    WinEventRecord* m_record = nullptr;
    std::array<std::pair<std::uint32_t, std::uint32_t>, kMaxDepth> m_names{};
    std::array<bool, kMaxDepth> m_has_child{};
    unsigned m_depth = 0;
    bool m_in_attribute = false;
    std::string* m_attr_target = nullptr;
    std::string m_text;
    std::string m_data_name;
    unsigned m_unnamed = 0;
    Section m_section = Section::None;  // of the element at depth 2
    std::string* m_xml = nullptr;  // set when the record's XML rendering is asked for
    std::vector<XmlTag> m_xml_tags;
    bool m_xml_attr_open = false;
    std::size_t m_xml_attr_begin = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// The decoder

struct EvtxChunkDecoder::Impl {
    const unsigned char* m_chunk = nullptr;
    std::size_t m_size = 0;

    std::string m_strings;  // names and literal text of this chunk, UTF-8
    std::vector<std::pair<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>>> m_names;
    std::vector<Op> m_template_ops;
    std::vector<CompiledTemplate> m_templates;
    std::vector<Op> m_record_ops;
    std::vector<SubValue> m_values;
    std::string m_scratch;
    RecordBuilder m_builder;
    std::size_t m_budget_ops = 0;
    std::size_t m_budget_text = 0;
    bool render_xml = false;  // fill WinEventRecord::original with the record's XML

    void reset_chunk(const unsigned char* data, std::size_t size) {
        m_chunk = data;
        m_size = size;
        m_strings.clear();
        m_names.clear();
        m_template_ops.clear();
        m_templates.clear();
    }

    bool fits(std::size_t pos, std::size_t n, std::size_t end) const {
        return pos <= end && n <= end - pos;
    }

    // Resolves the name at chunk offset `offset`; when it is inline (at `pos`), advances
    // `pos` past it. Returns false on a bad reference.
    bool read_name(std::uint32_t offset, std::size_t& pos, std::size_t end,
                   std::pair<std::uint32_t, std::uint32_t>& name, DecodeError& err) {
        bool inline_name = offset == pos;
        for (const auto& n : m_names)
            if (n.first == offset) {
                name = n.second;
                if (inline_name) pos += 10 + 2 * static_cast<std::size_t>(load_u16(m_chunk + offset + 6));
                return true;
            }
        if (offset < kEvtxChunkHeaderSize || !fits(offset, 8, m_size)) {
            err = {static_cast<std::uint32_t>(pos), "bad name offset " + std::to_string(offset)};
            return false;
        }
        std::size_t count = load_u16(m_chunk + offset + 6);
        if (!fits(offset + 8, 2 * count, m_size)) {
            err = {offset, "name runs past the end of the chunk"};
            return false;
        }
        if (inline_name) {
            if (!fits(pos, 10 + 2 * count, end)) {
                err = {static_cast<std::uint32_t>(pos), "inline name runs past its fragment"};
                return false;
            }
            pos += 10 + 2 * count;
        }
        auto start = static_cast<std::uint32_t>(m_strings.size());
        append_utf16(m_strings, m_chunk + offset + 8, count);
        name = {start, static_cast<std::uint32_t>(m_strings.size() - start)};
        m_names.emplace_back(offset, name);
        return true;
    }

    std::string_view str(std::uint32_t off, std::uint32_t len) const {
        return std::string_view(m_strings).substr(off, len);
    }

    // Compiles the binary XML in [pos, end) into `ops`, up to the end-of-stream token.
    // Template instances are only allowed outside template bodies (`in_template` false),
    // which also rules out template reference cycles.
    bool compile(std::size_t pos, std::size_t end, std::vector<Op>& ops, bool in_template,
                 DecodeError& err) {
        auto fail = [&](std::size_t at, std::string msg) {
            err = {static_cast<std::uint32_t>(at), std::move(msg)};
            return false;
        };
        while (pos < end) {
            std::uint8_t tok = m_chunk[pos];
            bool more = (tok & 0x40) != 0;
            std::size_t at = pos;
            switch (tok & 0xBF) {
                case kEndOfStream: return true;
                case kFragmentHeader:
                    if (!fits(pos, 4, end)) return fail(at, "truncated fragment header");
                    pos += 4;
                    break;
                case kOpenStartElement: {
                    // token, dependency id (2), data size (4), name offset (4), the name when
                    // it is inline, then the attribute list size (4) when attributes follow.
                    if (!fits(pos, 11, end)) return fail(at, "truncated element");
                    std::uint32_t name_off = load_u32(m_chunk + pos + 7);
                    pos += 11;
                    std::pair<std::uint32_t, std::uint32_t> name;
                    if (!read_name(name_off, pos, end, name, err)) return false;
                    if (more) {
                        if (!fits(pos, 4, end)) return fail(at, "truncated element");
                        pos += 4;
                    }
                    ops.push_back({OpKind::Open, 0, 0, name.first, name.second, 0});
                    break;
                }
                case kCloseStartElement:
                    ops.push_back({OpKind::CloseStart});
                    ++pos;
                    break;
                case kCloseEmptyElement:
                    ops.push_back({OpKind::CloseEmpty});
                    ++pos;
                    break;
                case kEndElement:
                    ops.push_back({OpKind::End});
                    ++pos;
                    break;
                case kValue: {
                    if (!fits(pos, 4, end)) return fail(at, "truncated value");
                    std::uint8_t type = m_chunk[pos + 1];
                    if (type != kTypeString) return fail(at, "unsupported literal value type " + std::to_string(type));
                    std::size_t count = load_u16(m_chunk + pos + 2);
                    if (!fits(pos + 4, 2 * count, end)) return fail(at, "value runs past its fragment");
                    auto start = static_cast<std::uint32_t>(m_strings.size());
                    append_utf16(m_strings, m_chunk + pos + 4, count);
                    ops.push_back({OpKind::Text, 0, 0, start, static_cast<std::uint32_t>(m_strings.size() - start), 0});
                    pos += 4 + 2 * count;
                    break;
                }
                case kAttribute: {
                    if (!fits(pos, 5, end)) return fail(at, "truncated attribute");
                    std::uint32_t name_off = load_u32(m_chunk + pos + 1);
                    pos += 5;
                    std::pair<std::uint32_t, std::uint32_t> name;
                    if (!read_name(name_off, pos, end, name, err)) return false;
                    ops.push_back({OpKind::Attribute, 0, 0, name.first, name.second, 0});
                    break;
                }
                case kCData: {
                    if (!fits(pos, 3, end)) return fail(at, "truncated CDATA");
                    std::size_t count = load_u16(m_chunk + pos + 1);
                    if (!fits(pos + 3, 2 * count, end)) return fail(at, "CDATA runs past its fragment");
                    auto start = static_cast<std::uint32_t>(m_strings.size());
                    append_utf16(m_strings, m_chunk + pos + 3, count);
                    ops.push_back({OpKind::Text, 0, 0, start, static_cast<std::uint32_t>(m_strings.size() - start), 0});
                    pos += 3 + 2 * count;
                    break;
                }
                case kCharRef: {
                    if (!fits(pos, 3, end)) return fail(at, "truncated character reference");
                    auto start = static_cast<std::uint32_t>(m_strings.size());
                    std::uint32_t cp = load_u16(m_chunk + pos + 1);
                    append_utf8(m_strings, (cp >= 0xD800 && cp < 0xE000) ? 0xFFFD : cp);
                    ops.push_back({OpKind::Text, 0, 0, start, static_cast<std::uint32_t>(m_strings.size() - start), 0});
                    pos += 3;
                    break;
                }
                case kEntityRef: {
                    if (!fits(pos, 5, end)) return fail(at, "truncated entity reference");
                    std::uint32_t name_off = load_u32(m_chunk + pos + 1);
                    pos += 5;
                    std::pair<std::uint32_t, std::uint32_t> name;
                    if (!read_name(name_off, pos, end, name, err)) return false;
                    std::string_view n = str(name.first, name.second);
                    std::string replacement;
                    if (n == "amp") replacement = "&";
                    else if (n == "lt") replacement = "<";
                    else if (n == "gt") replacement = ">";
                    else if (n == "quot") replacement = "\"";
                    else if (n == "apos") replacement = "'";
                    else replacement = "&" + std::string(n) + ";";
                    auto start = static_cast<std::uint32_t>(m_strings.size());
                    m_strings += replacement;
                    ops.push_back({OpKind::Text, 0, 0, start, static_cast<std::uint32_t>(replacement.size()), 0});
                    break;
                }
                case kPITarget: {
                    if (!fits(pos, 5, end)) return fail(at, "truncated processing instruction");
                    std::uint32_t name_off = load_u32(m_chunk + pos + 1);
                    pos += 5;
                    std::pair<std::uint32_t, std::uint32_t> name;
                    if (!read_name(name_off, pos, end, name, err)) return false;
                    break;  // processing instructions carry no event data
                }
                case kPIData: {
                    if (!fits(pos, 3, end)) return fail(at, "truncated processing instruction");
                    std::size_t count = load_u16(m_chunk + pos + 1);
                    if (!fits(pos + 3, 2 * count, end)) return fail(at, "processing instruction runs past its fragment");
                    pos += 3 + 2 * count;
                    break;
                }
                case kNormalSubstitution:
                case kOptionalSubstitution: {
                    if (!in_template) return fail(at, "substitution outside a template");
                    if (!fits(pos, 4, end)) return fail(at, "truncated substitution");
                    Op op{OpKind::Substitution};
                    op.sub_id = load_u16(m_chunk + pos + 1);
                    op.value_type = m_chunk[pos + 3];
                    op.c = (tok & 0xBF) == kOptionalSubstitution;
                    ops.push_back(op);
                    pos += 4;
                    break;
                }
                case kTemplateInstance: {
                    if (in_template) return fail(at, "template instance inside a template definition");
                    if (!fits(pos, 10, end)) return fail(at, "truncated template instance");
                    std::uint32_t template_id = load_u32(m_chunk + pos + 2);
                    std::uint32_t def_off = load_u32(m_chunk + pos + 6);
                    pos += 10;
                    if (def_off == pos) {  // definition inline, first use in this chunk
                        if (!fits(pos, 24, end)) return fail(at, "truncated template definition");
                        std::size_t data_size = load_u32(m_chunk + pos + 20);
                        if (!fits(pos + 24, data_size, end))
                            return fail(pos, "template definition runs past its record");
                        pos += 24 + data_size;
                    }
                    std::uint32_t index = 0;
                    if (!template_index(def_off, template_id, index, err)) {
                        err.offset = static_cast<std::uint32_t>(at);
                        return false;
                    }
                    // The substitution array: count, (size, type) descriptors, values.
                    if (!fits(pos, 4, end)) return fail(pos, "truncated substitution array");
                    std::size_t count = load_u32(m_chunk + pos);
                    pos += 4;
                    if (count > (end - pos) / 4) return fail(pos - 4, "substitution count " + std::to_string(count) + " exceeds the record");
                    std::size_t values_pos = pos + 4 * count;
                    auto first = static_cast<std::uint32_t>(m_values.size());
                    for (std::size_t i = 0; i < count; ++i) {
                        std::uint16_t size = load_u16(m_chunk + pos + 4 * i);
                        std::uint8_t type = m_chunk[pos + 4 * i + 2];
                        if (!fits(values_pos, size, end))
                            return fail(pos + 4 * i, "substitution value " + std::to_string(i) + " runs past the record");
                        m_values.push_back({static_cast<std::uint32_t>(values_pos), size, type});
                        values_pos += size;
                    }
                    pos = values_pos;
                    ops.push_back({OpKind::Template, 0, 0, index, first, static_cast<std::uint32_t>(count)});
                    break;
                }
                default: {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "0x%02x", tok);
                    return fail(at, std::string("unknown binary XML token ") + buf);
                }
            }
        }
        return true;  // ran to the end of the span without an end-of-stream token
    }

    bool template_index(std::uint32_t def_off, std::uint32_t template_id, std::uint32_t& index,
                        DecodeError& err) {
        for (std::uint32_t i = 0; i < m_templates.size(); ++i)
            if (m_templates[i].definition_offset == def_off) {
                index = i;
                if (!m_templates[i].ok) err.message = m_templates[i].error;
                return m_templates[i].ok;
            }
        CompiledTemplate t;
        t.definition_offset = def_off;
        if (def_off < kEvtxChunkHeaderSize || !fits(def_off, 24, m_size)) {
            t.error = "bad template reference " + std::to_string(def_off);
        } else if (load_u32(m_chunk + def_off + 4) != template_id) {
            t.error = "bad template reference " + std::to_string(def_off) +
                      " (no template " + std::to_string(template_id) + " there)";
        } else {
            std::size_t data_size = load_u32(m_chunk + def_off + 20);
            if (!fits(def_off + 24, data_size, m_size)) {
                t.error = "template definition at " + std::to_string(def_off) + " runs past the chunk";
            } else {
                t.ops_begin = static_cast<std::uint32_t>(m_template_ops.size());
                DecodeError inner;
                if (compile(def_off + 24, def_off + 24 + data_size, m_template_ops, true, inner)) {
                    t.ok = true;
                } else {
                    t.error = "bad template definition at chunk byte " + std::to_string(def_off) +
                              ": " + inner.message + " at chunk byte " + std::to_string(inner.offset);
                    m_template_ops.resize(t.ops_begin);
                }
                t.ops_end = static_cast<std::uint32_t>(m_template_ops.size());
            }
        }
        m_templates.push_back(std::move(t));
        index = static_cast<std::uint32_t>(m_templates.size() - 1);
        if (!m_templates.back().ok) err.message = m_templates.back().error;
        return m_templates.back().ok;
    }

    // Executes ops [begin, end) of `ops` (template or record ops) with values
    // [first, first+count).
    bool execute(const std::vector<Op>& ops, std::size_t begin, std::size_t end,
                 std::size_t first_value, std::size_t value_count, int nesting, DecodeError& err) {
        for (std::size_t i = begin; i < end; ++i) {
            if (++m_budget_ops > kMaxRecordOps || m_budget_text > kMaxRecordText) {
                err = {0, "record expands beyond the decoding limits"};
                return false;
            }
            const Op op = ops[i];  // copy: nested compilation may grow `ops`
            switch (op.kind) {
                case OpKind::Open: m_builder.open(op.a, op.b); break;
                case OpKind::Attribute: m_builder.attribute(str(op.a, op.b)); break;
                case OpKind::CloseStart: m_builder.close_start(); break;
                case OpKind::CloseEmpty: m_builder.close_empty(); break;
                case OpKind::End: m_builder.end(); break;
                case OpKind::Text:
                    m_budget_text += op.b;
                    m_builder.text(str(op.a, op.b));
                    break;
                case OpKind::Template: {
                    const CompiledTemplate& t = m_templates[op.a];
                    if (!execute(m_template_ops, t.ops_begin, t.ops_end, op.b, op.c, nesting, err))
                        return false;
                    break;
                }
                case OpKind::Substitution: {
                    if (op.sub_id >= value_count) break;  // no value: renders as nothing
                    SubValue v = m_values[first_value + op.sub_id];
                    if (v.type == kTypeNull || v.size == 0) break;
                    if (v.type == kTypeBinXml) {
                        if (nesting >= kMaxNesting) {
                            err = {v.offset, "binary XML nested too deeply"};
                            return false;
                        }
                        auto nested_begin = m_record_ops.size();
                        if (!compile(v.offset, static_cast<std::size_t>(v.offset) + v.size, m_record_ops, false, err))
                            return false;
                        auto nested_end = m_record_ops.size();
                        if (!execute(m_record_ops, nested_begin, nested_end, 0, 0, nesting + 1, err))
                            return false;
                        break;
                    }
                    render_substitution(v);
                    break;
                }
            }
        }
        return true;
    }

    void render_substitution(const SubValue& v) {
        const unsigned char* p = m_chunk + v.offset;
        std::uint8_t base = v.type & 0x7F;
        m_scratch.clear();
        if ((v.type & kTypeArray) == 0) {
            if (!evtx_render_value(base, p, v.size, m_scratch)) {
                m_scratch.clear();
                append_hex_bytes(m_scratch, p, v.size);
            }
            m_budget_text += m_scratch.size();
            m_builder.text(m_scratch);
            return;
        }
        // Arrays: strings are NUL separated, SIDs follow each other, the rest are fixed size.
        bool first = true;
        auto item = [&](std::uint8_t t, const unsigned char* q, std::size_t n) {
            if (!first) m_builder.array_separator();
            first = false;
            m_scratch.clear();
            evtx_render_value(t, q, n, m_scratch);
            m_budget_text += m_scratch.size();
            m_builder.text(m_scratch);
        };
        if (base == kTypeString) {
            std::size_t units = v.size / 2, start = 0;
            while (units > 0 && load_u16(p + 2 * (units - 1)) == 0) --units;
            for (std::size_t i = 0; i <= units; ++i)
                if (i == units || load_u16(p + 2 * i) == 0) {
                    item(kTypeString, p + 2 * start, 2 * (i - start));
                    start = i + 1;
                }
        } else if (base == 0x02) {
            std::size_t n = v.size, start = 0;
            while (n > 0 && p[n - 1] == 0) --n;
            for (std::size_t i = 0; i <= n; ++i)
                if (i == n || p[i] == 0) {
                    item(0x02, p + start, i - start);
                    start = i + 1;
                }
        } else if (base == 0x13) {
            std::size_t off = 0;
            while (off < v.size) {
                std::string tmp;
                std::size_t len = append_sid(tmp, p + off, v.size - off);
                if (len == 0) break;
                item(0x13, p + off, len);
                off += len;
            }
        } else if (std::size_t w = fixed_size(base, v.size); w != 0) {
            for (std::size_t off = 0; off + w <= v.size; off += w) item(base, p + off, w);
        } else {
            item(0x0E, p, v.size);
        }
    }

    bool decode_record(std::size_t pos, std::size_t size, WinEventRecord& record, DecodeError& err) {
        m_record_ops.clear();
        m_values.clear();
        m_budget_ops = 0;
        m_budget_text = 0;
        std::size_t begin = pos + 24, end = pos + size - 4;
        if (!compile(begin, end, m_record_ops, false, err)) return false;
        if (m_strings.size() > kMaxChunkText) {
            err = {static_cast<std::uint32_t>(pos), "chunk expands beyond the decoding limits"};
            return false;
        }
        record.data.reserve(m_values.size());  // about one Data per substitution value
        m_builder.start(record, m_strings, render_xml);
        return execute(m_record_ops, 0, m_record_ops.size(), 0, 0, 0, err);
    }
};

EvtxChunkDecoder::EvtxChunkDecoder() : m_impl(new Impl) {}
EvtxChunkDecoder::~EvtxChunkDecoder() { delete m_impl; }
void EvtxChunkDecoder::set_render_xml(bool on) { m_impl->render_xml = on; }

namespace {

bool all_zero(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != 0) return false;
    return true;
}

std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

constexpr std::uint32_t kRecordMagic = 0x00002a2a;

}  // namespace

void EvtxChunkDecoder::decode(const unsigned char* data, std::size_t size,
                              std::uint64_t file_offset, EvtxChunkResult& result) {
    result.records.clear();
    result.problems.clear();
    result.records_seen = 0;
    result.records_skipped = 0;
    result.empty_chunk = false;
    result.chunk_skipped = false;
    if (size > kEvtxChunkSize) size = kEvtxChunkSize;
    auto problem = [&](std::size_t at, std::string message) {
        result.problems.push_back({file_offset + at, std::move(message)});
    };

    if (size < kEvtxChunkHeaderSize) {
        if (!all_zero(data, size)) {
            problem(0, "truncated chunk: " + std::to_string(size) + " bytes, header not complete");
            result.chunk_skipped = true;
        } else {
            result.empty_chunk = true;
        }
        return;
    }
    if (std::memcmp(data, "ElfChnk", 8) != 0) {
        if (all_zero(data, kEvtxChunkHeaderSize)) {
            result.empty_chunk = true;  // preallocated, never written
        } else {
            problem(0, "bad chunk signature, chunk skipped");
            result.chunk_skipped = true;
        }
        return;
    }
    if (size < kEvtxChunkSize)
        problem(size, "truncated chunk: " + std::to_string(size) + " of 65536 bytes present");

    // Like libevtx, a checksum mismatch is reported but the records are still tried: each
    // one is validated on its own (signature, size, size copy, binary XML bounds).
    std::uint32_t header_crc = evtx_crc32(data, 120);
    header_crc = evtx_crc32(data + 128, kEvtxChunkHeaderSize - 128, header_crc);
    if (header_crc != load_u32(data + 124))
        problem(124, "chunk header checksum mismatch (stored " + hex32(load_u32(data + 124)) +
                         ", computed " + hex32(header_crc) + "); reading its records anyway");

    std::size_t free_space = load_u32(data + 48);
    std::size_t end = size;
    if (free_space < kEvtxChunkHeaderSize || free_space > kEvtxChunkSize) {
        problem(48, "bad free space offset " + std::to_string(free_space) +
                        "; scanning the whole chunk for records");
    } else {
        if (free_space <= size) {
            std::uint32_t crc = evtx_crc32(data + kEvtxChunkHeaderSize, free_space - kEvtxChunkHeaderSize);
            if (crc != load_u32(data + 52))
                problem(52, "chunk event records checksum mismatch (stored " + hex32(load_u32(data + 52)) +
                                ", computed " + hex32(crc) + "); reading its records anyway");
        }
        end = std::min(end, free_space);
    }

    Impl& d = *m_impl;
    d.reset_chunk(data, size);
    std::size_t pos = kEvtxChunkHeaderSize;
    auto resync = [&](std::size_t from) {
        // Look for the next plausible record header: signature, sane size, matching copy.
        for (std::size_t p = from; p + 28 <= end; ++p) {
            if (load_u32(data + p) != kRecordMagic) continue;
            std::size_t s = load_u32(data + p + 4);
            if (s >= 28 && s <= end - p && load_u32(data + p + s - 4) == s) return p;
        }
        return end;
    };
    while (pos + 24 <= end) {
        std::uint32_t magic = load_u32(data + pos);
        if (magic != kRecordMagic) {
            if (all_zero(data + pos, std::min<std::size_t>(end - pos, 64))) break;  // slack
            std::size_t next = resync(pos + 1);
            problem(pos, "bad record signature; skipped " + std::to_string(next - pos) + " bytes");
            ++result.records_skipped;
            ++result.records_seen;
            pos = next;
            continue;
        }
        ++result.records_seen;
        std::size_t rec_size = load_u32(data + pos + 4);
        std::uint64_t record_id = load_u64(data + pos + 8);
        if (rec_size < 28 || rec_size > end - pos) {
            std::string why = rec_size > end - pos && pos + rec_size <= kEvtxChunkSize && end == size &&
                                      size < kEvtxChunkSize
                                  ? "record " + std::to_string(record_id) + " truncated (size " + std::to_string(rec_size) + ")"
                                  : "record " + std::to_string(record_id) + ": bad record size " + std::to_string(rec_size);
            problem(pos + 4, why);
            ++result.records_skipped;
            pos = resync(pos + 4);
            continue;
        }
        if (load_u32(data + pos + rec_size - 4) != rec_size) {
            problem(pos + rec_size - 4, "record " + std::to_string(record_id) + ": size copy " +
                                            std::to_string(load_u32(data + pos + rec_size - 4)) +
                                            " does not match size " + std::to_string(rec_size));
            ++result.records_skipped;
            pos = resync(pos + 4);
            continue;
        }
        WinEventRecord& rec = result.records.emplace_back();
        DecodeError err{0, {}};
        if (!d.decode_record(pos, rec_size, rec, err)) {
            result.records.pop_back();
            std::size_t at = err.offset != 0 ? err.offset : pos;
            problem(at, "record " + std::to_string(record_id) + ": " + err.message);
            ++result.records_skipped;
        } else if (rec.event_id < 0) {
            // The XML reader rejects such events too; keep both readers equal.
            result.records.pop_back();
            problem(pos, "record " + std::to_string(record_id) + ": event without <System><EventID>");
            ++result.records_skipped;
        } else {
            rec.position = Value(static_cast<std::int64_t>(record_id));
        }
        pos += rec_size;
    }
}

}  // namespace attest
