// Input files: opened once, read sequentially in chunks (streaming) or by offset (pread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/expected.h"

namespace attest {

class InputFile {
public:
    InputFile() = default;
    ~InputFile();
    InputFile(InputFile&& other) noexcept;
    InputFile& operator=(InputFile&& other) noexcept;
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    // Opens `path` ("-" is standard input). The first bytes are read ahead for format
    // detection and are still returned by read().
    static Expected<InputFile> open(const std::string& path);
    // Opens a regular file from byte `offset` on (what a growing log gained since the last
    // read): size() and head() then describe the bytes from the offset.
    static Expected<InputFile> open(const std::string& path, std::uint64_t offset);

    const std::string& path() const { return m_path; }
    // The first bytes of the file (up to 64 KiB), for format detection.
    std::string_view head() const { return m_head; }
    // Size in bytes, or -1 when unknown (a pipe).
    std::int64_t size() const { return m_size; }
    int fd() const { return m_fd; }
    bool seekable() const { return m_size >= 0; }

    // Sequential read; returns bytes read, 0 at end, -1 on error (errno set).
    long read(char* buf, std::size_t n);
    // Positional read (seekable files only).
    long pread(char* buf, std::size_t n, std::uint64_t offset) const;

private:
    std::string m_path;
    std::string m_head;
    std::size_t m_head_pos = 0;  // how much of m_head read() has handed out
    std::int64_t m_size = -1;
    int m_fd = -1;
    bool m_owns_fd = false;
};

}  // namespace attest
