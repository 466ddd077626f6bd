// NDP packets of the IPv6 VIPs — pure builders and a parser over byte spans (no socket):
//   - the unsolicited neighbour advertisement (RFC 4861 §7.2.6) that announces a VIP just added:
//     ICMPv6 type 136, flags Override (not Solicited, not Router), target = the VIP, with the
//     target link-layer address option (our MAC); the raw ICMPv6 socket that sends it
//     (arp_announcer.hpp) adds the IPv6 header, hop limit 255, to ff02::1, and the checksum;
//   - the split-brain guard's probe, a duplicate address detection neighbour solicitation
//     (RFC 4862 §5.4.2): IPv6 header included, since it goes out through a packet socket —
//     source ::, destination the VIP's solicited-node multicast address ff02::1:ffXX:XXXX (Linux
//     drops a DAD probe sent anywhere else), hop limit 255, no source link-layer option (RFC 4861
//     forbids it from ::), checksum computed here;
//   - parse_ndp_packet: an IPv6 packet seen by the guard → a GuardPacket (arp_probe.hpp), for
//     well-formed ICMPv6 neighbour solicitations and advertisements only (RFC 4861 §7.1.1/§7.1.2
//     validation: hop limit 255, code 0, length, good checksum, no zero-length option, the target
//     not multicast). An advertisement claims its target; a solicitation from :: probes its target
//     (someone else's DAD), one from an address claims that source. The sender's MAC is the
//     packet's link-layer option when it has one, else the frame's source.
//
// Time and blocking: none.
// Diagnostics: none; a packet that fails validation is nullopt.
// See also: probe_transport.hpp, arp_announcer.hpp, arp_probe.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "rscd/arp_probe.hpp"
#include "rscd/ip_address.hpp"

namespace ha::rsc {

inline constexpr std::uint8_t kNeighbourSolicitation = 135;
inline constexpr std::uint8_t kNeighbourAdvertisement = 136;

// ff02::1:ffXX:XXXX for the last 24 bits of `address`.
IpAddress solicited_node(const IpAddress& address);
// 33:33 and the last 32 bits of the IPv6 multicast `group` (RFC 2464 §7).
MacAddress ipv6_multicast_mac(const IpAddress& group);
// The ICMPv6 checksum over the pseudo-header (src, dst, length, next header 58) and `icmp`, whose
// checksum field must be zero.
std::uint16_t icmpv6_checksum(const IpAddress& src, const IpAddress& dst, std::span<const unsigned char> icmp);

// The 32-byte unsolicited advertisement (ICMPv6 part only, checksum zero: the kernel fills it).
std::array<unsigned char, 32> neighbour_advertisement(const IpAddress& target, const MacAddress& mac);
// The 64-byte DAD probe for `target`: IPv6 header (40) + neighbour solicitation (24).
std::array<unsigned char, 64> ndp_probe_packet(const IpAddress& target);
// `ipv6` starts at the IPv6 header; `link_source` is the frame's source MAC.
std::optional<GuardPacket> parse_ndp_packet(std::span<const unsigned char> ipv6, int ifindex, bool outgoing,
                                            const MacAddress& link_source);

}  // namespace ha::rsc
