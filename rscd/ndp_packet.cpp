// NDP packets — see ndp_packet.hpp.
#include "rscd/ndp_packet.hpp"

#include <algorithm>

namespace ha::rsc {

namespace {

constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kHopLimit = 255;  // RFC 4861: anything less came through a router
constexpr std::size_t kIpv6Header = 40;
constexpr std::uint8_t kSourceLinkLayer = 1;
constexpr std::uint8_t kTargetLinkLayer = 2;
constexpr std::uint8_t kOverride = 0x20;

IpAddress address_at(std::span<const unsigned char> b, std::size_t at) {
    IpAddress::Bytes bytes{};
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 16, bytes.begin());
    return IpAddress::v6(bytes);
}

bool is_unspecified(const IpAddress& a) {
    return std::all_of(a.bytes().begin(), a.bytes().end(), [](unsigned char c) { return c == 0; });
}

}  // namespace

IpAddress solicited_node(const IpAddress& address) {
    IpAddress::Bytes b{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0};
    std::copy_n(address.bytes().begin() + 13, 3, b.begin() + 13);
    return IpAddress::v6(b);
}

MacAddress ipv6_multicast_mac(const IpAddress& group) {
    MacAddress m{0x33, 0x33, 0, 0, 0, 0};
    std::copy_n(group.bytes().begin() + 12, 4, m.begin() + 2);
    return m;
}

std::uint16_t icmpv6_checksum(const IpAddress& src, const IpAddress& dst, std::span<const unsigned char> icmp) {
    std::uint32_t sum = 0;
    auto add = [&sum](std::span<const unsigned char> bytes) {
        for (std::size_t i = 0; i < bytes.size(); i += 2)
            sum += static_cast<std::uint32_t>(bytes[i] << 8) | (i + 1 < bytes.size() ? bytes[i + 1] : 0U);
    };
    add(src.bytes());
    add(dst.bytes());
    const auto length = static_cast<std::uint32_t>(icmp.size());
    sum += (length >> 16) + (length & 0xffff) + kIcmpv6;
    add(icmp);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::array<unsigned char, 32> neighbour_advertisement(const IpAddress& target, const MacAddress& mac) {
    std::array<unsigned char, 32> p{};
    p[0] = kNeighbourAdvertisement;  // code 0, checksum 0 (the kernel's)
    p[4] = kOverride;                // not a router, not solicited: update whatever entry exists
    std::copy_n(target.bytes().begin(), 16, p.begin() + 8);
    p[24] = kTargetLinkLayer;
    p[25] = 1;                       // option length in units of 8 bytes
    std::copy_n(mac.begin(), 6, p.begin() + 26);
    return p;
}

std::array<unsigned char, 64> ndp_probe_packet(const IpAddress& target) {
    std::array<unsigned char, 64> p{};
    const IpAddress dst = solicited_node(target);
    p[0] = 0x60;   // version 6, traffic class 0, flow label 0
    p[5] = 24;     // payload length
    p[6] = kIcmpv6;
    p[7] = kHopLimit;
    // bytes 8..23: source :: (zero)
    std::copy_n(dst.bytes().begin(), 16, p.begin() + 24);
    unsigned char* icmp = p.data() + kIpv6Header;
    icmp[0] = kNeighbourSolicitation;  // code 0, reserved 0
    std::copy_n(target.bytes().begin(), 16, icmp + 8);
    const std::uint16_t sum = icmpv6_checksum(IpAddress::v6({}), dst, std::span<const unsigned char>(icmp, 24));
    icmp[2] = static_cast<unsigned char>(sum >> 8);
    icmp[3] = static_cast<unsigned char>(sum & 0xff);
    return p;
}

std::optional<GuardPacket> parse_ndp_packet(std::span<const unsigned char> b, int ifindex, bool outgoing,
                                            const MacAddress& link_source) {
    if (b.size() < kIpv6Header + 24 || (b[0] >> 4) != 6 || b[6] != kIcmpv6 || b[7] != kHopLimit) return std::nullopt;
    const std::size_t payload = (std::size_t{b[4]} << 8) | b[5];
    if (payload < 24 || kIpv6Header + payload > b.size()) return std::nullopt;
    const auto icmp = b.subspan(kIpv6Header, payload);
    const std::uint8_t type = icmp[0];
    if ((type != kNeighbourSolicitation && type != kNeighbourAdvertisement) || icmp[1] != 0) return std::nullopt;
    std::array<unsigned char, 1500> zeroed{};
    if (payload > zeroed.size()) return std::nullopt;
    std::copy(icmp.begin(), icmp.end(), zeroed.begin());
    zeroed[2] = zeroed[3] = 0;
    const std::uint16_t sum = static_cast<std::uint16_t>((icmp[2] << 8) | icmp[3]);
    const IpAddress src = address_at(b, 8);
    const IpAddress dst = address_at(b, 24);
    if (icmpv6_checksum(src, dst, std::span<const unsigned char>(zeroed.data(), payload)) != sum) return std::nullopt;
    const IpAddress target = address_at(icmp, 8);
    if (target.bytes()[0] == 0xff) return std::nullopt;  // a multicast target is invalid in both

    GuardPacket g;
    g.ifindex = ifindex;
    g.outgoing = outgoing;
    g.sender_mac = link_source;
    const std::uint8_t wanted = type == kNeighbourAdvertisement ? kTargetLinkLayer : kSourceLinkLayer;
    for (std::size_t at = 24; at < payload;) {
        if (payload - at < 2 || icmp[at + 1] == 0) return std::nullopt;  // a zero-length option is invalid
        const std::size_t len = std::size_t{icmp[at + 1]} * 8;
        if (at + len > payload) return std::nullopt;
        if (icmp[at] == wanted && len >= 8) std::copy_n(icmp.begin() + static_cast<std::ptrdiff_t>(at + 2), 6, g.sender_mac.begin());
        at += len;
    }
    if (type == kNeighbourAdvertisement) {
        g.claims = target;
    } else if (is_unspecified(src)) {
        g.probes = target;
    } else {
        g.claims = src;
    }
    return g;
}

}  // namespace ha::rsc
