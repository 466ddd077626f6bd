// IpTarget — where an IPaddr/IPaddr2 VIP goes: address, prefix, interface, broadcast, label (pure).
//
// resolve_ip_target() fills what the haresources word left out (IP[/mask[/iface[/bcast]]], compat
// spec §2) from the addresses already on the host: the interface whose existing IPv4 subnet
// contains the VIP (longest prefix wins; `lo` only when named) gives the interface and, when
// missing, the prefix. The broadcast defaults to the subnet's (none for /31 and /32). IPaddr gets
// an alias label `eth0:N` (first free N, Heartbeat's habit); IPaddr2 gets none.
//
// Time and blocking: none; the caller lists the addresses (netlink_route.hpp).
// Diagnostics: returned as ha::Error with a sentence naming the VIP.
// See also: ip_addr.hpp, ipc/config/haresources.hpp (IpAddrSpec).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ipc/config/haresources.hpp"
#include "ipc/result.hpp"

namespace ha::rsc {

// One IPv4 address on the host, as netlink reports it. Addresses in host byte order.
struct InterfaceAddress {
    int ifindex = 0;
    std::string ifname;
    std::string label;
    std::uint32_t local = 0;
    int prefix = 32;
};

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::array<unsigned char, 6> mac{};
    bool has_mac = false;
    bool up = false;
};

struct IpTarget {
    std::uint32_t address = 0;  // host byte order
    int prefix = 32;
    std::string iface;
    int ifindex = 0;
    std::optional<std::uint32_t> broadcast;
    std::string label;          // empty: no label
};

std::optional<std::uint32_t> parse_ipv4_host(const std::string& text);
std::string ipv4_text(std::uint32_t host_order);

Result<IpTarget> resolve_ip_target(const conf::IpAddrSpec& spec, bool alias_label,
                                   const std::vector<InterfaceAddress>& addresses, const std::vector<LinkInfo>& links);

}  // namespace ha::rsc
