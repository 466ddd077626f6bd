// EchoPacket — ICMP echo request/reply bytes (RFC 792): build, checksum, parse. Pure functions.
//
// parse_echo_reply() takes what recvfrom() returned: with an IPv4 header first on a raw socket,
// without one on an ICMP datagram ("ping") socket. It checks size, IP header, type/code and the
// ICMP checksum before anything is believed; matching to a probe is EchoMatcher's job.
//
// Time and blocking: none. Diagnostics: errors carry a code for counters: "short", "bad_ip",
// "not_reply" (any other ICMP type, e.g. our own request seen on loopback), "bad_checksum", "too_big".
// See also: echo_matcher.hpp, pinger.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/result.hpp"

namespace ha::ipfail {

inline constexpr std::size_t kIcmpHeaderBytes = 8;
inline constexpr std::size_t kMaxEchoPayload = 1400;  // one Ethernet frame with room for the headers

struct EchoReply {
    std::uint16_t id = 0;
    std::uint16_t seq = 0;
    std::string payload;
};

// The Internet checksum (RFC 1071) over `bytes`.
std::uint16_t icmp_checksum(std::string_view bytes);
// An echo request (type 8), checksum filled in. Precondition: payload.size() <= kMaxEchoPayload.
std::string build_echo_request(std::uint16_t id, std::uint16_t seq, std::string_view payload);
Result<EchoReply> parse_echo_reply(std::string_view packet, bool with_ip_header);

}  // namespace ha::ipfail
