// HeartbeatInfo decoding. See heartbeat_info.hpp.
#include "master/core/heartbeat_info.hpp"

#include <fmt/format.h>

namespace ha::master {

namespace {

Result<std::optional<std::uint64_t>> hex_field(const ipc::Message& msg, std::string_view name) {
    auto value = msg.get(name);
    if (!value) return std::optional<std::uint64_t>{};
    auto parsed = parse_hex(*value);
    if (!parsed) {
        return make_error("bad_field", fmt::format("field \"{}\": bad hex value \"{}\"", name, *value));
    }
    return std::optional<std::uint64_t>{*parsed};
}

}  // namespace

Result<HeartbeatInfo> heartbeat_info_from(const ipc::Message& msg) {
    HeartbeatInfo info;
    auto t = msg.get("t");
    if (!t || t->empty()) return make_error("bad_field", "missing field \"t\"");
    info.type = std::string(*t);
    info.status = msg.get_or("st", "");
    auto seq = hex_field(msg, "seq");
    if (!seq) return seq.error();
    info.seq = *seq;
    auto hg = hex_field(msg, "hg");
    if (!hg) return hg.error();
    info.generation = *hg;
    auto dt = hex_field(msg, "dt");
    if (!dt) return dt.error();
    if (*dt) info.deadtime = std::chrono::milliseconds(static_cast<std::int64_t>(**dt));
    info.has_protocol = msg.has("protocol");
    return info;
}

}  // namespace ha::master
