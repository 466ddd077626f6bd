// write_file_atomically — see atomic_file.hpp.
#include "ipc/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ha::ipc {

Result<void> write_file_atomically(const std::string& path, std::string_view data, mode_t mode, bool durable) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string tmp = fmt::format("{}.{}.tmp.{}", dir, name, ::getpid());
    auto failed = [&](std::string_view what, const std::string& which, int err) -> Result<void> {
        ::unlink(tmp.c_str());
        return make_error("write", fmt::format("cannot {} {}: {}", what, which, std::strerror(err)));
    };
    // O_EXCL: a stale temp file of a dead process with our pid is removed first, never followed.
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return make_error("write", fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            return failed("write", tmp, err);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, mode) != 0 || (durable && ::fsync(fd) != 0)) {
        const int err = errno;
        ::close(fd);
        return failed("write", tmp, err);
    }
    if (::close(fd) != 0) return failed("close", tmp, errno);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename onto", path, errno);
    return {};
}

}  // namespace ha::ipc
