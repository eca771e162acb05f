#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace attest {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

std::string random_suffix() {
    std::random_device rd;
    static const char kHex[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 12; ++i) s.push_back(kHex[rd() % 16]);
    return s;
}

}  // namespace

Expected<void> write_file_atomic(const std::filesystem::path& path, std::string_view content) {
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return make_error(dir.string() + ": cannot create directory: " + ec.message());

    std::filesystem::path tmp = dir / ("." + path.filename().string() + ".tmp-" + random_suffix());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return make_error(tmp.string() + ": cannot create: " + errno_text());
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::string why = errno_text();
            ::close(fd);
            ::unlink(tmp.c_str());
            return make_error(path.string() + ": write failed: " + why);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    // fsync so that a crash right after the rename cannot leave an empty report behind.
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        return make_error(path.string() + ": write failed: " + why);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        return make_error(path.string() + ": cannot rename into place: " + why);
    }
    return {};
}

}  // namespace attest
