#include "heartbeatd-net/net_options.hpp"

#include <charconv>

#include <fmt/format.h>

namespace ha::net {

namespace {

std::vector<std::string> split(std::string_view text, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = text.find(sep, start);
        out.emplace_back(text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

bool parse_int(std::string_view text, long min, long max, long& out) {
    long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max) return false;
    out = v;
    return true;
}

Error bad(std::string_view flag, std::string_view value, std::string_view why) {
    return make_error("usage", fmt::format("{} {}: {}", flag, value, why));
}

}  // namespace

std::string_view medium_kind_name(MediumKind kind) {
    switch (kind) {
        case MediumKind::ucast: return "ucast";
        case MediumKind::bcast: return "bcast";
        case MediumKind::mcast: return "mcast";
    }
    return "?";
}

namespace po = boost::program_options;

void add_net_options(ipc::DaemonOptionParser& parser) {
    parser.add_options()
        ("udpport", po::value<std::string>()->default_value("694"), "UDP port of ucast and bcast links")
        ("ucast", po::value<std::vector<std::string>>()->composing(), "DEV:PEER[:PORT] unicast link (repeatable)")
        ("bcast", po::value<std::vector<std::string>>()->composing(), "DEV[:PORT] broadcast link (repeatable)")
        ("mcast", po::value<std::vector<std::string>>()->composing(), "DEV:GROUP:PORT:TTL:LOOP multicast link (repeatable)")
        ("bind", po::value<std::string>(), "local IPv4 address of ucast sockets (default any)")
        ("nodes", po::value<std::string>(), "the configured nodes, comma-separated");
    media::add_bus_options(parser);
}

Result<NetOptions> net_options_from(const ipc::DaemonOptionParser& parser) {
    const po::variables_map& v = parser.values();
    auto list = [&](const char* name) {
        return v.count(name) ? v[name].as<std::vector<std::string>>() : std::vector<std::string>{};
    };
    NetOptions o;
    long n = 0;
    const std::string port = v["udpport"].as<std::string>();
    if (!parse_int(port, 1, 65535, n)) return bad("--udpport", port, "not a port 1-65535");
    o.udpport = static_cast<std::uint16_t>(n);
    for (const auto& value : list("ucast")) {
        auto parts = split(value, ':');
        long p = 0;
        if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) return bad("--ucast", value, "want DEV:PEER[:PORT]");
        if (parts.size() == 3 && !parse_int(parts[2], 1, 65535, p)) return bad("--ucast", value, "port not 1-65535");
        o.media.push_back(MediumSpec{MediumKind::ucast, parts[0], parts[1], {}, static_cast<std::uint16_t>(p), 1, false});
    }
    for (const auto& value : list("bcast")) {
        auto parts = split(value, ':');
        long p = 0;
        if (parts.size() > 2 || parts[0].empty()) return bad("--bcast", value, "want DEV[:PORT]");
        if (parts.size() == 2 && !parse_int(parts[1], 1, 65535, p)) return bad("--bcast", value, "port not 1-65535");
        o.media.push_back(MediumSpec{MediumKind::bcast, parts[0], {}, {}, static_cast<std::uint16_t>(p), 1, false});
    }
    for (const auto& value : list("mcast")) {
        auto parts = split(value, ':');
        long p = 0, ttl = 0, loop = 0;
        if (parts.size() != 5 || parts[0].empty() || parts[1].empty()) return bad("--mcast", value, "want DEV:GROUP:PORT:TTL:LOOP");
        if (!parse_int(parts[2], 1, 65535, p)) return bad("--mcast", value, "port not 1-65535");
        if (!parse_int(parts[3], 1, 255, ttl)) return bad("--mcast", value, "ttl not 1-255");
        if (!parse_int(parts[4], 0, 1, loop)) return bad("--mcast", value, "loop not 0 or 1");
        o.media.push_back(MediumSpec{MediumKind::mcast, parts[0], {}, parts[1], static_cast<std::uint16_t>(p),
                                     static_cast<int>(ttl), loop == 1});
    }
    if (v.count("bind")) o.bind_address = v["bind"].as<std::string>();
    if (v.count("nodes")) {
        for (auto& name : split(v["nodes"].as<std::string>(), ',')) {
            if (!name.empty()) o.nodes.push_back(name);
        }
    }
    if (o.media.empty()) return make_error("usage", "no medium: give --ucast, --bcast or --mcast");
    if (o.nodes.empty()) return make_error("usage", "--nodes is required");
    for (std::size_t i = 0; i < o.media.size(); ++i) {
        for (std::size_t j = i + 1; j < o.media.size(); ++j) {
            if (o.media[i].dev == o.media[j].dev) {
                return make_error("usage", fmt::format("two media on {}: a link name must be unique", o.media[i].dev));
            }
        }
    }
    auto bus = media::bus_choice_from(parser);
    if (!bus) return bus.error();
    o.bus = *bus;
    return o;
}

}  // namespace ha::net
