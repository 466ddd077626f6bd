// ProbeService: one split-brain guard session per group — routing, refusals, replace, cancel,
// shutdown, and which VIPs are probed (probe_targets). No socket: probes go to a recorder.
#include "rscd/probe_service.hpp"

#include <gtest/gtest.h>

#include "rsc_test_util.hpp"

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;

const MacAddress kOurs{0x02, 0, 0, 0, 0, 0x12};
const MacAddress kPeer{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

HostView web2_host() {
    HostView h;
    h.links = {LinkInfo{1, "lo", {}, false, true}, LinkInfo{2, "eth0", kOurs, true, true}};
    h.addresses = {InterfaceAddress{1, "lo", "lo", IpAddress::v4(0x7f000001), 8},
                   InterfaceAddress{2, "eth0", "eth0", IpAddress::v4(0xc000020c), 24},
                   InterfaceAddress{2, "eth0", "eth0", *IpAddress::parse("2001:db8::12"), 64}};
    return h;
}

ipc::Message probe(const std::string& group, const std::string& seq, bool preferred = false, bool early = false) {
    ipc::Message m;
    m.add("t", "rsc_probe").add("group", group).add("seq", seq).add("preferred", preferred ? "yes" : "no");
    if (early) m.add("early", "yes");
    return m;
}

ipc::Message cancel(const std::string& group, const std::string& seq) {
    ipc::Message m;
    m.add("t", "rsc_probe_cancel").add("group", group).add("seq", seq);
    return m;
}

class ProbeServiceTest : public ::testing::Test {
protected:
    ProbeServiceTest() {
        hr.groups.push_back(test::group_of({test::builtin_ip("192.0.2.100/24/eth0"), test::script("nginx")}));
        hr.groups.push_back(test::group_of({test::script("mail")}));
        hr.groups.push_back(test::group_of({test::builtin_ip("2001:db8::100/64/eth0", "IPv6addr"),
                                            test::builtin_ip("192.0.2.101/24/eth0", "IPaddr2")}));
        options.deadtime = 2000ms;
        options.recheck = 100ms;
    }
    ProbeService make() {
        return ProbeService(
            hr, options, [this]() -> Result<HostView> { return host; }, [this](const ipc::Message& m) { sent.push_back(m); },
            [this](const ProbeTarget& t) -> Result<void> {
                arp.push_back(t);
                if (arp_fails) return make_error("arp_send", "no");
                return {};
            },
            log);
    }
    std::vector<std::string> verdicts() const {
        std::vector<std::string> out;
        for (const auto& m : sent) {
            std::string v = m.get_or("seq", "") + " " + m.get_or("verdict", "");
            if (m.has("error")) v += " " + m.get_or("error", "");
            out.push_back(v);
        }
        return out;
    }
    void run(ProbeService& s, std::chrono::milliseconds d) {
        const auto until = clock.now() + d;
        while (auto next = s.next_deadline()) {
            if (*next > until) break;
            if (*next > clock.now()) clock.advance(*next - clock.now());
            s.on_tick(clock.now());
        }
        if (until > clock.now()) clock.advance(until - clock.now());
    }
    GuardPacket answer() const {
        ArpPacket p;
        p.ifindex = 2;
        p.op = 2;
        p.sender_mac = kPeer;
        p.sender_ip = 0xc0000264;
        return guard_packet(p);
    }
    conf::Haresources hr;
    HostView host = web2_host();
    ArpProbeOptions options;
    std::vector<ipc::Message> sent;
    std::vector<ProbeTarget> arp;
    bool arp_fails = false;
    ipc::CaptureLog log;
    ipc::FakeClock clock;
    const std::string g1 = "IPaddr::192.0.2.100/24/eth0";
};

TEST_F(ProbeServiceTest, FreeVipIsClearAfterTheWindow) {
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    EXPECT_EQ(s.interfaces(), (std::vector<ProbeInterface>{{2, IpFamily::v4}}));
    ASSERT_EQ(arp.size(), 1u);
    EXPECT_EQ(arp[0].iface, "eth0");
    EXPECT_EQ(arp[0].mac, kOurs);
    run(s, 90ms);
    EXPECT_EQ(arp.size(), 3u);
    EXPECT_EQ(verdicts(), std::vector<std::string>{"1 clear"});
    EXPECT_EQ(s.sessions(), 0u);
    EXPECT_TRUE(s.interfaces().empty());
}

TEST_F(ProbeServiceTest, Ipv6AndIpv4VipsOfOneGroupAreProbedEachByItsFamily) {
    auto s = make();
    const std::string g3 = hr.groups[2].key();
    ASSERT_EQ(g3, "IPv6addr::2001:db8::100/64/eth0");
    s.on_bus_message(probe(g3, "6"), clock.now());
    EXPECT_EQ(s.interfaces(), (std::vector<ProbeInterface>{{2, IpFamily::v6}, {2, IpFamily::v4}}));
    ASSERT_EQ(arp.size(), 2u);
    EXPECT_EQ(arp[0].address.text(), "2001:db8::100");
    EXPECT_EQ(arp[0].agent, "IPv6addr");
    EXPECT_EQ(arp[1].address.text(), "192.0.2.101");
    // A neighbour advertisement for the IPv6 VIP holds the group, naming the IPv6 address.
    GuardPacket na;
    na.ifindex = 2;
    na.sender_mac = kPeer;
    na.claims = *IpAddress::parse("2001:db8::100");
    s.on_packet(na, clock.now());
    ASSERT_EQ(verdicts(), std::vector<std::string>{"6 held"});
    EXPECT_EQ(sent[0].get_or("ip", ""), "2001:db8::100");
    EXPECT_EQ(sent[0].get_or("mac", ""), "02:aa:bb:cc:dd:ee");
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "IPv6addr: 2001:db8::100 is still answered by 02:aa:bb:cc:dd:ee on eth0"), 1);
    run(s, 2000ms);
    EXPECT_EQ(verdicts(), (std::vector<std::string>{"6 held", "6 clear"}));
}

