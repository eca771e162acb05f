#include "core/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace attest {

InputFile::~InputFile() {
    if (m_owns_fd && m_fd >= 0) ::close(m_fd);
}

InputFile::InputFile(InputFile&& o) noexcept
    : m_path(std::move(o.m_path)), m_head(std::move(o.m_head)), m_head_pos(o.m_head_pos),
      m_size(o.m_size), m_fd(o.m_fd), m_owns_fd(o.m_owns_fd) {
    o.m_fd = -1;
    o.m_owns_fd = false;
}

InputFile& InputFile::operator=(InputFile&& o) noexcept {
    if (this != &o) {
        if (m_owns_fd && m_fd >= 0) ::close(m_fd);
        m_path = std::move(o.m_path);
        m_head = std::move(o.m_head);
        m_head_pos = o.m_head_pos;
        m_size = o.m_size;
        m_fd = o.m_fd;
        m_owns_fd = o.m_owns_fd;
        o.m_fd = -1;
        o.m_owns_fd = false;
    }
    return *this;
}

Expected<InputFile> InputFile::open(const std::string& path) {
    return open(path, 0);
}

Expected<InputFile> InputFile::open(const std::string& path, std::uint64_t offset) {
    InputFile f;
    f.m_path = path;
    if (path == "-") {
        f.m_fd = 0;
        f.m_path = "<stdin>";
    } else {
        f.m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (f.m_fd < 0) return make_error(path + ": cannot open: " + std::strerror(errno));
        f.m_owns_fd = true;
    }
    struct stat st {};
    if (::fstat(f.m_fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return make_error(path + ": is a directory");
        if (S_ISREG(st.st_mode)) f.m_size = st.st_size;
    }
    if (offset > 0) {
        if (f.m_size < 0)
            return make_error(path + ": cannot start at byte " + std::to_string(offset) +
                              " of a stream");
        std::int64_t start = std::min<std::int64_t>(static_cast<std::int64_t>(offset), f.m_size);
        if (::lseek(f.m_fd, start, SEEK_SET) < 0)
            return make_error(path + ": cannot seek: " + std::strerror(errno));
        f.m_size -= start;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    if (f.m_size >= 0) ::posix_fadvise(f.m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    // Read ahead the head for detection.
    f.m_head.resize(64 * 1024);
    std::size_t got = 0;
    while (got < f.m_head.size()) {
        ssize_t n = ::read(f.m_fd, f.m_head.data() + got, f.m_head.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error(path + ": cannot read: " + std::strerror(errno));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    f.m_head.resize(got);
    return f;
}

long InputFile::read(char* buf, std::size_t n) {
    if (m_head_pos < m_head.size()) {
        std::size_t k = std::min(n, m_head.size() - m_head_pos);
        std::memcpy(buf, m_head.data() + m_head_pos, k);
        m_head_pos += k;
        return static_cast<long>(k);
    }
    while (true) {
        ssize_t r = ::read(m_fd, buf, n);
        if (r < 0 && errno == EINTR) continue;
        return static_cast<long>(r);
    }
}

long InputFile::pread(char* buf, std::size_t n, std::uint64_t offset) const {
    while (true) {
        ssize_t r = ::pread(m_fd, buf, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        return static_cast<long>(r);
    }
}

}  // namespace attest
