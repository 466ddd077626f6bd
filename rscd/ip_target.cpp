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

Result<IpTarget> resolve_ip_target(const conf::IpAddrSpec& spec, bool alias_label,
                                   const std::vector<InterfaceAddress>& addresses, const std::vector<LinkInfo>& links) {
    const auto vip = parse_ipv4_host(spec.address);
    if (!vip) return make_error("bad_address", fmt::format("IPaddr: \"{}\" is not an IPv4 address", spec.address));
    IpTarget t;
    t.address = *vip;

    // The existing subnet that holds the VIP: longest prefix, not the VIP itself, `lo` only if named.
    const InterfaceAddress* best = nullptr;
    for (const auto& a : addresses) {
        if (a.local == *vip || a.prefix >= 32 || a.prefix <= 0) continue;
        if (spec.iface.empty() ? a.ifname == "lo" : a.ifname != spec.iface) continue;
        if ((a.local & mask_of(a.prefix)) != (*vip & mask_of(a.prefix))) continue;
        if (!best || a.prefix > best->prefix) best = &a;
    }
    if (!spec.iface.empty()) {
        t.iface = spec.iface;
    } else if (best) {
        t.iface = best->ifname;
    } else {
        return make_error("no_interface", fmt::format("IPaddr: no interface has a subnet containing {}; give it as {}/PREFIX/IFACE",
                                                      spec.address, spec.address));
    }
    const auto link = std::find_if(links.begin(), links.end(), [&](const LinkInfo& l) { return l.name == t.iface; });
    if (link == links.end()) return make_error("no_interface", fmt::format("IPaddr: {}: no such interface {}", spec.address, t.iface));
    t.ifindex = link->ifindex;
    if (spec.prefix) {
        t.prefix = *spec.prefix;
    } else if (best) {
        t.prefix = best->prefix;
    } else {
        return make_error("no_netmask", fmt::format("IPaddr: cannot infer the netmask of {}: no address on {} shares its subnet; "
                                                    "give it as {}/PREFIX/{}", spec.address, t.iface, spec.address, t.iface));
    }
    if (!spec.broadcast.empty()) {
        const auto b = parse_ipv4_host(spec.broadcast);
        if (!b) return make_error("bad_address", fmt::format("IPaddr: bad broadcast address \"{}\"", spec.broadcast));
        t.broadcast = *b;
    } else if (t.prefix <= 30) {
        t.broadcast = (t.address & mask_of(t.prefix)) | ~mask_of(t.prefix);
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
