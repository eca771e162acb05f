#include "collectors/json_stream.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/line_reader.h"
#include "core/sse2.h"
#include "core/utf8.h"

namespace attest {

namespace {
constexpr std::size_t kChunk = 1 << 20;

struct ByteTable {
    bool v[256] = {};
    constexpr ByteTable(std::string_view chars) {
        for (char c : chars) v[static_cast<unsigned char>(c)] = true;
    }
    constexpr bool operator[](unsigned char c) const { return v[c]; }
};
// Bytes the record scanner must look at inside a string, and outside one.
constexpr ByteTable kStringSpecial(std::string_view("\"\\\n", 3));
constexpr ByteTable kStructural(std::string_view("\"{}[]\n, \t\r", 10));

// The first index from i on (or end) of a byte the scanner must see inside a string.
std::size_t skip_string_text(const char* b, std::size_t i, std::size_t end) {
#if ATTEST_SCAN_SSE2
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i newline = _mm_set1_epi8('\n');
    for (; end - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                         _mm_cmpeq_epi8(v, newline));
        if (auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit)); mask != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    while (i < end && !kStringSpecial[static_cast<unsigned char>(b[i])]) ++i;
    return i;
}

std::string describe_byte(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
    return buf;
}
}  // namespace

JsonRecordReader::JsonRecordReader(InputFile& input, std::size_t max_record)
    : m_input(input), m_max_record(max_record) {
    auto head = input.head();
    m_skip_bom = head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF";
    // Windows PowerShell 5.1 `>` writes UTF-16LE with a BOM; without one, "{\0" or "[\0" tells.
    auto u = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
    if (head.size() >= 2 && ((u(0) == 0xFF && u(1) == 0xFE) || (u(0) == 0xFE && u(1) == 0xFF))) {
        m_utf16.emplace(u(0) == 0xFE);
        m_utf16_skip = 2;
    } else if (head.size() >= 4 && u(0) != 0 && u(1) == 0 && u(3) == 0) {
        m_utf16.emplace(false);
    } else if (head.size() >= 4 && u(0) == 0 && u(1) != 0 && u(2) == 0) {
        m_utf16.emplace(true);
    }
}

long JsonRecordReader::read_utf8(char* out, std::size_t n) {
    if (!m_utf16) return m_input.read(out, n);
    // Decode into m_decoded and hand it out; n is large (kChunk), so one raw read at a time.
    while (m_decoded.size() - m_decoded_pos == 0) {
        m_decoded.clear();
        m_decoded_pos = 0;
        std::string& raw = m_raw;
        raw.resize(std::max<std::size_t>(n / 2, 2));
        long got = m_input.read(raw.data(), raw.size());
        if (got < 0) return got;
        if (got == 0) {
            m_utf16->finish(m_decoded);
            if (m_decoded.empty()) return 0;
            break;
        }
        std::size_t skip = std::min<std::size_t>(m_utf16_skip, static_cast<std::size_t>(got));
        m_utf16_skip -= skip;
        m_utf16->decode(raw.data() + skip, static_cast<std::size_t>(got) - skip, m_decoded);
    }
    std::size_t k = std::min(n, m_decoded.size() - m_decoded_pos);
    std::memcpy(out, m_decoded.data() + m_decoded_pos, k);
    m_decoded_pos += k;
    return static_cast<long>(k);
}

bool JsonRecordReader::at_record_banner() const {
    // `evtx_dump -o json` writes "Record <id>" before each pretty-printed record.
    std::string_view rest(m_buf.data() + m_pos, m_end - m_pos);
    if (!m_skip_record_banners || rest.substr(0, 7) != "Record ") return false;
    std::size_t i = 7;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    return i > 7 && (i == rest.size() || rest[i] == '\r' || rest[i] == '\n');
}

bool JsonRecordReader::fill() {
    if (m_eof) return false;
    std::size_t keep_from = m_in_record ? m_start : m_pos;
    long n =
        refill_buffer_from([this](char* out, std::size_t size) { return read_utf8(out, size); },
                           m_buf, keep_from, m_end, kChunk);
    m_consumed += keep_from;
    m_pos -= keep_from;
    m_start -= keep_from;
    if (n <= 0) {
        if (n < 0) m_read_error = true;
        m_eof = true;
        return false;
    }
    if (m_skip_bom && m_consumed == 0 && m_end >= 3 && m_pos == 0) {
        if (std::memcmp(m_buf.data(), "\xEF\xBB\xBF", 3) == 0) m_pos = 3;
        m_skip_bom = false;
    }
    return true;
}