TEST_F(ProbeServiceTest, Ipv6VipAlreadyHereIsNotProbed) {
    host.addresses.push_back(InterfaceAddress{2, "eth0", "eth0", *IpAddress::parse("2001:db8::100"), 64});
    auto s = make();
    s.on_bus_message(probe(hr.groups[2].key(), "7"), clock.now());
    EXPECT_EQ(log.count("2001:db8::100 is already on eth0: not probed"), 1);
    ASSERT_EQ(arp.size(), 1u);  // only the IPv4 VIP of the group
    EXPECT_EQ(arp[0].address.text(), "192.0.2.101");
}

TEST_F(ProbeServiceTest, Ipv6CopyTheKernelWillNotUseIsProbedAsIfAbsent) {
    InterfaceAddress failed{2, "eth0", "eth0", *IpAddress::parse("2001:db8::100"), 64};
    failed.usable = false;  // tentative, or its DAD failed: someone else may hold the VIP
    host.addresses.push_back(failed);
    auto s = make();
    s.on_bus_message(probe(hr.groups[2].key(), "8"), clock.now());
    EXPECT_EQ(log.count("already on eth0"), 0);
    ASSERT_EQ(arp.size(), 2u);
    EXPECT_EQ(arp[0].address.text(), "2001:db8::100");
}

TEST_F(ProbeServiceTest, HeldThenClearAfterDeadtime) {
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    s.on_packet(answer(), clock.now());
    EXPECT_EQ(verdicts(), std::vector<std::string>{"1 held"});
    EXPECT_EQ(sent[0].get_or("mac", ""), "02:aa:bb:cc:dd:ee");
    run(s, 1999ms);
    EXPECT_EQ(sent.size(), 1u);
    run(s, 1ms);
    EXPECT_EQ(verdicts(), (std::vector<std::string>{"1 held", "1 clear"}));
}

TEST_F(ProbeServiceTest, GroupWithoutVipIsClearAtOnceAndUnknownGroupIsRefused) {
    auto s = make();
    s.on_bus_message(probe("mail", "2"), clock.now());
    s.on_bus_message(probe("IPaddr::192.0.2.99", "3"), clock.now());
    EXPECT_EQ(verdicts(), (std::vector<std::string>{"2 clear", "3 error unknown_group"}));
    EXPECT_TRUE(arp.empty());
    EXPECT_EQ(s.sessions(), 0u);
}

