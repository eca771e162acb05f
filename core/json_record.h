// attest's JSON parser: strict RFC 8259, straight into a Value (member order kept), string spans
// copied at once and nesting capped (the input is attacker-controlled). Everything that parses
// JSON in bulk goes through it: the JSON collectors (per record, collectors/json_stream.h) and
// Elasticsearch answers (net/, search pages of thousands of documents).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/value.h"

namespace attest {

// Parses one JSON text into a Value (member order kept) with nesting limited to `max_depth`.
// On failure returns false and sets `error` and the 0-based byte offset of the problem.
bool parse_json_record(std::string_view text, Value& out, std::string& error,
                       std::size_t& error_offset, unsigned max_depth = 128);

// 1-based line and column of `offset` within a record that starts at (line, column).
void record_position(std::string_view text, std::size_t offset, std::uint64_t line,
                     std::uint64_t column, std::uint64_t& out_line, std::uint64_t& out_column);

}  // namespace attest
