// serial_pace: a serial cable's heartbeat pace and link deadtime. See serial_pace.hpp.
#include "master/core/serial_pace.hpp"

#include <algorithm>

#include "ipc/auth.hpp"
#include "master/core/heartbeat_source.hpp"
#include "master/core/membership_replies.hpp"

namespace ha::master {

using std::chrono::milliseconds;

namespace {

milliseconds line_time(std::size_t bytes, int baud) {
    const long long bits = static_cast<long long>(bytes) * 10;  // start + 8 data + stop
    const long long per_s = baud > 0 ? baud : 1;
    return milliseconds(std::max(1LL, (bits * 1000 + per_s - 1) / per_s));
}

std::string longest_node(const conf::Config& config) {
    std::string name = config.local_node;
    for (const auto& n : config.ha_cf.nodes)
        if (n.size() > name.size()) name = n;
    return name;
}

// A source stamping like the master's, for the cluster's longest node name.
HeartbeatSource sample_source(const conf::Config& config) {
    HeartbeatSourceParams params;
    params.local_node = longest_node(config);
    params.generation = 0x10000000;  // 8 hex digits, like a real generation after years of restarts
    params.ttl = default_ttl(config.ha_cf.hopfudge, config.ha_cf.nodes.size());
    params.loadavg = [] { return std::string("0.00 0.00 0.00 1/100 12345"); };
    params.uuid.fill(0xa5);
    return HeartbeatSource(params);
}

std::size_t signed_size(const conf::Config& config, ipc::Message message) {
    ipc::AuthKeys keys = config.authkeys;
    if (!keys.active_key()) {  // no authkeys (a test config): count a sha1 signature, the longest
        keys.active = 1;
        keys.keys[1] = ipc::AuthKey{ipc::AuthMethod::sha1, "x"};
    }
    return ipc::sign_classic(message, keys).size();
}

const ipc::WallTime kSampleTime{std::chrono::seconds(0x69000000)};

}  // namespace

SerialPace serial_pace(std::size_t frame_bytes, std::size_t ack_bytes, int baud, milliseconds keepalive,
                       milliseconds deadtime) {
    SerialPace p;
    p.frame_bytes = frame_bytes;
    p.ack_bytes = ack_bytes;
    p.frame_time = line_time(frame_bytes + ack_bytes, baud);
    p.pace = std::max(keepalive, p.frame_time);
    p.link_deadtime = std::max(deadtime, p.pace + 3 * p.frame_time);
    return p;
}

std::size_t status_frame_bytes(const conf::Config& config) {
    HeartbeatSource source = sample_source(config);
    ipc::Message status = source.make_status(kSampleTime, "active", config.ha_cf.deadtime);
    status.set("seq", "10000000");
    return signed_size(config, std::move(status));
}

std::size_t ack_frame_bytes(const conf::Config& config) {
    HeartbeatSource source = sample_source(config);
    ipc::Message peer_status = source.make_status(kSampleTime, "active", config.ha_cf.deadtime);
    peer_status.set("seq", "10000000");
    auto ack = ack_for(peer_status, "", 6);  // 0x10000000 % 10 == 6: the pick that acknowledges it
    if (!ack) return 0;
    source.stamp(*ack, kSampleTime);
    return signed_size(config, std::move(*ack));
}

std::map<std::string, SerialPace, std::less<>> serial_paces(const conf::Config& config) {
    std::map<std::string, SerialPace, std::less<>> out;
    std::size_t status = 0, ack = 0;
    for (const auto& m : config.ha_cf.media) {
        if (m.kind != conf::MediumKind::serial || out.contains(m.device)) continue;
        if (status == 0) {
            status = status_frame_bytes(config);
            ack = ack_frame_bytes(config);
        }
        out.emplace(m.device, serial_pace(status, ack, m.baud, config.ha_cf.keepalive, config.ha_cf.deadtime));
    }
    return out;
}

}  // namespace ha::master
