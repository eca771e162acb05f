#include "collectors/json_stream.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/line_reader.h"
#include "core/utf8.h"

// 16 bytes at a time where SSE2 is there (every x86-64); the loads stay inside the text.
#if defined(__SSE2__)
#define ATTEST_SCAN_SSE2 1
#include <emmintrin.h>
#else
#define ATTEST_SCAN_SSE2 0
#endif

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
        if (m_pos == m_end) {
            if (m_oversized) m_start = m_pos;  // discard what was scanned
            if (!fill()) {
                if (m_in_record) {
                    m_in_record = false;
                    if (m_scalar && !m_in_string) {
                        m_in_record = true;
                        return finish_record(m_end, record);
                    }
                    bool was_oversized = m_oversized;
                    m_oversized = false;
                    if (was_oversized) continue;
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
            continue;
        }

        if (!m_in_record) {
            if (m_skipping_line) {
                const void* nl = std::memchr(m_buf.data() + m_pos, '\n', m_end - m_pos);
                if (nl == nullptr) {
                    m_pos = m_end;
                    continue;
                }
                std::size_t at =
                    static_cast<std::size_t>(static_cast<const char*>(nl) - m_buf.data());
                advance_newline(at);
                m_pos = at + 1;
                m_skipping_line = false;
                continue;
            }
            char c = m_buf[m_pos];
            switch (c) {
                case '\n':
                    advance_newline(m_pos);
                    ++m_pos;
                    continue;
                case ' ':
                case '\t':
                case '\r':
                    ++m_pos;
                    continue;
                case ',':
                    if (m_array_depth > 0) {
                        ++m_pos;
                        continue;
                    }
                    break;
                case ']':
                    if (m_array_depth > 0) {
                        m_array_depth = 0;
                        ++m_pos;
                        continue;
                    }
                    break;
                case '[':
                    if (m_array_depth == 0) {
                        m_array_depth = 1;
                        ++m_pos;
                        continue;
                    }
                    break;
                default:
                    break;
            }
            bool scalar_start =
                c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
            if (c == '{' || c == '[' || (m_array_depth > 0 && scalar_start)) {
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
                continue;
            }
            if (at_record_banner()) {
                m_skipping_line = true;
                continue;
            }
            set_problem(m_line, column_at(m_pos),
                        "unexpected " + describe_byte(c) +
                            " where a JSON record should start; skipped to the end of the line");
            m_skipping_line = true;
            return Step::Problem;
        }

        // Inside a record: scan what is buffered.
        const char* b = m_buf.data();
        std::size_t i = m_pos;
        for (; i < m_end; ++i) {
            // Skip runs of ordinary bytes quickly (this loop sees every byte of the input).
            if (m_in_string) {
                if (!m_escaped) {
                    i = skip_string_text(b, i, m_end);
                    if (i == m_end) break;
                }
            } else if (!m_line_begins) {
                while (i < m_end && !kStructural[static_cast<unsigned char>(b[i])]) ++i;
                if (i == m_end) break;
            }
            char ch = b[i];
            if (m_in_string) {
                if (m_escaped) {
                    m_escaped = false;
                } else if (ch == '\\') {
                    m_escaped = true;
                } else if (ch == '"') {
                    m_in_string = false;
                    if (m_scalar) return finish_record(i + 1, record);
                } else if (ch == '\n') {
                    advance_newline(i);
                    if (m_array_depth == 0) {
                        // A raw newline cannot be inside a JSON string: the line was cut.
                        m_pos = i + 1;
                        m_in_record = false;
                        m_in_string = false;
                        if (m_oversized) {
                            m_oversized = false;
                            return Step::Skipped;
                        }
                        set_problem(m_rec_line, m_rec_column,
                                    "record cut short (line ends inside a string); skipped");
                        return Step::Problem;
                    }
                    m_line_begins = true;
                }
                continue;
            }
            if (m_line_begins) {
                m_line_begins = false;
                if (ch == '{' && m_array_depth == 0 && m_depth > 0) {
                    // A new record starts in column 1 while this one is open: it was cut.
                    m_pos = i;
                    m_in_record = false;
                    if (m_oversized) {
                        m_oversized = false;
                        return Step::Skipped;
                    }
                    set_problem(m_rec_line, m_rec_column,
                                "record not terminated before the next one at line " +
                                    std::to_string(m_line) + "; skipped");
                    return Step::Problem;
                }
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
        }
        m_pos = i;
        if (!m_oversized && m_pos - m_start > m_max_record) {
            m_oversized = true;
            set_problem(
                m_rec_line, m_rec_column,
                "record larger than " + std::to_string(m_max_record >> 20) + " MiB; skipped");
            return Step::Problem;
        }
    }
}

namespace {

// A strict RFC 8259 parser that builds the Value directly. Why not nlohmann here: its lexer
// appends strings byte by byte and then the tree is converted again; this parser copies string
// spans and runs ~2x faster, which the collectors' 100 MB/s target needs. Recursive descent with
// an explicit depth cap (attacker-controlled input).
// The character a one-letter escape stands for, or 0 when `e` is not one.
char simple_escape(char e) {
    switch (e) {
        case '"':
            return '"';
        case '\\':
            return '\\';
        case '/':
            return '/';
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        default:
            return 0;
    }
}

class RecordParser {
public:
    RecordParser(std::string_view text, unsigned max_depth)
        : m_p(text.data()),
          m_begin(text.data()),
          m_end(text.data() + text.size()),
          m_max_depth(max_depth),
          m_members(scratch_members()),
          m_elements(scratch_elements()) {
        m_members.clear();  // a failed parse leaves entries behind
        m_elements.clear();
    }
    ~RecordParser() {
        release_if_grown(m_members);
        release_if_grown(m_elements);
    }
    RecordParser(const RecordParser&) = delete;
    RecordParser& operator=(const RecordParser&) = delete;

    bool parse(Value& out) {
        skip_ws();
        if (!value(out, 0)) return false;
        skip_ws();
        if (m_p != m_end) return fail("unexpected text after the JSON value");
        return true;
    }

    std::string m_error;
    std::size_t m_error_offset = 0;

private:
    bool fail(const char* message) {
        if (m_error.empty()) {
            m_error = message;
            m_error_offset = static_cast<std::size_t>(m_p - m_begin);
        }
        return false;
    }
    void skip_ws() {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) ++m_p;
    }
    bool literal(const char* word, std::size_t n) {
        if (static_cast<std::size_t>(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
            return fail("invalid literal");
        m_p += n;
        return true;
    }

    bool value(Value& out, unsigned depth) {
        if (m_p >= m_end) return fail("unexpected end of input, expected a value");
        switch (*m_p) {
            case '{':
                return object(out, depth + 1);
            case '[':
                return array(out, depth + 1);
            case '"': {
                out = Value(std::string());
                return string(out.as_string());
            }
            case 't':
                if (!literal("true", 4)) return false;
                out = Value(true);
                return true;
            case 'f':
                if (!literal("false", 5)) return false;
                out = Value(false);
                return true;
            case 'n':
                if (!literal("null", 4)) return false;
                out = Value();
                return true;
            default:
                return number(out);
        }
    }

    // Members and elements are collected on one stack shared by every nesting level and moved
    // into an exactly sized vector when their object or array closes: no regrowth per member.
    bool object(Value& out, unsigned depth) {
        if (depth > m_max_depth) return fail("nesting too deep");
        ++m_p;  // '{'
        const std::size_t base = m_members.size();
        skip_ws();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            out = Value::object();
            return true;
        }
        while (true) {
            skip_ws();
            if (m_p >= m_end || *m_p != '"') return fail("expected a string key in an object");
            m_members.emplace_back();
            if (!string(m_members.back().key)) return false;
            skip_ws();
            if (m_p >= m_end || *m_p != ':') return fail("expected ':' after an object key");
            ++m_p;
            skip_ws();
            if (!nested_value(m_members, depth)) return false;
            skip_ws();
            if (m_p >= m_end) return fail("unexpected end of input in an object");
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p == '}') {
                ++m_p;
                out = Value(take(m_members, base));
                return true;
            }
            return fail("expected ',' or '}' in an object");
        }
    }

    bool array(Value& out, unsigned depth) {
        if (depth > m_max_depth) return fail("nesting too deep");
        ++m_p;  // '['
        const std::size_t base = m_elements.size();
        skip_ws();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            out = Value::array();
            return true;
        }
        while (true) {
            skip_ws();
            m_elements.emplace_back();
            if (!nested_value(m_elements, depth)) return false;
            skip_ws();
            if (m_p >= m_end) return fail("unexpected end of input in an array");
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p == ']') {
                ++m_p;
                out = Value(take(m_elements, base));
                return true;
            }
            return fail("expected ',' or ']' in an array");
        }
    }

    // Parses a value into the stack's last entry. A scalar goes there directly; an object or
    // array is built aside first, since its own entries may move the stack.
    template <class T>
    bool nested_value(std::vector<T>& stack, unsigned depth) {
        auto slot = [&]() -> Value& {
            if constexpr (std::is_same_v<T, Member>)
                return stack.back().value;
            else
                return stack.back();
        };
        if (m_p < m_end && (*m_p == '{' || *m_p == '[')) {
            Value v;
            if (!value(v, depth)) return false;
            slot() = std::move(v);
            return true;
        }
        return value(slot(), depth);
    }

    // The stack's entries from `base` on, moved out; the stack shrinks back to `base`.
    template <class T>
    static std::vector<T> take(std::vector<T>& stack, std::size_t base) {
        std::vector<T> out;
        out.reserve(stack.size() - base);
        for (std::size_t i = base; i < stack.size(); ++i) out.push_back(std::move(stack[i]));
        stack.resize(base);
        return out;
    }

    bool hex4(unsigned& out) {
        if (m_end - m_p < 4) return fail("truncated \\u escape");
        out = 0;
        for (int i = 0; i < 4; ++i) {
            char c = m_p[i];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<unsigned>(c - 'A' + 10);
            else
                return fail("invalid \\u escape");
            out = out * 16 + d;
        }
        m_p += 4;
        return true;
    }

    // Advances m_p to the next byte a string must look at: '"', '\\' or a control character.
    void skip_plain() {
#if ATTEST_SCAN_SSE2
        const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
        const __m128i control_max = _mm_set1_epi8(0x1F);
        while (m_end - m_p >= 16) {
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_p));
            __m128i hit =
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                             _mm_cmpeq_epi8(_mm_max_epu8(v, control_max), control_max));
            auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
            if (mask != 0) {
                m_p += __builtin_ctz(mask);
                return;
            }
            m_p += 16;
        }
