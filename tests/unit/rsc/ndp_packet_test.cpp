// NDP for IPv6 VIPs: the unsolicited neighbour advertisement and the DAD probe byte for byte
// (checksums computed independently), the parser's validation, and the split-brain guard session
// (ArpProbe) fed through the NDP transport on a fake clock.
#include "rscd/ndp_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "ipc/clock.hpp"
#include "rscd/probe_transport.hpp"
#include "rsc_test_util.hpp"

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<unsigned char>;

const MacAddress kOurs{0x02, 0x00, 0x00, 0x00, 0x00, 0x12};
const MacAddress kPeer{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
const MacAddress kFrameSource{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr int kEth0 = 2;
const IpAddress kVip = *IpAddress::parse("2001:db8::100");
const Bytes kVipBytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00};

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// The holder's answer to a DAD probe, as Linux sends it: 2001:db8::100 → ff02::1, Override, with
// the target link-layer option. Checksum 0x5cc8 computed outside this code.
Bytes holder_na() {
    const Bytes header{0x60, 0, 0, 0, 0, 32, 58, 255};
    const Bytes all_nodes{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
    const Bytes icmp_head{136, 0, 0x5c, 0xc8, 0x20, 0, 0, 0};
    const Bytes option{2, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    return cat({header, kVipBytes, all_nodes, icmp_head, kVipBytes, option});
}

Bytes probe_bytes() {
    const auto p = ndp_probe_packet(kVip);
    return Bytes(p.begin(), p.end());
}

TEST(NdpPacket, UnsolicitedAdvertisementBytes) {
    const auto na = neighbour_advertisement(kVip, kPeer);
    const Bytes want = cat({{136, 0, 0, 0, 0x20, 0, 0, 0}, kVipBytes, {2, 1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}});
    EXPECT_EQ(Bytes(na.begin(), na.end()), want);  // type 136, O flag only, checksum left to the kernel
}

TEST(NdpPacket, ProbeIsADadSolicitationToTheSolicitedNodeGroup) {
    const auto p = ndp_probe_packet(kVip);
    const Bytes solicited{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x01, 0x00};
    const Bytes want = cat({{0x60, 0, 0, 0, 0, 24, 58, 255},  // IPv6, payload 24, ICMPv6, hop limit 255
                            Bytes(16, 0),                       // from ::
                            solicited,                          // to ff02::1:ff00:100
                            {135, 0, 0x4a, 0xef, 0, 0, 0, 0},   // NS, checksum 0x4aef, no options
                            kVipBytes});
    EXPECT_EQ(Bytes(p.begin(), p.end()), want);
    EXPECT_EQ(solicited_node(kVip).text(), "ff02::1:ff00:100");
    EXPECT_EQ(ipv6_multicast_mac(solicited_node(kVip)), (MacAddress{0x33, 0x33, 0xff, 0x00, 0x01, 0x00}));
    const ProbeFrame frame = probe_transport(IpFamily::v6).probe(ProbeTarget{"IPv6addr", kVip, kEth0, "eth0", kOurs});
    EXPECT_EQ(frame.payload, want);
    EXPECT_EQ(frame.destination, (MacAddress{0x33, 0x33, 0xff, 0x00, 0x01, 0x00}));
    // The guard's socket joins that group, so another node's DAD probe passes the NIC's filter.
    EXPECT_EQ(probe_transport(IpFamily::v6).listen_group(ProbeTarget{"IPv6addr", kVip, kEth0, "eth0", kOurs}),
              (MacAddress{0x33, 0x33, 0xff, 0x00, 0x01, 0x00}));
    EXPECT_FALSE(probe_transport(IpFamily::v4).listen_group(ProbeTarget{"IPaddr", IpAddress::v4(0xc0000264), kEth0, "eth0", kOurs}));
}

TEST(NdpPacket, AdvertisementClaimsItsTargetWithTheOptionsMac) {
    const Bytes na = holder_na();
    const auto g = parse_ndp_packet(na, kEth0, false, kFrameSource);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->claims, kVip);
    EXPECT_FALSE(g->probes);
    EXPECT_EQ(g->sender_mac, kPeer);  // the target link-layer option, not the frame's source
    EXPECT_EQ(g->ifindex, kEth0);
    // Without the option, the frame's source names the sender.
    Bytes bare(na.begin(), na.end() - 8);
    bare[5] = 24;
    const auto sum = icmpv6_checksum(kVip, *IpAddress::parse("ff02::1"),
                                     cat({{136, 0, 0, 0, 0x20, 0, 0, 0}, kVipBytes}));
    bare[42] = static_cast<unsigned char>(sum >> 8);
    bare[43] = static_cast<unsigned char>(sum & 0xff);
    const auto g2 = parse_ndp_packet(bare, kEth0, false, kFrameSource);
    ASSERT_TRUE(g2);
    EXPECT_EQ(g2->sender_mac, kFrameSource);
}

TEST(NdpPacket, DadSolicitationProbesAndOneFromAnAddressClaimsIt) {
    const auto probe = ndp_probe_packet(kVip);
    const auto g = parse_ndp_packet(probe, kEth0, true, kOurs);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->probes, kVip);
    EXPECT_FALSE(g->claims);
    EXPECT_TRUE(g->outgoing);
    EXPECT_EQ(g->sender_mac, kOurs);
    // The holder resolving a neighbour from the VIP: source = VIP, target another address.
    Bytes ns(probe.begin(), probe.end());
    std::copy(kVipBytes.begin(), kVipBytes.end(), ns.begin() + 8);
    ns[40 + 8 + 15] = 0x07;  // target 2001:db8::107
    ns[42] = ns[43] = 0;
    const auto sum = icmpv6_checksum(kVip, solicited_node(kVip), Bytes(ns.begin() + 40, ns.end()));
    ns[42] = static_cast<unsigned char>(sum >> 8);
    ns[43] = static_cast<unsigned char>(sum & 0xff);
    const auto from_vip = parse_ndp_packet(ns, kEth0, false, kPeer);
    ASSERT_TRUE(from_vip);
    EXPECT_EQ(from_vip->claims, kVip);
    EXPECT_FALSE(from_vip->probes);
}

TEST(NdpPacket, InvalidPacketsAreRefused) {
    const Bytes good = holder_na();
    ASSERT_TRUE(parse_ndp_packet(good, kEth0, false, kFrameSource));
    auto broken = [&](auto change) {
        Bytes b = good;
        change(b);
        return !parse_ndp_packet(b, kEth0, false, kFrameSource);
    };
    EXPECT_TRUE(broken([](Bytes& b) { b[7] = 254; }));           // routed: hop limit below 255
    EXPECT_TRUE(broken([](Bytes& b) { b[43] ^= 1; }));           // bad checksum
    EXPECT_TRUE(broken([](Bytes& b) { b[41] = 1; }));            // code 1
    EXPECT_TRUE(broken([](Bytes& b) { b[40] = 128; }));          // echo request
    EXPECT_TRUE(broken([](Bytes& b) { b[6] = 17; }));            // UDP
    EXPECT_TRUE(broken([](Bytes& b) { b[0] = 0x45; }));          // IPv4
    EXPECT_TRUE(broken([](Bytes& b) { b.resize(60); }));         // truncated
    EXPECT_TRUE(broken([](Bytes& b) { b[5] = 200; }));           // payload length past the end
    EXPECT_TRUE(broken([](Bytes& b) { b[65] = 0; }));            // zero-length option
    EXPECT_TRUE(broken([](Bytes& b) { b[48] = 0xff; }));         // multicast target
}

// --- the guard session with the NDP transport, on a fake clock ----------------------------------

class NdpSessionTest : public ::testing::Test {
protected:
    ArpProbe make(bool preferred = false, bool early = false) {
        options.deadtime = 5000ms;
        options.recheck = 200ms;
        return ArpProbe(ProbeRequest{"IPv6addr::2001:db8::100/64/eth0", early ? "40" : "41", preferred, false, early},
                        {ProbeTarget{"IPv6addr", kVip, kEth0, "eth0", kOurs}}, {kOurs}, options, log, clock.now());
    }
    // What the shell does with a frame read from the NDP socket.
    static GuardPacket seen(const Bytes& bytes, const MacAddress& source, bool outgoing = false) {
        return *probe_transport(IpFamily::v6).parse(bytes, kEth0, outgoing, source);
    }
    std::vector<Clearance> run_until(ArpProbe& s, ipc::SteadyTime until, int* probes = nullptr) {
        const auto actions = test::run_session_until(s, clock, until);
        if (probes) *probes += test::probe_count(actions);
        return test::clearances(actions);
    }
    static std::vector<Clearance> reports(const std::vector<ProbeAction>& actions) { return test::clearances(actions); }
    ArpProbeOptions options;
    ipc::CaptureLog log;
    ipc::FakeClock clock;
};

TEST_F(NdpSessionTest, NobodyAnswersClearAfterThreeProbesAndOneInterval) {
    auto s = make();
    int probes = 0;
    const auto t0 = clock.now();
    // Our own probe looped back (outgoing) changes nothing.
    EXPECT_TRUE(s.on_packet(seen(probe_bytes(), kOurs, true), t0).empty());
    auto end = run_until(s, t0 + 89ms, &probes);
    EXPECT_TRUE(end.empty());
    end = run_until(s, t0 + 90ms, &probes);
    ASSERT_EQ(end.size(), 1u);
    EXPECT_EQ(end[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(probes, 3);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "IPv6addr: 2001:db8::100 is free on eth0 (3 NDP probes unanswered)"), 1);
}

TEST_F(NdpSessionTest, HolderAdvertisementHoldsOnceNamingItsMacThenClearsAfterDeadtime) {
    auto s = make();
    (void)s.on_tick(clock.now());
    clock.advance(5ms);
    const auto held = reports(s.on_packet(seen(holder_na(), kFrameSource), clock.now()));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].verdict, ProbeVerdict::held);
    EXPECT_EQ(held[0].ip, "2001:db8::100");
    EXPECT_EQ(held[0].mac, "02:aa:bb:cc:dd:ee");
    EXPECT_EQ(held[0].iface, "eth0");
    EXPECT_EQ(log.count(ipc::LogLevel::crit,
                        "IPv6addr: 2001:db8::100 is still answered by 02:aa:bb:cc:dd:ee on eth0: not taking it over "
                        "(split-brain guard)"),
              1);
    clock.advance(1s);
    EXPECT_TRUE(reports(s.on_packet(seen(holder_na(), kFrameSource), clock.now())).empty());  // no second report
    const auto last = clock.now();
    EXPECT_TRUE(run_until(s, last + 4999ms).empty());
    const auto end = run_until(s, last + 5000ms);
    ASSERT_EQ(end.size(), 1u);
    EXPECT_EQ(end[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "split-brain"), 1);
}

