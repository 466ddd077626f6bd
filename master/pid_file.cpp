#include "master/pid_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

Result<PidFile> PidFile::acquire(const std::string& path) {
    // O_NOFOLLOW + fstat (issue 20): a symlink or somebody else's file is refused, never written.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (fd < 0) return make_error("open", fmt::format("cannot open pid file {}: {}", path, std::strerror(errno)));
    struct ::stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
        ::close(fd);
        return make_error("unsafe", fmt::format("refusing pid file {}: not a regular file owned by uid {}", path, ::geteuid()));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return make_error("running", fmt::format("hamaster is already running (pid {}, pid file {})", holder(path), path));
    }
    PidFile pf(path, fd);
    if (auto r = pf.write_pid(); !r) return r.error();
    return pf;
}

pid_t PidFile::holder(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return 0;
    pid_t pid = 0;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {  // locked: somebody lives
        char buf[32] = {};
        ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) pid = static_cast<pid_t>(std::atol(buf));
        if (pid <= 0) pid = 1;  // locked but unreadable: still running
    }
    ::close(fd);
    return pid;
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }

PidFile::~PidFile() {
    if (fd_ < 0) return;
    ::unlink(path_.c_str());
    ::close(fd_);
}

Result<void> PidFile::write_pid() {
    std::string text = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        return make_error("write", fmt::format("cannot write pid file {}: {}", path_, std::strerror(errno)));
    return {};
}

}  // namespace ha::master
