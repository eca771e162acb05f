// Streaming JSON record reader shared by the JSON collectors (o365, mde, winevent_json, otrf,
// sentinel, winlogbeat). UTF-8 (BOM optional) or UTF-16 (BOM, or "{\0" / "[\0") input.
//
// Telemetry exports come as a JSON array of records (Management Activity API content,
// ConvertTo-Json), as records one per line (NDJSON), as one object, or as pretty-printed objects
// one after the other. JsonRecordReader finds the boundaries of each top-level record (or of each
// element of a top-level array) with a small incremental scanner, so a 1 GB array never sits in
// memory; each record's text is then parsed on its own by parse_json_record() (a strict RFC 8259
// parser straight into a Value).
//
// Recovery, because telemetry is attacker-controlled and files get truncated:
// - a record larger than `max_record` bytes is reported and skipped (its bytes are not kept);
// - outside a top-level array, a line that starts with '{' in column 1 while a record is still
//   open means the open record was truncated (NDJSON with a cut line): it is reported and the
//   scan restarts at the new line. Pretty-printed nested objects are always indented, so this
//   does not split valid input;
// - a raw newline inside a string (invalid JSON) outside an array is treated the same way;
// - garbage between records is reported once per line and skipped to the next line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/input.h"
#include "core/json_record.h"
#include "core/utf8.h"
#include "core/value.h"

namespace attest {

struct JsonRecord {
    std::string_view text;     // the record's JSON text (valid until the next call)
    std::uint64_t line = 1;    // 1-based line of its first byte
    std::uint64_t column = 1;  // 1-based byte column of its first byte
    std::uint64_t offset = 0;  // byte offset of its first byte
};

struct JsonStreamProblem {
    std::uint64_t line = 0;
    std::uint64_t column = 0;
    std::string message;
    bool skipped = true;  // false: a note that skipped nothing (an unclosed top-level array)
};

class JsonRecordReader {
public:
    explicit JsonRecordReader(InputFile& input, std::size_t max_record = 16u << 20);

    // Next record. Returns false at the end. Problems found while scanning (skipped bytes,
    // truncated or oversized records) are handed to `problem` before the call returns; each
    // of them means one record (or one stretch of garbage) was skipped.
    template <class OnProblem>
    bool next(JsonRecord& record, OnProblem&& problem) {
        while (true) {
            Step s = step(record);
            if (s == Step::Record) return true;
            if (s == Step::Skipped) continue;
            if (s == Step::End) {
                if (m_has_problem) {
                    m_has_problem = false;
                    problem(m_problem);
                }
                return false;
            }
            // Step::Problem
            m_has_problem = false;
            problem(m_problem);
        }
    }

    // Skip `evtx_dump -o json` "Record <id>" lines between records instead of reporting them.
    void skip_record_banners() { m_skip_record_banners = true; }

    bool read_error() const { return m_read_error; }
    bool in_array() const { return m_array_depth > 0; }

private:
    enum class Step { Record, Problem, Skipped, End };
    // One step of the scan; the parts below return nullopt to go on scanning.
    Step step(JsonRecord& record);
    std::optional<Step> refill(JsonRecord& record);
    std::optional<Step> between_records();
    std::optional<Step> scan_record(JsonRecord& record);
    [[gnu::always_inline]] std::optional<Step> string_byte(std::size_t i, JsonRecord& record);
    [[gnu::always_inline]] std::optional<Step> structural_byte(std::size_t i, JsonRecord& record);
    void skip_line();
    bool skip_separator(char c);
    void open_record(char c);
    Step drop_record(std::string message);
    [[gnu::cold]] Step cut_in_string(std::size_t i);
    [[gnu::cold]] Step cut_before(std::size_t i);
    Step finish_record(std::size_t end, JsonRecord& record);
    bool fill();
    long read_utf8(char* out, std::size_t n);
    bool at_record_banner() const;
    void set_problem(std::uint64_t line, std::uint64_t column, std::string message);
    void advance_newline(std::size_t at);
    std::uint64_t column_at(std::size_t at) const;

    InputFile& m_input;
    std::size_t m_max_record;
    std::string m_buf;
    std::size_t m_pos = 0;           // scan position
    std::size_t m_end = 0;           // end of valid data
    std::size_t m_start = 0;         // start of the open record (or m_pos when none)
    std::uint64_t m_consumed = 0;    // bytes dropped before m_buf[0]
    std::uint64_t m_line = 1;        // line of m_pos
    std::uint64_t m_line_start = 0;  // absolute offset of the start of line m_line
    bool m_eof = false;
    bool m_read_error = false;
    bool m_skip_bom = false;
    bool m_skipping_line = false;  // garbage between records: skip to the next line

    int m_array_depth = 0;  // 1 inside a top-level array
    // Open record state.
    bool m_in_record = false;
    bool m_scalar = false;  // a bare scalar element of an array
    bool m_in_string = false;
    bool m_escaped = false;
    bool m_oversized = false;    // bytes are being discarded
    bool m_line_begins = false;  // m_pos is the first byte of a line inside the record
    std::uint32_t m_depth = 0;
    std::uint64_t m_rec_line = 0, m_rec_column = 0, m_rec_offset = 0;

    bool m_has_problem = false;
    JsonStreamProblem m_problem;

    bool m_skip_record_banners = false;
    std::optional<Utf16Decoder> m_utf16;  // set when the input is UTF-16
    std::size_t m_utf16_skip = 0;         // BOM bytes still to drop
    std::string m_raw, m_decoded;
    std::size_t m_decoded_pos = 0;
};

}  // namespace attest
