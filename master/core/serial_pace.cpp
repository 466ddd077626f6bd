// serial_pace: a serial cable's heartbeat pace and link deadtime. See serial_pace.hpp.
#include "master/core/serial_pace.hpp"

#include <algorithm>

#include "ipc/auth.hpp"
#include "master/core/heartbeat_source.hpp"

namespace ha::master {

using std::chrono::milliseconds;

SerialPace serial_pace(std::size_t frame_bytes, int baud, milliseconds keepalive, milliseconds deadtime) {
    SerialPace p;
    p.frame_bytes = frame_bytes;
    const long long bits = static_cast<long long>(frame_bytes) * 10;  // start + 8 data + stop
    const long long per_ms = baud > 0 ? baud : 1;
    p.frame_time = milliseconds(std::max(1LL, (bits * 1000 + per_ms - 1) / per_ms));
    p.pace = std::max(keepalive, p.frame_time);
    p.link_deadtime = std::max(deadtime, p.pace + 3 * p.frame_time);
    return p;
}

std::size_t status_frame_bytes(const conf::Config& config) {
    HeartbeatSourceParams params;
    params.local_node = config.local_node;
    params.generation = 0x10000000;  // 8 hex digits, like a real generation after years of restarts
    params.ttl = default_ttl(config.ha_cf.hopfudge, config.ha_cf.nodes.size());
    params.loadavg = [] { return std::string("0.00 0.00 0.00 1/100 12345"); };
    params.uuid.fill(0xa5);
    HeartbeatSource source(params);
    ipc::Message status = source.make_status(ipc::WallTime(std::chrono::seconds(0x69000000)), "active",
                                             config.ha_cf.deadtime);
    status.set("seq", "10000000");
    ipc::AuthKeys keys = config.authkeys;
    if (keys.keys.empty()) {  // no authkeys (a test config): count a sha1 signature, the longest
        keys.active = 1;
        keys.keys[1] = ipc::AuthKey{ipc::AuthMethod::sha1, "x"};
    }
    return ipc::sign_classic(status, keys).size();
}

std::map<std::string, SerialPace, std::less<>> serial_paces(const conf::Config& config) {
    std::map<std::string, SerialPace, std::less<>> out;
    std::size_t bytes = 0;
    for (const auto& m : config.ha_cf.media) {
        if (m.kind != conf::MediumKind::serial || out.contains(m.device)) continue;
        if (bytes == 0) bytes = status_frame_bytes(config);
        out.emplace(m.device, serial_pace(bytes, m.baud, config.ha_cf.keepalive, config.ha_cf.deadtime));
    }
    return out;
}

}  // namespace ha::master
