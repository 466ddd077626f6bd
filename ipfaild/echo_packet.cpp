#include "ipfaild/echo_packet.hpp"

namespace ha::ipfail {

namespace {
constexpr std::uint8_t kEchoReply = 0;
constexpr std::uint8_t kEchoRequest = 8;

std::uint16_t be16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[at]) << 8) | static_cast<std::uint8_t>(b[at + 1]));
}
void put16(std::string& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<char>(v >> 8);
    b[at + 1] = static_cast<char>(v & 0xff);
}
}  // namespace

std::uint16_t icmp_checksum(std::string_view bytes) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += be16(bytes, i);
    if (i < bytes.size()) sum += static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i])) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string build_echo_request(std::uint16_t id, std::uint16_t seq, std::string_view payload) {
    std::string p(kIcmpHeaderBytes, '\0');
    p[0] = static_cast<char>(kEchoRequest);
    put16(p, 4, id);
    put16(p, 6, seq);
    p.append(payload);
    put16(p, 2, icmp_checksum(p));
    return p;
}

Result<EchoReply> parse_echo_reply(std::string_view packet, bool with_ip_header) {
    if (packet.size() > kMaxEchoPayload + kIcmpHeaderBytes + 60) return make_error("too_big", "ICMP packet too big");
    if (with_ip_header) {
        if (packet.size() < 20) return make_error("short", "shorter than an IPv4 header");
        const auto vihl = static_cast<std::uint8_t>(packet[0]);
        const std::size_t ihl = (vihl & 0x0f) * 4u;
        if ((vihl >> 4) != 4 || ihl < 20 || ihl > packet.size()) return make_error("bad_ip", "bad IPv4 header");
        if (static_cast<std::uint8_t>(packet[9]) != 1) return make_error("bad_ip", "not ICMP");
        packet.remove_prefix(ihl);
    }
    if (packet.size() < kIcmpHeaderBytes) return make_error("short", "shorter than an ICMP header");
    if (static_cast<std::uint8_t>(packet[0]) != kEchoReply || packet[1] != 0)
        return make_error("not_reply", "not an echo reply");
    if (icmp_checksum(packet) != 0) return make_error("bad_checksum", "ICMP checksum mismatch");
    return EchoReply{be16(packet, 4), be16(packet, 6), std::string(packet.substr(kIcmpHeaderBytes))};
}

}  // namespace ha::ipfail
