// read_small_file, replace_file_durably. See durable_file.hpp.
#include "master/core/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ha::master {

namespace {

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
    return make_error("state_io", fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
}

// Closes an fd on scope exit.
class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot write", path, errno);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace

Result<std::optional<std::string>> read_small_file(const std::filesystem::path& path, std::size_t limit) {
    FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return io_error("cannot open", path, errno);
    }
    std::string text;
    char buf[64];
    while (text.size() <= limit) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot read", path, errno);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    if (text.size() > limit + 1) text.resize(limit + 1);
    return std::optional<std::string>{std::move(text)};
}

Result<void> replace_file_durably(const std::filesystem::path& path, std::string_view data, mode_t mode) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        // A fresh file of our own: whatever sits at the temp name (a crash's leftover, or a symlink
        // planted to make root write elsewhere) is removed first, and the new one is made with
        // O_EXCL|O_NOFOLLOW, so this never writes through a link.
        ::unlink(tmp.c_str());
        FdGuard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (fd.get() < 0) return io_error("cannot create", tmp, errno);
        if (auto w = write_all(fd.get(), data, tmp); !w) {
            ::unlink(tmp.c_str());
            return w.error();
        }
        if (::fsync(fd.get()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            return io_error("cannot fsync", tmp, err);
        }
        if (::close(fd.release()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            return io_error("cannot close", tmp, err);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return io_error("cannot rename onto", path, err);
    }
    std::filesystem::path dir = path.parent_path();
    if (dir.empty()) dir = ".";
    FdGuard dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() < 0 || ::fsync(dfd.get()) != 0) return io_error("cannot fsync directory", dir, errno);
    return {};
}

}  // namespace ha::master
