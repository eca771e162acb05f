// Streaming CSV record reader (RFC 4180: quoted fields, doubled quotes, records spanning lines
// inside quotes, CRLF or LF), used for `Search-UnifiedAuditLog | Export-Csv` files.
//
// A record is first delimited by scanning for a newline outside quotes (quote parity), with
// the record kept whole in one reused buffer; its fields are then split in a second pass. A
// broken quote makes the parity swallow following lines: the `max_record` bound turns that into
// one reported, skipped record instead of unbounded memory, and a quote left open at the end of
// the input is reported with the position where the record started.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/input.h"

namespace attest {

struct CsvProblem {
    std::uint64_t line = 0;
    std::uint64_t column = 0;
    std::string message;
};

// Whether a head is CSV rather than JSON: its first non-blank byte (after a UTF-8 BOM) opens
// neither an object nor an array. For the collectors that read both forms of one export.
bool head_is_csv(std::string_view head);

class CsvReader {
public:
    explicit CsvReader(InputFile& input, std::size_t max_record = 16u << 20);

    // Reads the next non-empty record into `fields` (strings reused between calls). Returns
    // false at the end. A record that cannot be read is reported through `problem` and skipped.
    template <class OnProblem>
    bool next(std::vector<std::string>& fields, std::size_t& field_count, OnProblem&& problem) {
        while (true) {
            Step s = step(fields, field_count);
            if (s == Step::Record) return true;
            if (s == Step::End) return false;
            problem(m_problem);
        }
    }

    std::uint64_t line() const { return m_rec_line; }      // 1-based line of the record start
    std::uint64_t offset() const { return m_rec_offset; }  // byte offset of the record start
    // The last record's text as it stands in the file, quotes and all (valid until next()).
    std::string_view record_text() const { return m_rec_text; }
    bool read_error() const { return m_read_error; }

    // Splits one record's text (no terminator) into fields; exposed for tests.
    static std::size_t split(std::string_view record, std::vector<std::string>& fields);

private:
    enum class Step { Record, Problem, End };
    Step step(std::vector<std::string>& fields, std::size_t& field_count);
    bool fill();

    InputFile& m_input;
    std::size_t m_max_record;
    std::string m_buf;
    std::size_t m_pos = 0, m_end = 0, m_start = 0;
    std::uint64_t m_consumed = 0;
    std::uint64_t m_line = 1;  // line at m_pos
    std::uint64_t m_rec_line = 1, m_rec_offset = 0, m_rec_lines = 0;
    bool m_in_record = false, m_in_quotes = false, m_oversized = false;
    bool m_eof = false, m_read_error = false, m_bom_checked = false;
    CsvProblem m_problem;
    std::string_view m_rec_text;
};

}  // namespace attest
