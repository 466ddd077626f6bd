// GenerationFile: atomic load-and-bump of the generation file. See generation_file.hpp.
#include "master/core/generation_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "master/core/generation.hpp"

namespace ha::master {

namespace {

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
    return make_error("generation_io", fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
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
    int release() { int fd = fd_; fd_ = -1; return fd; }

private:
    int fd_;
};

Result<std::optional<std::uint64_t>> read_stored(const std::filesystem::path& path) {
    FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<std::uint64_t>{};
        return io_error("cannot open", path, errno);
    }
    std::string text;
    char buf[64];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("cannot read", path, errno);
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > 64) break;  // a generation is at most 20 digits; parse will refuse this
    }
    auto value = Generation::parse(text);
    if (!value) return make_error("bad_generation", fmt::format("{}: {}", path.string(), value.error().message));
    return std::optional<std::uint64_t>{*value};
}

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

Result<std::uint64_t> GenerationFile::load_and_bump(const std::filesystem::path& path,
                                                    const std::filesystem::path& heartbeat_path,
                                                    std::uint64_t now_seconds) {
    auto stored = read_stored(path);
    if (!stored) return stored.error();
    std::optional<std::uint64_t> base = *stored;
    bool after_heartbeat = false;
    if (!heartbeat_path.empty()) {
        auto theirs = read_stored(heartbeat_path);
        if (!theirs) {
            log_.warn("Ignoring Heartbeat's generation file: {}", theirs.error().message);
        } else if (*theirs && (!base || **theirs > *base)) {
            log_.info("Generation continues from Heartbeat's {} ({})", heartbeat_path.string(), **theirs);
            base = *theirs;
            after_heartbeat = true;
        }
    }
    std::uint64_t next = Generation::next(base);
    // Seen in the interop lab: the file held two less than the generation the last Heartbeat life
    // sent (its start time), and the peer dropped us as a replay.
    if (after_heartbeat && now_seconds > next) next = now_seconds;

    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        FdGuard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (fd.get() < 0) return io_error("cannot create", tmp, errno);
        if (auto w = write_all(fd.get(), Generation::format(next), tmp); !w) {
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

    if (!base) log_.warn("No Previous generation - starting at {}", next);
    return next;
}

}  // namespace ha::master
