// Streams lines from an InputFile through one reused buffer (no per-line allocation).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/input.h"

namespace attest {

// The one refill step of the streaming readers (lines, CSV, JSON records): drops the bytes
// of `buf` before `keep_from` (moving [keep_from, end) to the front and lowering `end` by
// keep_from; the caller shifts its own positions by the same amount), then appends up to
// `chunk` bytes read from `input`. Returns the bytes read: 0 at the end, -1 on a read error.
long refill_buffer(InputFile& input, std::string& buf, std::size_t keep_from, std::size_t& end,
                   std::size_t chunk);
// The same step with a reader of the caller's (`read(char*, size) -> long`, e.g. a decoder in
// front of the file).
template <class Read>
long refill_buffer_from(Read&& read, std::string& buf, std::size_t keep_from, std::size_t& end,
                        std::size_t chunk) {
    if (keep_from > 0) {
        std::char_traits<char>::move(buf.data(), buf.data() + keep_from, end - keep_from);
        end -= keep_from;
    }
    if (buf.size() < end + chunk) buf.resize(end + chunk);
    long n = read(buf.data() + end, buf.size() - end);
    if (n > 0) end += static_cast<std::size_t>(n);
    return n;
}

class LineReader {
public:
    explicit LineReader(InputFile& input, std::size_t chunk = 1 << 20,
                        std::size_t max_line = std::size_t(1) << 30)
        : m_input(input), m_chunk(chunk), m_max_line(max_line) {}

    // Next line without its terminator ("\n" or "\r\n"). Returns false at the end. The view
    // stays valid until the next call. A line longer than max_line is returned truncated to
    // max_line bytes with too_long() set; the rest of it is skipped.
    bool next(std::string_view& line);
    std::uint64_t line_number() const { return m_line_no; }  // 1-based, of the last line
    std::uint64_t line_offset() const { return m_line_offset; }  // byte offset of its start
    bool too_long() const { return m_too_long; }
    bool read_error() const { return m_error; }

private:
    bool fill();

    InputFile& m_input;
    std::size_t m_chunk;
    std::size_t m_max_line;
    std::string m_buf;
    std::size_t m_pos = 0;   // start of unconsumed data in m_buf
    std::size_t m_end = 0;   // end of valid data in m_buf
    std::uint64_t m_consumed = 0;  // bytes before m_buf[0]
    std::uint64_t m_line_no = 0;
    std::uint64_t m_line_offset = 0;
    bool m_eof = false;
    bool m_error = false;
    bool m_too_long = false;
    std::string m_overflow;
};

}  // namespace attest