#endif
        while (m_p < m_end) {
            auto c = static_cast<unsigned char>(*m_p);
            if (c == '"' || c == '\\' || c < 0x20) break;
            ++m_p;
        }
    }

    bool string(std::string& s) {
        ++m_p;  // opening quote
        while (true) {
            const char* start = m_p;
            skip_plain();
            s.append(start, static_cast<std::size_t>(m_p - start));
            if (m_p >= m_end) return fail("unterminated string");
            char c = *m_p;
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c != '\\') return fail("control character in a string");
            ++m_p;
            if (m_p >= m_end) return fail("unterminated string");
            char e = *m_p++;
            if (char plain = simple_escape(e)) {
                s.push_back(plain);
                continue;
            }
            switch (e) {
                case 'u': {
                    unsigned cp;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF && m_end - m_p >= 6 && m_p[0] == '\\' &&
                        m_p[1] == 'u') {
                        const char* save = m_p;
                        m_p += 2;
                        unsigned lo;
                        if (!hex4(lo)) return false;
                        if (lo >= 0xDC00 && lo <= 0xDFFF) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else {
                            m_p = save;
                            cp = 0xFFFD;
                        }
                    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                        cp = 0xFFFD;  // lone surrogate
                    }
                    append_utf8(s, cp);
                    break;
                }
                default:
                    --m_p;
                    return fail("invalid escape in a string");
            }
        }
    }

    bool number(Value& out) {
        const char* start = m_p;
        if (m_p < m_end && *m_p == '-') ++m_p;
        if (m_p >= m_end || *m_p < '0' || *m_p > '9') {
            m_p = start;
            return fail("invalid value");
        }
        if (*m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
        }
        bool integral = true;
        if (m_p < m_end && *m_p == '.') {
            integral = false;
            ++m_p;
            if (m_p >= m_end || *m_p < '0' || *m_p > '9') return fail("invalid number");
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            integral = false;
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
            if (m_p >= m_end || *m_p < '0' || *m_p > '9') return fail("invalid number");
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
        }
        std::string_view text(start, static_cast<std::size_t>(m_p - start));
        if (integral) {  // an integer that fits 64 bits stays one, as JSON writers meant it
            std::int64_t v = 0;
            auto r = std::from_chars(text.data(), text.data() + text.size(), v);
            if (r.ec == std::errc()) {
                out = Value(v);
                return true;
            }
        }
        out = Value(std::strtod(std::string(text).c_str(), nullptr));
        return true;
    }

    const char* m_p;
    const char* m_begin;
    const char* m_end;
    unsigned m_max_depth;
    // Reused from record to record, so their capacity is allocated once; a stack grown by an
    // unusually wide record is released after it, so memory stays flat.
    static constexpr std::size_t kKeptCapacity = 4096;
    template <class T>
    static void release_if_grown(std::vector<T>& stack) {
        if (stack.capacity() > kKeptCapacity) std::vector<T>().swap(stack);
    }
    static std::vector<Member>& scratch_members() {
        thread_local std::vector<Member> stack;
        return stack;
    }
    static std::vector<Value>& scratch_elements() {
        thread_local std::vector<Value> stack;
        return stack;
    }
    std::vector<Member>& m_members;
    std::vector<Value>& m_elements;
};

}  // namespace

bool parse_json_record(std::string_view text, Value& out, std::string& error,
                       std::size_t& error_offset, unsigned max_depth) {
    RecordParser parser(text, max_depth);
    if (!parser.parse(out)) {
        error = parser.m_error;
        error_offset = parser.m_error_offset;
        return false;
    }
    return true;
}

void record_position(std::string_view text, std::size_t offset, std::uint64_t line,
                     std::uint64_t column, std::uint64_t& out_line, std::uint64_t& out_column) {
    if (offset > text.size()) offset = text.size();
    out_line = line;
    out_column = column;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++out_line;
            out_column = 1;
        } else {
            ++out_column;
        }
    }
}

}  // namespace attest
