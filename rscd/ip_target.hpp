// IpTarget — where an IPaddr/IPaddr2/IPv6addr VIP goes: address, prefix, interface, broadcast,
// label (pure).
//
// resolve_ip_target() fills what the haresources word left out (IP[/mask[/iface[/bcast]]], compat
// spec §2; IPv6: IP[/prefix[/iface]]) from the addresses already on the host: the interface whose
// existing subnet of the VIP's family contains the VIP (longest prefix wins; `lo` only when named)
// gives the interface and, when missing, the prefix. The IPv4 broadcast defaults to the subnet's
// (none for /31 and /32; IPv6 has none). IPaddr gets an alias label `eth0:N` (first free N,
// Heartbeat's habit); IPaddr2 and IPv6addr get none (IPv6 addresses have no labels in Linux).
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
#include "rscd/ip_address.hpp"

namespace ha::rsc {

// One address on the host (IPv4 or IPv6), as netlink reports it.
struct InterfaceAddress {
    int ifindex = 0;
    std::string ifname;
    std::string label;
    IpAddress local;
    int prefix = 32;
    bool usable = true;  // IPv6: false while tentative or after duplicate address detection failed
};

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::array<unsigned char, 6> mac{};
    bool has_mac = false;
    bool up = false;
};

struct IpTarget {
    IpAddress address;
    int prefix = 32;
    std::string iface;
    int ifindex = 0;
    std::optional<std::uint32_t> broadcast;  // IPv4 only, host byte order
    std::string label;          // empty: no label
};

std::optional<std::uint32_t> parse_ipv4_host(const std::string& text);
std::string ipv4_text(std::uint32_t host_order);

// The VIP of a parsed haresources argument; nullopt when its text is not an address of its family.
std::optional<IpAddress> spec_address(const conf::IpAddrSpec& spec);

Result<IpTarget> resolve_ip_target(const conf::IpAddrSpec& spec, bool alias_label,
                                   const std::vector<InterfaceAddress>& addresses, const std::vector<LinkInfo>& links);

}  // namespace ha::rsc
