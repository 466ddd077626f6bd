// ProbeTransport — how the split-brain guard's probes of one address family go on the wire and
// how what comes back is read: ARP (RFC 5227) for IPv4 VIPs, NDP duplicate address detection
// (RFC 4862 §5.4) for IPv6 ones. The session logic (arp_probe.hpp) is the same for both; only
// this differs.
//
// A transport is a stateless description the shell (arp_guard.hpp) uses around its AF_PACKET /
// SOCK_DGRAM sockets, one per (interface, family): the EtherType to bind, a socket filter that
// keeps only the packets it parses (NDP: ICMPv6 neighbour solicitations and advertisements, not
// every IPv6 packet of the link), the probe frame for a target (payload and link-layer
// destination: Ethernet broadcast for ARP, the solicited-node group's 33:33:ff… for NDP), the
// multicast group to join on the socket (NDP: that same group, so that another node's DAD probe
// for the VIP reaches us through a NIC's multicast filter), and the parser from a received
// payload to a GuardPacket. It owns nothing and never blocks.
//
// Time and blocking: none (narrow() is one setsockopt).
// Diagnostics: none; errors returned as ha::Error (arp_send, with errno text).
// See also: arp_guard.hpp, arp_probe.hpp (the ARP format), ndp_packet.hpp (the NDP format).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ipc/result.hpp"
#include "rscd/arp_probe.hpp"

namespace ha::rsc {

struct ProbeFrame {
    std::vector<unsigned char> payload;  // from the network header on (the kernel adds Ethernet's)
    MacAddress destination{};
};

class ProbeTransport {
public:
    virtual ~ProbeTransport() = default;
    virtual IpFamily family() const = 0;
    virtual std::string_view name() const = 0;    // "ARP", "NDP": for log lines
    virtual std::uint16_t ethertype() const = 0;  // host byte order
    // Narrows a packet socket of ethertype() to the packets parse() takes.
    virtual Result<void> narrow(int fd) const = 0;
    virtual ProbeFrame probe(const ProbeTarget& target) const = 0;
    // The link-layer multicast group the socket must join to see the other nodes' probes for
    // `target` (NDP: the VIP's solicited-node group, which a NIC filters out unless joined); ARP:
    // none, its probes are broadcast.
    virtual std::optional<MacAddress> listen_group(const ProbeTarget& target) const = 0;
    // `bytes` from the network header on; `link_source` is the frame's source MAC.
    virtual std::optional<GuardPacket> parse(std::span<const unsigned char> bytes, int ifindex, bool outgoing,
                                             const MacAddress& link_source) const = 0;
};

// The one transport of `family`.
const ProbeTransport& probe_transport(IpFamily family);

}  // namespace ha::rsc