void JsonRecordReader::set_problem(std::uint64_t line, std::uint64_t column, std::string message) {
    m_has_problem = true;
    m_problem = JsonStreamProblem{line, column, std::move(message)};
}

void JsonRecordReader::advance_newline(std::size_t at) {
    ++m_line;
    m_line_start = m_consumed + at + 1;
}

std::uint64_t JsonRecordReader::column_at(std::size_t at) const {
    return m_consumed + at - m_line_start + 1;
}

JsonRecordReader::Step JsonRecordReader::finish_record(std::size_t end, JsonRecord& record) {
    m_in_record = false;
    m_pos = end;
    if (m_oversized) {
        m_oversized = false;
        return Step::Skipped;
    }
    if (end - m_start > m_max_record) {  // ended within the bytes already buffered
        set_problem(m_rec_line, m_rec_column,
                    "record larger than " + std::to_string(m_max_record >> 20) + " MiB; skipped");
        return Step::Problem;
    }
    record.text = std::string_view(m_buf.data() + m_start, end - m_start);
    record.line = m_rec_line;
    record.column = m_rec_column;
    record.offset = m_rec_offset;
    return Step::Record;
}

JsonRecordReader::Step JsonRecordReader::step(JsonRecord& record) {
    while (true) {
        std::optional<Step> s = m_pos == m_end ? refill(record)
                                : m_in_record  ? scan_record(record)
                                               : between_records();
        if (s) return *s;
    }
}

// The buffer is used up: more input, or the end (with what was left open).
inline std::optional<JsonRecordReader::Step> JsonRecordReader::refill(JsonRecord& record) {
    if (m_oversized) m_start = m_pos;  // discard what was scanned
    if (fill()) return std::nullopt;
    if (m_in_record) {
        m_in_record = false;
        if (m_scalar && !m_in_string) {
            m_in_record = true;
            return finish_record(m_end, record);
        }
        bool was_oversized = m_oversized;
        m_oversized = false;
        if (was_oversized) return std::nullopt;
        set_problem(m_rec_line, m_rec_column,
                    "record not terminated at end of input (truncated?); skipped");
        return Step::Problem;
    }
    if (m_array_depth > 0) {
        m_array_depth = 0;
        set_problem(m_line, column_at(m_pos),
                    "top-level array not closed at end of input (truncated?)");
        m_problem.skipped = false;
        return Step::Problem;
    }
    return Step::End;
}

// Garbage between records: on to the next line.
inline void JsonRecordReader::skip_line() {
    const void* nl = std::memchr(m_buf.data() + m_pos, '\n', m_end - m_pos);
    if (nl == nullptr) {
        m_pos = m_end;
        return;
    }
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - m_buf.data());
    advance_newline(at);
    m_pos = at + 1;
    m_skipping_line = false;
}

// Separators between records (and the brackets of a top-level array): true when `c` was one.
inline bool JsonRecordReader::skip_separator(char c) {
    switch (c) {
        case '\n':
            advance_newline(m_pos);
            ++m_pos;
            return true;
        case ' ':
        case '\t':
        case '\r':
            ++m_pos;
            return true;
        case ',':
        case ']':
            if (m_array_depth == 0) return false;
            if (c == ']') m_array_depth = 0;
            ++m_pos;
            return true;
        case '[':
            if (m_array_depth != 0) return false;
            m_array_depth = 1;
            ++m_pos;
            return true;
        default:
            return false;
    }
}

inline void JsonRecordReader::open_record(char c) {
    m_in_record = true;
    m_scalar = !(c == '{' || c == '[');
    m_in_string = false;
    m_escaped = false;
    m_line_begins = false;
    m_depth = 0;
    m_start = m_pos;
    m_rec_line = m_line;
    m_rec_column = column_at(m_pos);
    m_rec_offset = m_consumed + m_pos;
    if (m_scalar && c == '"') {
        m_in_string = true;
        ++m_pos;
    }
}

