// UTF-8 encoding of one code point, shared by every reader that decodes escapes or UTF-16,
// and validation of one sequence, shared by the JSON writer and the XML reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace attest {

// Appends the UTF-8 encoding of `cp` (callers pass Unicode scalar values; surrogates and
// values above U+10FFFF are the caller's to reject or replace).
inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when it is not one:
// a bad lead or continuation byte, a cut sequence, an overlong form, a surrogate or a value
// above U+10FFFF.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

}  // namespace attest

namespace attest {

// Streaming UTF-16 (LE or BE) to UTF-8: units may be split across chunks (an odd byte or a
// high surrogate waits for the next call); unpaired surrogates become U+FFFD.
class Utf16Decoder {
public:
    explicit Utf16Decoder(bool big_endian = false) : m_be(big_endian) {}

    void decode(const char* data, std::size_t n, std::string& out) {
        const auto* p = reinterpret_cast<const unsigned char*>(data);
        std::size_t i = 0;
        if (m_has_odd && n > 0) {
            unit(m_be ? (std::uint32_t(m_odd) << 8 | p[0]) : (std::uint32_t(p[0]) << 8 | m_odd),
                 out);
            m_has_odd = false;
            i = 1;
        }
        for (; i + 1 < n; i += 2)
            unit(m_be ? (std::uint32_t(p[i]) << 8 | p[i + 1])
                      : (std::uint32_t(p[i + 1]) << 8 | p[i]),
                 out);
        if (i < n) {
            m_odd = p[i];
            m_has_odd = true;
        }
    }
    // At the end of input: a dangling half unit or surrogate becomes U+FFFD.
    void finish(std::string& out) {
        if (m_pending_high != 0 || m_has_odd) append_utf8(out, 0xFFFD);
        m_pending_high = 0;
        m_has_odd = false;
    }

private:
    void unit(std::uint32_t u, std::string& out) {
        if (m_pending_high != 0) {
            std::uint32_t high = m_pending_high;
            m_pending_high = 0;
            if (u >= 0xDC00 && u <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
                return;
            }
            append_utf8(out, 0xFFFD);
        }
        if (u >= 0xD800 && u <= 0xDBFF)
            m_pending_high = u;
        else if (u >= 0xDC00 && u <= 0xDFFF)
            append_utf8(out, 0xFFFD);
        else
            append_utf8(out, u);
    }

    bool m_be;
    bool m_has_odd = false;
    unsigned char m_odd = 0;
    std::uint32_t m_pending_high = 0;
};

}  // namespace attest
