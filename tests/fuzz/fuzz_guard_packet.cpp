// fuzz_guard_packet — libFuzzer target for the split-brain guard's wire parsers: the NDP parser
// (rscd/ndp_packet.hpp, IPv6 VIPs) and the ARP parser (rscd/arp_probe.hpp, IPv4 VIPs), both fed
// straight from a packet socket by rscd.
//
// The input is one packet from the network header on, as the guard's socket reads it; both parsers
// get it. Invariants: a parsed NDP packet either claims or probes an IPv6 address, never both, and
// keeps the ifindex and direction it was given; an ARP packet that parses is a request or a reply,
// and what the session sees of it (guard_packet) never both claims and probes.
// rscd/ndp_packet.cpp, arp_probe.cpp and ip_address.cpp are compiled into this target
// (tests/fuzz/CMakeLists.txt). Seeds: tests/fuzz/corpus/guard_packet (a holder's neighbour
// advertisement, our DAD probe, an RFC 5227 probe).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "rscd/ndp_packet.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_guard_packet: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const unsigned char> bytes(data, size);
    const ha::rsc::MacAddress source{0x02, 0, 0, 0, 0, 0x01};
    if (const auto g = ha::rsc::parse_ndp_packet(bytes, 7, true, source)) {
        check(g->claims.has_value() != g->probes.has_value(), "NDP: exactly one of claims / probes");
        check((g->claims ? *g->claims : *g->probes).is_v6(), "NDP: an IPv6 address");
        check(g->ifindex == 7 && g->outgoing, "NDP: ifindex and direction kept");
    }
    if (const auto a = ha::rsc::parse_arp_packet(bytes, 7, false)) {
        check(a->op == 1 || a->op == 2, "ARP: request or reply");
        const auto g = ha::rsc::guard_packet(*a);
        check(!(g.claims && g.probes), "ARP: never both claims and probes");
    }
    return 0;
}