// Outside a record: separators, the start of the next record, or garbage (reported).
inline std::optional<JsonRecordReader::Step> JsonRecordReader::between_records() {
    if (m_skipping_line) {
        skip_line();
        return std::nullopt;
    }
    char c = m_buf[m_pos];
    if (skip_separator(c)) return std::nullopt;
    bool scalar_start =
        c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
    if (c == '{' || c == '[' || (m_array_depth > 0 && scalar_start)) {
        open_record(c);
        return std::nullopt;
    }
    m_skipping_line = true;
    if (at_record_banner()) return std::nullopt;
    set_problem(m_line, column_at(m_pos),
                "unexpected " + describe_byte(c) +
                    " where a JSON record should start; skipped to the end of the line");
    return Step::Problem;
}

// The open record is dropped at m_pos: reported, unless its bytes were already being skipped.
JsonRecordReader::Step JsonRecordReader::drop_record(std::string message) {
    m_in_record = false;
    m_in_string = false;
    if (m_oversized) {
        m_oversized = false;
        return Step::Skipped;
    }
    set_problem(m_rec_line, m_rec_column, std::move(message));
    return Step::Problem;
}

// A raw newline at i cannot be inside a JSON string: the line was cut. (The cut cases are out
// of line: their messages would keep the scanning loop from being inlined.)
JsonRecordReader::Step JsonRecordReader::cut_in_string(std::size_t i) {
    m_pos = i + 1;
    return drop_record("record cut short (line ends inside a string); skipped");
}

// A new record starts in column 1 at i while this one is open: it was cut.
JsonRecordReader::Step JsonRecordReader::cut_before(std::size_t i) {
    m_pos = i;
    return drop_record("record not terminated before the next one at line " +
                       std::to_string(m_line) + "; skipped");
}

// A special byte inside a string (quote, backslash, newline) or the byte after a backslash.
inline std::optional<JsonRecordReader::Step> JsonRecordReader::string_byte(std::size_t i,
                                                                           JsonRecord& record) {
    char ch = m_buf[i];
    if (m_escaped) {
        m_escaped = false;
    } else if (ch == '\\') {
        m_escaped = true;
    } else if (ch == '"') {
        m_in_string = false;
        if (m_scalar) return finish_record(i + 1, record);
    } else if (ch == '\n') {
        advance_newline(i);
        if (m_array_depth == 0) return cut_in_string(i);
        m_line_begins = true;
    }
    return std::nullopt;
}

// A structural byte outside strings; a record may end here.
inline std::optional<JsonRecordReader::Step> JsonRecordReader::structural_byte(std::size_t i,
                                                                               JsonRecord& record) {
    char ch = m_buf[i];
    if (m_line_begins) {
        m_line_begins = false;
        if (ch == '{' && m_array_depth == 0 && m_depth > 0) return cut_before(i);
    }
    switch (ch) {
        case '"':
            m_in_string = true;
            break;
        case '{':
        case '[':
            ++m_depth;
            break;
        case '}':
        case ']':
            if (m_scalar) return finish_record(i, record);
            if (--m_depth == 0) return finish_record(i + 1, record);
            break;
        case '\n':
            advance_newline(i);
            m_line_begins = true;
            if (m_scalar) return finish_record(i, record);
            break;
        case ',':
        case ' ':
        case '\t':
        case '\r':
            if (m_scalar) return finish_record(i, record);
            break;
        default:
            break;
    }
    return std::nullopt;
}

// Inside a record: scans what is buffered (this loop sees every byte of the input, so runs of
// ordinary bytes are skipped quickly).
inline std::optional<JsonRecordReader::Step> JsonRecordReader::scan_record(JsonRecord& record) {
    const char* b = m_buf.data();
    std::size_t i = m_pos;
    for (; i < m_end; ++i) {
        if (m_in_string) {
            if (!m_escaped) {
                i = skip_string_text(b, i, m_end);
                if (i == m_end) break;
            }
            if (auto s = string_byte(i, record)) return s;
            continue;
        }
        if (!m_line_begins) {
            while (i < m_end && !kStructural[static_cast<unsigned char>(b[i])]) ++i;
            if (i == m_end) break;
        }
        if (auto s = structural_byte(i, record)) return s;
    }
    m_pos = i;
    if (!m_oversized && m_pos - m_start > m_max_record) {
        m_oversized = true;
        set_problem(m_rec_line, m_rec_column,
                    "record larger than " + std::to_string(m_max_record >> 20) + " MiB; skipped");
        return Step::Problem;
    }
    return std::nullopt;
}

}  // namespace attest
