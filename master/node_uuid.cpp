#include "master/node_uuid.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <system_error>

#include "master/core/durable_file.hpp"

namespace ha::master {
namespace {

// The uuid in `path`, nothing when the file does not exist.
Result<std::optional<NodeUuid>> read_uuid(const std::string& path) {
    NodeUuid uuid{};
    auto bytes = read_small_file(path, uuid.size());
    if (!bytes) return bytes.error();
    if (!*bytes) return std::optional<NodeUuid>{};
    if ((*bytes)->size() != uuid.size())
        return make_error("bad_uuid", fmt::format("{}: expected 16 bytes, read {}", path, (*bytes)->size()));
    std::copy((*bytes)->begin(), (*bytes)->end(), uuid.begin());
    return std::optional<NodeUuid>{uuid};
}

Result<void> write_uuid(const std::string& path, const NodeUuid& uuid) {
    return replace_file_durably(path, std::string_view(reinterpret_cast<const char*>(uuid.data()), uuid.size()));
}

Result<NodeUuid> random_uuid() {
    NodeUuid uuid{};
    int rnd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (rnd < 0 || ::read(rnd, uuid.data(), uuid.size()) != static_cast<ssize_t>(uuid.size())) {
        if (rnd >= 0) ::close(rnd);
        return make_error("random", "cannot read /dev/urandom");
    }
    ::close(rnd);
    uuid[6] = static_cast<std::uint8_t>((uuid[6] & 0x0f) | 0x40);
    uuid[8] = static_cast<std::uint8_t>((uuid[8] & 0x3f) | 0x80);
    return uuid;
}

}  // namespace

Result<NodeUuid> load_or_create_uuid(const std::string& path, const std::string& heartbeat_path, ipc::Log& log) {
    auto ours = read_uuid(path);
    if (!ours) return ours.error();
    std::optional<NodeUuid> theirs;
    bool theirs_missing = false;
    if (!heartbeat_path.empty()) {
        auto t = read_uuid(heartbeat_path);
        if (!t) log.warn("Ignoring Heartbeat's node uuid file: {}", t.error().message);
        else if (!*t) theirs_missing = true;
        else theirs = **t;
    }
    if (theirs) {
        if (*ours == *theirs) return *theirs;
        log.info("Node uuid continues from Heartbeat's {}", heartbeat_path);
        if (auto w = write_uuid(path, *theirs); !w) return w.error();
        return *theirs;
    }
    NodeUuid uuid{};
    if (*ours) {
        uuid = **ours;
    } else {
        auto fresh = random_uuid();
        if (!fresh) return fresh.error();
        uuid = *fresh;
        if (auto w = write_uuid(path, uuid); !w) return w.error();
    }
    std::error_code ec;
    if (theirs_missing && std::filesystem::is_directory(std::filesystem::path(heartbeat_path).parent_path(), ec)) {
        if (auto w = write_uuid(heartbeat_path, uuid); !w)
            log.warn("Cannot write the node uuid to Heartbeat's {} (a return to Heartbeat would show a new node uuid): {}",
                     heartbeat_path, w.error().message);
    }
    return uuid;
}

}  // namespace ha::master
