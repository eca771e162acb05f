#include "core/line_reader.h"

#include <cstring>

namespace attest {

long refill_buffer(InputFile& input, std::string& buf, std::size_t keep_from, std::size_t& end,
                   std::size_t chunk) {
    return refill_buffer_from([&](char* out, std::size_t n) { return input.read(out, n); }, buf,
                              keep_from, end, chunk);
}

bool LineReader::fill() {
    if (m_eof) return false;
    // Compact: the unconsumed tail moves to the front.
    long n = refill_buffer(m_input, m_buf, m_pos, m_end, m_chunk);
    m_consumed += m_pos;
    m_pos = 0;
    if (n < 0) {
        m_error = true;
        m_eof = true;
        return false;
    }
    if (n == 0) {
        m_eof = true;
        return false;
    }
    return true;
}

bool LineReader::next(std::string_view& line) {
    m_too_long = false;
    std::size_t scan_from = m_pos;
    while (true) {
        const char* start = m_buf.data() + scan_from;
        const void* nl = std::memchr(start, '\n', m_end - scan_from);
        if (nl != nullptr) {
            std::size_t e = static_cast<std::size_t>(static_cast<const char*>(nl) - m_buf.data());
            std::size_t len = e - m_pos;
            if (len > 0 && m_buf[e - 1] == '\r') --len;
            line = std::string_view(m_buf.data() + m_pos, len);
            ++m_line_no;
            m_line_offset = m_consumed + m_pos;
            m_pos = e + 1;
            return true;
        }
        if (m_end - m_pos > m_max_line) {
            // Hand out the first max_line bytes; skip the rest of this line.
            m_too_long = true;
            ++m_line_no;
            m_line_offset = m_consumed + m_pos;
            std::string_view truncated(m_buf.data() + m_pos, m_max_line);
            // Discard until the next newline.
            std::string keep(truncated);
            while (true) {
                m_pos = m_end;
                if (!fill()) break;
                const void* nl2 = std::memchr(m_buf.data(), '\n', m_end);
                if (nl2 != nullptr) {
                    m_pos = static_cast<std::size_t>(static_cast<const char*>(nl2) - m_buf.data()) + 1;
                    break;
                }
            }
            m_overflow = std::move(keep);
            line = m_overflow;
            return true;
        }
        scan_from = m_end;
        std::size_t before = m_pos;
        if (!fill()) {
            if (m_end > m_pos) {
                line = std::string_view(m_buf.data() + m_pos, m_end - m_pos);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                ++m_line_no;
                m_line_offset = m_consumed + m_pos;
                m_pos = m_end;
                return true;
            }
            return false;
        }
        scan_from -= before - m_pos;  // fill() compacted the buffer
    }
}

}  // namespace attest
