#include "collectors/json_stream.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace attest {

namespace {
constexpr std::size_t kChunk = 1 << 20;

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
}

bool JsonRecordReader::fill() {
    if (m_eof) return false;
    std::size_t keep_from = m_in_record ? m_start : m_pos;
    if (keep_from > 0) {
        std::memmove(m_buf.data(), m_buf.data() + keep_from, m_end - keep_from);
        m_consumed += keep_from;
        m_pos -= keep_from;
        m_end -= keep_from;
        m_start -= keep_from;
    }
    if (m_buf.size() < m_end + kChunk) m_buf.resize(m_end + kChunk);
    long n = m_input.read(m_buf.data() + m_end, m_buf.size() - m_end);
    if (n <= 0) {
        if (n < 0) m_read_error = true;
        m_eof = true;
        return false;
    }
    m_end += static_cast<std::size_t>(n);
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
                std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - m_buf.data());
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
                default: break;
            }
            bool scalar_start = c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
                                c == 'f' || c == 'n';
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
                case '"': m_in_string = true; break;
                case '{':
                case '[': ++m_depth; break;
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
                default: break;
            }
        }
        m_pos = i;
        if (!m_oversized && m_pos - m_start > m_max_record) {
            m_oversized = true;
            set_problem(m_rec_line, m_rec_column,
                        "record larger than " + std::to_string(m_max_record >> 20) +
                            " MiB; skipped");
            return Step::Problem;
        }
    }
}

namespace {

// Builds a Value straight from nlohmann's SAX events (no intermediate json tree).
class ValueSax {
public:
    explicit ValueSax(unsigned max_depth) : m_max_depth(max_depth) {}

    bool null() { return add(Value()); }
    bool boolean(bool b) { return add(Value(b)); }
    bool number_integer(std::int64_t v) { return add(Value(v)); }
    bool number_unsigned(std::uint64_t v) {
        if (v > static_cast<std::uint64_t>(INT64_MAX)) return add(Value(static_cast<double>(v)));
        return add(Value(static_cast<std::int64_t>(v)));
    }
    bool number_float(double v, const std::string&) { return add(Value(v)); }
    bool string(std::string& s) { return add(Value(std::move(s))); }
    bool binary(nlohmann::json::binary_t&) { return add(Value()); }
    bool start_object(std::size_t) { return open(Value::object()); }
    bool key(std::string& k) {
        m_keys.push_back(std::move(k));
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(Value::array()); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) {
        m_error_offset = position == 0 ? 0 : position - 1;
        std::string what = ex.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..."
        auto p = what.find(": ");
        m_error = p == std::string::npos ? what : what.substr(p + 2);
        return false;
    }

    Value m_result;
    std::string m_error;
    std::size_t m_error_offset = 0;
    bool m_too_deep = false;

private:
    bool open(Value v) {
        if (m_stack.size() >= m_max_depth) {
            m_too_deep = true;
            m_error = "nesting deeper than " + std::to_string(m_max_depth) + " levels";
            return false;
        }
        m_stack.push_back(std::move(v));
        return true;
    }
    bool close() {
        Value v = std::move(m_stack.back());
        m_stack.pop_back();
        return add(std::move(v));
    }
    bool add(Value v) {
        if (m_stack.empty()) {
            m_result = std::move(v);
            return true;
        }
        Value& top = m_stack.back();
        if (top.is_array()) {
            top.as_array().push_back(std::move(v));
        } else {
            top.as_object().push_back(Member{std::move(m_keys.back()), std::move(v)});
            m_keys.pop_back();
        }
        return true;
    }

    unsigned m_max_depth;
    std::vector<Value> m_stack;
    std::vector<std::string> m_keys;
};

}  // namespace

bool parse_json_record(std::string_view text, Value& out, std::string& error,
                       std::size_t& error_offset, unsigned max_depth) {
    ValueSax sax(max_depth);
    bool ok = false;
    try {
        ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
    } catch (const std::exception& e) {
        sax.m_error = e.what();
        ok = false;
    }
    if (!ok) {
        error = sax.m_error.empty() ? "invalid JSON" : sax.m_error;
        error_offset = sax.m_error_offset;
        return false;
    }
    out = std::move(sax.m_result);
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
