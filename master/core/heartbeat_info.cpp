// HeartbeatInfo decoding and hex helpers. See heartbeat_info.hpp.
#include "master/core/heartbeat_info.hpp"

#include <fmt/format.h>

namespace ha::master {

std::string to_hex(std::uint64_t value) { return fmt::format("{:x}", value); }

Result<std::uint64_t> parse_hex(std::string_view text) {
    if (text.empty() || text.size() > 16) {
        return make_error("bad_hex", fmt::format("\"{}\" is not a hex number", text));
    }
    std::uint64_t v = 0;
    for (char c : text) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return make_error("bad_hex", fmt::format("\"{}\" is not a hex number", text));
        v = (v << 4) | d;
    }
    return v;
}

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
