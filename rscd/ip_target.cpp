// IpTarget — see ip_target.hpp.
#include "rscd/ip_target.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <net/if.h>

#include <algorithm>

namespace ha::rsc {

namespace {

std::uint32_t mask_of(int prefix) { return prefix <= 0 ? 0 : (prefix >= 32 ? 0xffffffffU : ~((1U << (32 - prefix)) - 1)); }

}  // namespace

std::optional<std::uint32_t> parse_ipv4_host(const std::string& text) {
    in_addr a{};
    if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

std::string ipv4_text(std::uint32_t host_order) {
    return fmt::format("{}.{}.{}.{}", host_order >> 24, (host_order >> 16) & 0xff, (host_order >> 8) & 0xff, host_order & 0xff);
}

std::optional<IpAddress> spec_address(const conf::IpAddrSpec& spec) {
    const auto a = IpAddress::parse(spec.address);
    if (!a || a->is_v6() != spec.ipv6) return std::nullopt;
    return a;
}

Result<IpTarget> resolve_ip_target(const conf::IpAddrSpec& spec, bool alias_label,
                                   const std::vector<InterfaceAddress>& addresses, const std::vector<LinkInfo>& links) {
    const auto vip = spec_address(spec);
    if (!vip)
        return make_error("bad_address", fmt::format("\"{}\" is not an {} address", spec.address, spec.ipv6 ? "IPv6" : "IPv4"));
    IpTarget t;
    t.address = *vip;

    // The existing subnet that holds the VIP: same family, longest prefix, not the VIP itself (nor
    // a host route), `lo` only if named.
    const InterfaceAddress* best = nullptr;
    for (const auto& a : addresses) {
        if (a.local == *vip || a.local.family() != vip->family() || a.prefix >= vip->max_prefix() || a.prefix <= 0) continue;
        if (spec.iface.empty() ? a.ifname == "lo" : a.ifname != spec.iface) continue;
        if (!a.local.same_subnet(*vip, a.prefix)) continue;
        if (!best || a.prefix > best->prefix) best = &a;
    }
    if (!spec.iface.empty()) {
        t.iface = spec.iface;
    } else if (best) {
        t.iface = best->ifname;
    } else {
        return make_error("no_interface", fmt::format("no interface has a subnet containing {}; give it as {}/PREFIX/IFACE",
                                                      spec.address, spec.address));
    }
    const auto link = std::find_if(links.begin(), links.end(), [&](const LinkInfo& l) { return l.name == t.iface; });
    if (link == links.end()) return make_error("no_interface", fmt::format("{}: no such interface {}", spec.address, t.iface));
    t.ifindex = link->ifindex;
    if (spec.prefix) {
        t.prefix = *spec.prefix;
    } else if (best) {
        t.prefix = best->prefix;
    } else {
        return make_error("no_netmask", fmt::format("cannot infer the prefix of {}: no address on {} shares its subnet; "
                                                    "give it as {}/PREFIX/{}", spec.address, t.iface, spec.address, t.iface));
    }
    if (vip->is_v6()) return t;  // no broadcast, no label
    if (!spec.broadcast.empty()) {
        const auto b = parse_ipv4_host(spec.broadcast);
        if (!b) return make_error("bad_address", fmt::format("bad broadcast address \"{}\"", spec.broadcast));
        t.broadcast = *b;
    } else if (t.prefix <= 30) {
        t.broadcast = (vip->v4_host() & mask_of(t.prefix)) | ~mask_of(t.prefix);
    }
    if (alias_label) {
        for (int n = 0; n < 1000; ++n) {
            const std::string label = fmt::format("{}:{}", t.iface, n);
            if (label.size() >= IFNAMSIZ) break;
            const bool used = std::any_of(addresses.begin(), addresses.end(),
                                          [&](const InterfaceAddress& a) { return a.ifindex == t.ifindex && a.label == label; });
            if (!used) {
                t.label = label;
                break;
            }
        }
    }
    return t;
}

}  // namespace ha::rsc