TEST_F(NdpSessionTest, AnotherNodesDadProbeDefersOnlyTheNonPreferredNode) {
    const Bytes their_probe = probe_bytes();
    auto other = make(/*preferred=*/false);
    (void)other.on_tick(clock.now());
    const auto held = reports(other.on_packet(seen(their_probe, kPeer), clock.now()));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].mac, "02:aa:bb:cc:dd:ee");
    auto preferred = make(/*preferred=*/true);
    (void)preferred.on_tick(clock.now());
    EXPECT_TRUE(preferred.on_packet(seen(their_probe, kPeer), clock.now()).empty());
    const auto end = run_until(preferred, clock.now() + 90ms);
    ASSERT_EQ(end.size(), 1u);
    EXPECT_EQ(end[0].verdict, ProbeVerdict::clear);
}

TEST_F(NdpSessionTest, EarlyWindowRestartsOnAnAnswerAndClearsAtTheDecisionWhenComplete) {
    auto s = make(false, /*early=*/true);
    const auto t0 = clock.now();
    EXPECT_TRUE(run_until(s, t0 + 50ms).empty());
    EXPECT_TRUE(s.on_packet(seen(holder_na(), kFrameSource), clock.now()).empty());  // late peer: no verdict
    EXPECT_TRUE(run_until(s, t0 + 200ms).empty());  // never a verdict while early
    const auto at = reports(s.decide(ProbeRequest{"IPv6addr::2001:db8::100/64/eth0", "41", false, false, false}, clock.now()));
    ASSERT_EQ(at.size(), 1u);  // 3 rounds after the answer, the last one interval ago: clear at once
    EXPECT_EQ(at[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "(3 NDP probes unanswered, probed while the peer was late)"), 1);
}

}  // namespace
}  // namespace ha::rsc