TEST_F(ProbeServiceTest, VipAlreadyHereOrUnresolvableIsNotProbed) {
    host.addresses.push_back(InterfaceAddress{2, "eth0", "eth0:0", IpAddress::v4(0xc0000264), 24});
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    EXPECT_EQ(verdicts(), std::vector<std::string>{"1 clear"});
    EXPECT_EQ(log.count("192.0.2.100 is already on eth0: not probed"), 1);

    host = web2_host();
    host.links.pop_back();  // no eth0 here
    sent.clear();
    s.on_bus_message(probe(g1, "2"), clock.now());
    EXPECT_EQ(verdicts(), std::vector<std::string>{"2 clear"});
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "cannot probe 192.0.2.100"), 1);
    EXPECT_TRUE(arp.empty());
}

TEST_F(ProbeServiceTest, NewProbeReplacesTheSessionAndCancelEndsItSilently) {
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    s.on_packet(answer(), clock.now());  // "1" is held
    s.on_bus_message(probe(g1, "2", true), clock.now());
    ASSERT_EQ(s.sessions(), 1u);
    EXPECT_EQ(s.session(g1)->request().seq, "2");
    EXPECT_FALSE(s.session(g1)->held());
    s.on_bus_message(cancel(g1, "1"), clock.now());  // stale seq: ignored
    EXPECT_EQ(s.sessions(), 1u);
    s.on_bus_message(cancel(g1, "2"), clock.now());
    EXPECT_EQ(s.sessions(), 0u);
    EXPECT_FALSE(s.next_deadline());
    run(s, 10s);
    EXPECT_EQ(verdicts(), std::vector<std::string>{"1 held"});  // nothing for "2": cancel is silent
}

TEST_F(ProbeServiceTest, EarlySessionIsDecidedByTheDecisiveProbeWithItsHistory) {
    auto s = make();
    s.on_bus_message(probe(g1, "p1", false, true), clock.now());  // the peer is late
    ASSERT_EQ(s.sessions(), 1u);
    EXPECT_TRUE(s.session(g1)->early());
    run(s, 200ms);
    EXPECT_TRUE(sent.empty());  // no verdict while the peer is only late
    EXPECT_GE(arp.size(), 6u);
    s.on_bus_message(probe(g1, "p2"), clock.now());  // the dead decision
    EXPECT_EQ(verdicts(), std::vector<std::string>{"p2 clear"});  // at once: the window is complete
    EXPECT_EQ(s.sessions(), 0u);
}

TEST_F(ProbeServiceTest, EarlySessionCancelledWhenThePeerIsHeardAgain) {
    auto s = make();
    s.on_bus_message(probe(g1, "p1", false, true), clock.now());
    s.on_bus_message(probe("IPaddr::192.0.2.100/24/eth0x", "p9", false, true), clock.now());  // unknown: refused
    s.on_bus_message(cancel(g1, "p1"), clock.now());
    EXPECT_EQ(s.sessions(), 0u);
    run(s, 1s);
    EXPECT_EQ(verdicts(), std::vector<std::string>{"p9 error unknown_group"});
    // A group without a VIP: the early session waits for its decision, then clears at once.
    const std::string mail = hr.groups[1].key();
    s.on_bus_message(probe(mail, "p3", false, true), clock.now());
    run(s, 1s);
    ASSERT_EQ(s.sessions(), 1u);
    s.on_bus_message(probe(mail, "p4"), clock.now());
    EXPECT_EQ(verdicts().back(), "p4 clear");
    EXPECT_EQ(s.sessions(), 0u);
}

TEST_F(ProbeServiceTest, ShutdownEndsSessionsAndRefusesNewOnes) {
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    s.shutdown();
    s.on_bus_message(probe(g1, "2"), clock.now());
    EXPECT_EQ(verdicts(), (std::vector<std::string>{"1 error shutting_down", "2 error shutting_down"}));
    EXPECT_EQ(s.sessions(), 0u);
}

TEST_F(ProbeServiceTest, FailuresAreErrorsAndBadMessagesAreDropped) {
    arp_fails = true;
    auto s = make();
    s.on_bus_message(probe(g1, "1"), clock.now());
    EXPECT_EQ(verdicts(), std::vector<std::string>{"1 error arp_send"});
    EXPECT_EQ(s.sessions(), 0u);

    ipc::Message bad = probe(g1, "2");
    bad.add("op", "start");
    s.on_bus_message(bad, clock.now());
    EXPECT_EQ(sent.size(), 1u);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "dropped bus message from master: rsc_probe: unexpected field \"op\""), 1);
}

}  // namespace
}  // namespace ha::rsc
