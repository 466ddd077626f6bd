// ProbeTransport — see probe_transport.hpp.
#include "rscd/probe_transport.hpp"

#include <fmt/format.h>
#include <linux/filter.h>
#include <net/ethernet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "rscd/ndp_packet.hpp"

namespace ha::rsc {

namespace {

class ArpTransport final : public ProbeTransport {
public:
    IpFamily family() const override { return IpFamily::v4; }
    std::string_view name() const override { return "ARP"; }
    std::uint16_t ethertype() const override { return ETH_P_ARP; }
    Result<void> narrow(int) const override { return {}; }  // the EtherType is the filter
    ProbeFrame probe(const ProbeTarget& target) const override {
        const auto p = arp_probe_payload(target);
        ProbeFrame f{{p.begin(), p.end()}, {}};
        f.destination.fill(0xff);  // Ethernet broadcast
        return f;
    }
    std::optional<MacAddress> listen_group(const ProbeTarget&) const override { return std::nullopt; }
    std::optional<GuardPacket> parse(std::span<const unsigned char> bytes, int ifindex, bool outgoing,
                                     const MacAddress&) const override {
        const auto arp = parse_arp_packet(bytes, ifindex, outgoing);
        if (!arp) return std::nullopt;
        return guard_packet(*arp);
    }
};

class NdpTransport final : public ProbeTransport {
public:
    IpFamily family() const override { return IpFamily::v6; }
    std::string_view name() const override { return "NDP"; }
    std::uint16_t ethertype() const override { return ETH_P_IPV6; }
    Result<void> narrow(int fd) const override {
        // Offsets from the IPv6 header (SOCK_DGRAM): next header ICMPv6, type 135 or 136.
        static sock_filter code[] = {
            {BPF_LD | BPF_B | BPF_ABS, 0, 0, 6},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 58},
            {BPF_LD | BPF_B | BPF_ABS, 0, 0, 40},
            {BPF_JMP | BPF_JEQ | BPF_K, 2, 0, kNeighbourSolicitation},
            {BPF_JMP | BPF_JEQ | BPF_K, 1, 0, kNeighbourAdvertisement},
            {BPF_RET | BPF_K, 0, 0, 0},
            {BPF_RET | BPF_K, 0, 0, 0xffff},
        };
        const sock_fprog program{static_cast<unsigned short>(std::size(code)), code};
        if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) < 0)
            return make_error("arp_send", fmt::format("cannot filter an NDP socket: {}", std::strerror(errno)));
        return {};
    }
    ProbeFrame probe(const ProbeTarget& target) const override {
        const auto p = ndp_probe_packet(target.address);
        return ProbeFrame{{p.begin(), p.end()}, ipv6_multicast_mac(solicited_node(target.address))};
    }
    std::optional<MacAddress> listen_group(const ProbeTarget& target) const override {
        return ipv6_multicast_mac(solicited_node(target.address));
    }
    std::optional<GuardPacket> parse(std::span<const unsigned char> bytes, int ifindex, bool outgoing,
                                     const MacAddress& link_source) const override {
        return parse_ndp_packet(bytes, ifindex, outgoing, link_source);
    }
};

}  // namespace

const ProbeTransport& probe_transport(IpFamily family) {
    static const ArpTransport arp;
    static const NdpTransport ndp;
    if (family == IpFamily::v6) return ndp;
    return arp;
}

}  // namespace ha::rsc
