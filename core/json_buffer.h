// An append-only byte buffer for JSON output: growth without zero-filling and a raw write
// pointer, so the serializer reserves the worst case of a string once and then stores bytes
// without a capacity check per byte or per run (std::string::append costs one call each).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace attest {

class JsonBuffer {
public:
    // Makes room for `n` more bytes and returns where they go; finish with commit(end).
    char* reserve(std::size_t n) {
        if (m_cap - m_size < n) grow(n);
        return m_data.get() + m_size;
    }
    void commit(char* end) { m_size = static_cast<std::size_t>(end - m_data.get()); }

    void push_back(char c) {
        *reserve(1) = c;
        ++m_size;
    }
    void append(const char* p, std::size_t n) {
        std::memcpy(reserve(n), p, n);
        m_size += n;
    }
    void append(std::string_view s) { append(s.data(), s.size()); }

    const char* data() const { return m_data.get(); }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    void clear() { m_size = 0; }
    std::string_view view() const { return {m_data.get(), m_size}; }

private:
    void grow(std::size_t n) {
        std::size_t cap = m_cap < 4096 ? 4096 : m_cap * 2;
        while (cap - m_size < n) cap *= 2;
        std::unique_ptr<char[]> data(new char[cap]);
        if (m_size != 0) std::memcpy(data.get(), m_data.get(), m_size);
        m_data = std::move(data);
        m_cap = cap;
    }

    std::unique_ptr<char[]> m_data;
    std::size_t m_size = 0;
    std::size_t m_cap = 0;
};

}  // namespace attest
