// HeartbeatSource: outgoing status messages and default fields. See heartbeat_source.hpp.
#include "master/core/heartbeat_source.hpp"

#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "master/core/heartbeat_info.hpp"

namespace ha::master {

HeartbeatSource::HeartbeatSource(HeartbeatSourceParams params) : params_(std::move(params)) {}

ipc::Message HeartbeatSource::make_status(ipc::WallTime wall_now, std::string_view status,
                                          std::chrono::milliseconds deadtime) {
    ipc::Message msg;
    msg.fields().reserve(12);  // these four, stamp()'s seven and the auth field the media daemon adds
    msg.add("t", "status");
    msg.add("st", status);
    msg.add("dt", to_hex(static_cast<std::uint64_t>(deadtime.count())));
    msg.add("protocol", "1");
    stamp(msg, wall_now);
    return msg;
}

void HeartbeatSource::stamp(ipc::Message& msg, ipc::WallTime wall_now, Origin origin) {
    for (std::string_view name : {"src", "srcuuid", "seq", "hg", "ts", "ld", "ttl", "auth"}) msg.remove(name);
    const bool ns = msg.type().starts_with("NS_");
    msg.add("src", params_.local_node);
    msg.add("srcuuid", std::string_view(reinterpret_cast<const char*>(params_.uuid.data()), params_.uuid.size()),
            ipc::FieldType::binary);
    if (!ns) msg.add("seq", to_hex(++last_seq_));
    msg.add("hg", to_hex(params_.generation));
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(wall_now.time_since_epoch()).count();
    msg.add("ts", to_hex(static_cast<std::uint64_t>(secs < 0 ? 0 : secs)));
    if (!ns) {
        std::string ld = params_.loadavg ? params_.loadavg() : std::string();
        while (!ld.empty() && (ld.back() == '\n' || ld.back() == '\r')) ld.pop_back();
        msg.add("ld", ld.empty() ? std::string("n/a") : ld);
    }
    msg.add("ttl", std::to_string(params_.ttl + (origin == Origin::api_client ? 1 : 0)));
}

int default_ttl(int hopfudge, std::size_t node_count) { return hopfudge + static_cast<int>(node_count); }

std::string read_proc_loadavg() {
    std::ifstream in("/proc/loadavg");
    std::string line;
    if (!in || !std::getline(in, line) || line.empty()) return "n/a";
    return line;
}

std::function<std::string()> cached_provider(std::function<std::string()> read, const ipc::Clock& clock,
                                             std::chrono::milliseconds period) {
    struct Cache {
        std::function<std::string()> read;
        const ipc::Clock* clock;
        std::chrono::milliseconds period;
        std::optional<ipc::SteadyTime> read_at;
        std::string value;
    };
    auto cache = std::make_shared<Cache>(Cache{std::move(read), &clock, period, std::nullopt, {}});
    return [cache]() -> std::string {
        const auto now = cache->clock->now();
        if (!cache->read_at || now - *cache->read_at >= cache->period) {
            cache->value = cache->read ? cache->read() : std::string();
            cache->read_at = now;
        }
        return cache->value;
    };
}

}  // namespace ha::master
