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
#include <functional>
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

// A CSV export with a header row (Export-Csv, the Log Analytics portal): the header is read
// first (a leading `#TYPE` line of Export-Csv without -NoTypeInformation skipped), columns are
// found by name, and a row whose field count is not the header's is reported and skipped. The
// one place where the collectors' CSV inputs get their header and field-count handling.
//
// Positions in problems: the line where the row starts, and the 1-based field number where the
// row departs from the header (its first extra field, or the first missing one).
class CsvTable {
public:
    using Rename = std::function<std::string(std::string_view)>;

    // `rename` maps each header cell to the column name kept (e.g. without a zone suffix).
    explicit CsvTable(InputFile& input, Rename rename = {}, std::size_t max_record = 16u << 20);

    // Reads the header when not yet read. False (and no header) when the input has no record.
    template <class OnProblem>
    bool read_header(OnProblem&& problem) {
        if (m_have_header) return true;
        std::size_t n = 0;
        while (m_reader.next(m_fields, n, problem)) {
            if (n >= 1 && m_fields[0].rfind("#TYPE", 0) == 0) continue;
            take_header(n);
            return true;
        }
        return false;
    }

    // Reads the next row with the header's field count into fields(); other rows are reported
    // through `problem` (a CsvProblem) and skipped. False at the end.
    template <class OnProblem>
    bool next(OnProblem&& problem) {
        if (!read_header(problem)) return false;
        std::size_t n = 0;
        while (m_reader.next(m_fields, n, problem)) {
            if (n == m_header.size()) {
                m_fields.resize(n);  // drops the slots a wider row left
                return true;
            }
            problem(field_count_problem(n));
        }
        return false;
    }

    const std::vector<std::string>& header() const { return m_header; }
    // Index of the column named `name` (ASCII case-insensitive), or -1.
    int column(std::string_view name) const;
    // The current row's fields, one per header column (movable: refilled by next()).
    std::vector<std::string>& fields() { return m_fields; }

    std::uint64_t line() const { return m_reader.line(); }
    std::uint64_t offset() const { return m_reader.offset(); }
    std::string_view record_text() const { return m_reader.record_text(); }
    bool read_error() const { return m_reader.read_error(); }

private:
    void take_header(std::size_t n);
    CsvProblem field_count_problem(std::size_t n) const;

    CsvReader m_reader;
    Rename m_rename;
    std::vector<std::string> m_header;
    std::vector<std::string> m_fields;
    bool m_have_header = false;
};

}  // namespace attest
