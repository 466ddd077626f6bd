#include "master/node_uuid.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

Result<NodeUuid> load_or_create_uuid(const std::string& path) {
    NodeUuid uuid{};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = ::read(fd, uuid.data(), uuid.size());
        ::close(fd);
        if (n == static_cast<ssize_t>(uuid.size())) return uuid;
        return make_error("bad_uuid", fmt::format("{}: expected 16 bytes, read {}", path, n));
    }
    if (errno != ENOENT) return make_error("open", fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    int rnd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (rnd < 0 || ::read(rnd, uuid.data(), uuid.size()) != static_cast<ssize_t>(uuid.size())) {
        if (rnd >= 0) ::close(rnd);
        return make_error("random", "cannot read /dev/urandom");
    }
    ::close(rnd);
    uuid[6] = static_cast<std::uint8_t>((uuid[6] & 0x0f) | 0x40);
    uuid[8] = static_cast<std::uint8_t>((uuid[8] & 0x3f) | 0x80);
    std::string tmp = path + ".tmp";
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error("open", fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
    bool ok = ::write(fd, uuid.data(), uuid.size()) == static_cast<ssize_t>(uuid.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
        return make_error("write", fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    return uuid;
}

}  // namespace ha::master
