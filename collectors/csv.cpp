#include "collectors/csv.h"

#include <algorithm>
#include <cstring>

#include "core/line_reader.h"
#include "core/text.h"

namespace attest {

namespace {
constexpr std::size_t kChunk = 1 << 20;
}

bool head_is_csv(std::string_view head) {
    if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
    std::size_t p = head.find_first_not_of(" \t\r\n");
    return p != std::string_view::npos && head[p] != '{' && head[p] != '[';
}

CsvReader::CsvReader(InputFile& input, std::size_t max_record)
    : m_input(input), m_max_record(max_record) {}

bool CsvReader::fill() {
    if (m_eof) return false;
    std::size_t keep_from = m_in_record && !m_oversized ? m_start : m_pos;
    long n = refill_buffer(m_input, m_buf, keep_from, m_end, kChunk);
    m_consumed += keep_from;
    m_pos -= keep_from;
    m_start = m_start >= keep_from ? m_start - keep_from : 0;
    if (n <= 0) {
        if (n < 0) m_read_error = true;
        m_eof = true;
        return false;
    }
    if (!m_bom_checked) {
        m_bom_checked = true;
        if (m_consumed == 0 && m_end >= 3 && std::memcmp(m_buf.data(), "\xEF\xBB\xBF", 3) == 0)
            m_pos = m_start = 3;
    }
    return true;
}

CsvReader::Step CsvReader::step(std::vector<std::string>& fields, std::size_t& field_count) {
    while (true) {
        if (m_pos == m_end && !fill()) {
            if (!m_in_record) return Step::End;
            m_in_record = false;
            if (m_oversized) {
                m_oversized = false;
                continue;
            }
            if (m_in_quotes) {
                m_in_quotes = false;
                m_problem = {m_rec_line, 1,
                             "quoted field opened in this record is never closed (broken quote); "
                             "record skipped"};
                return Step::Problem;
            }
            // Last record without a newline.
            std::string_view rec(m_buf.data() + m_start, m_end - m_start);
            if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
            if (rec.empty()) return Step::End;
            field_count = split(rec, fields);
            m_rec_text = rec;
            return Step::Record;
        }
        if (!m_in_record) {
            m_in_record = true;
            m_in_quotes = false;
            m_start = m_pos;
            m_rec_line = m_line;
            m_rec_offset = m_consumed + m_pos;
        }
        const char* b = m_buf.data();
        std::size_t i = m_pos;
        bool ended = false;
        for (; i < m_end; ++i) {
            char c = b[i];
            if (c == '"') {
                m_in_quotes = !m_in_quotes;
            } else if (c == '\n') {
                ++m_line;
                if (!m_in_quotes) {
                    ended = true;
                    break;
                }
            }
        }
        if (!ended) {
            m_pos = i;
            if (!m_oversized && m_pos - m_start > m_max_record) {
                m_oversized = true;
                m_problem = {m_rec_line, 1,
                             "record larger than " + std::to_string(m_max_record >> 20) +
                                 " MiB (or a broken quote); skipped"};
                return Step::Problem;
            }
            if (m_oversized) m_start = m_pos;
            continue;
        }
        m_pos = i + 1;
        m_in_record = false;
        if (m_oversized) {
            // The oversized record ends here; its bytes were not kept.
            m_oversized = false;
            continue;
        }
        if (i - m_start > m_max_record) {  // ended within the bytes already buffered
            m_problem = {m_rec_line, 1,
                         "record larger than " + std::to_string(m_max_record >> 20) +
                             " MiB (or a broken quote); skipped"};
            return Step::Problem;
        }
        std::string_view rec(b + m_start, i - m_start);
        if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
        if (rec.empty()) continue;  // blank line
        field_count = split(rec, fields);
        m_rec_text = rec;
        return Step::Record;
    }
}

std::size_t CsvReader::split(std::string_view rec, std::vector<std::string>& fields) {
    std::size_t n = 0;
    std::size_t i = 0;
    while (true) {
        if (fields.size() <= n) fields.emplace_back();
        std::string& f = fields[n++];
        f.clear();
        if (i < rec.size() && rec[i] == '"') {
            ++i;
            while (i < rec.size()) {
                std::size_t q = rec.find('"', i);
                if (q == std::string_view::npos) {
                    f.append(rec.substr(i));
                    i = rec.size();
                    break;
                }
                f.append(rec.substr(i, q - i));
                if (q + 1 < rec.size() && rec[q + 1] == '"') {
                    f.push_back('"');
                    i = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            // Lenient: text after a closing quote (`"a"b`) is kept as part of the field.
            std::size_t comma = rec.find(',', i);
            std::size_t stop = comma == std::string_view::npos ? rec.size() : comma;
            f.append(rec.substr(i, stop - i));
            i = stop;
        } else {
            std::size_t comma = rec.find(',', i);
            std::size_t stop = comma == std::string_view::npos ? rec.size() : comma;
            f.append(rec.substr(i, stop - i));
            i = stop;
        }
        if (i >= rec.size()) break;
        ++i;                    // the comma
        if (i == rec.size()) {  // trailing comma: one more empty field
            if (fields.size() <= n) fields.emplace_back();
            fields[n++].clear();
            break;
        }
    }
    return n;
}

CsvTable::CsvTable(InputFile& input, Rename rename, std::size_t max_record)
    : m_reader(input, max_record), m_rename(std::move(rename)) {}

void CsvTable::take_header(std::size_t n) {
    m_have_header = true;
    m_header.clear();
    for (std::size_t i = 0; i < n; ++i)
        m_header.push_back(m_rename ? m_rename(m_fields[i]) : m_fields[i]);
}

int CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < m_header.size(); ++i)
        if (iequals(m_header[i], name)) return static_cast<int>(i);
    return -1;
}

CsvProblem CsvTable::field_count_problem(std::size_t n) const {
    std::size_t at = std::min(n, m_header.size()) + 1;
    return {m_reader.line(), at,
            "row has " + std::to_string(n) + " fields, the header " +
                std::to_string(m_header.size()) + " (broken quote?); row skipped"};
}

}  // namespace attest
