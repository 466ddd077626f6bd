// ArpProbe (the split-brain guard's decision core) with a fake clock: window, held, deadtime,
// what is ignored, the simultaneous-probe tie-break; and the RFC 5227 packet format.
#include "rscd/arp_probe.hpp"

#include <gtest/gtest.h>

#include "rscd/arp_guard.hpp"

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;

const MacAddress kOurs{0x02, 0x00, 0x00, 0x00, 0x00, 0x12};
const MacAddress kOurOther{0x02, 0x00, 0x00, 0x00, 0x01, 0x12};  // another of our interfaces
const MacAddress kPeer{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
constexpr std::uint32_t kVip = 0xc0000264;  // 192.0.2.100
constexpr int kEth0 = 2;

ProbeTarget eth0_target() { return ProbeTarget{"IPaddr", kVip, kEth0, "eth0", kOurs}; }

ArpPacket reply_from(const MacAddress& mac, std::uint32_t sender_ip = kVip) {
    ArpPacket p;
    p.ifindex = kEth0;
    p.op = 2;
    p.sender_mac = mac;
    p.sender_ip = sender_ip;
    p.target_mac = kOurs;
    return p;
}

ArpPacket probe_from(const MacAddress& mac) {
    ArpPacket p;
    p.ifindex = kEth0;
    p.op = 1;
    p.sender_mac = mac;
    p.target_ip = kVip;
    return p;
}

int probes(const std::vector<ProbeAction>& actions) {
    int n = 0;
    for (const auto& a : actions) n += std::holds_alternative<SendProbe>(a) ? 1 : 0;
    return n;
}

std::vector<Clearance> reports(const std::vector<ProbeAction>& actions) {
    std::vector<Clearance> out;
    for (const auto& a : actions)
        if (const auto* c = std::get_if<Clearance>(&a)) out.push_back(*c);
    return out;
}

class ArpProbeTest : public ::testing::Test {
protected:
    ArpProbe make(bool preferred = false, std::vector<ProbeTarget> targets = {eth0_target()}, bool early = false) {
        options.deadtime = 5000ms;
        options.recheck = 200ms;
        return ArpProbe(ProbeRequest{"IPaddr::192.0.2.100/24/eth0", early ? "40" : "41", preferred, false, early},
                        std::move(targets), {kOurs, kOurOther}, options, log, clock.now());
    }
    // The early session of a late peer (seq 40); decide() with the decisive request (seq 41).
    ArpProbe make_early(bool preferred = false, std::vector<ProbeTarget> targets = {eth0_target()}) {
        return make(preferred, std::move(targets), true);
    }
    static ProbeRequest decisive(bool preferred = false) {
        return ProbeRequest{"IPaddr::192.0.2.100/24/eth0", "41", preferred, false, false};
    }
    // Ticks at every deadline until `until`; collects the actions.
    std::vector<ProbeAction> run_until(ArpProbe& s, ipc::SteadyTime until) {
        std::vector<ProbeAction> all;
        while (auto d = s.next_deadline()) {
            if (*d > until) break;
            if (*d > clock.now()) clock.advance(*d - clock.now());
            auto a = s.on_tick(clock.now());
            all.insert(all.end(), a.begin(), a.end());
        }
        if (until > clock.now()) clock.advance(until - clock.now());
        return all;
    }
    ArpProbeOptions options;
    ipc::FakeClock clock;
    ipc::CaptureLog log;
};

TEST_F(ArpProbeTest, WindowOfThreeUnansweredProbesIsClearAt90Ms) {
    auto s = make();
    const auto t0 = clock.now();
    auto first = s.on_tick(t0);
    EXPECT_EQ(probes(first), 1);
    EXPECT_EQ(s.next_deadline(), t0 + 30ms);
    auto rest = run_until(s, t0 + 89ms);
    EXPECT_EQ(probes(rest), 2);
    EXPECT_TRUE(reports(rest).empty());
    EXPECT_EQ(s.next_deadline(), t0 + 90ms);
    auto end = run_until(s, t0 + 90ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(reports(end)[0].seq, "41");
    EXPECT_TRUE(s.done());
    EXPECT_FALSE(s.next_deadline());
    EXPECT_EQ(log.count(ipc::LogLevel::info, "IPaddr: 192.0.2.100 is free on eth0 (3 ARP probes unanswered)"), 1);
}

TEST_F(ArpProbeTest, ReplyHoldsOnceThenClearsExactlyAfterDeadtimeOfSilence) {
    auto s = make();
    const auto t0 = clock.now();
    (void)s.on_tick(t0);
    clock.advance(10ms);
    auto held = reports(s.on_packet(reply_from(kPeer), clock.now()));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].verdict, ProbeVerdict::held);
    EXPECT_EQ(held[0].ip, "192.0.2.100");
    EXPECT_EQ(held[0].mac, "02:aa:bb:cc:dd:ee");
    EXPECT_EQ(held[0].iface, "eth0");
    EXPECT_TRUE(s.held());
    const auto first_conflict = clock.now();

    // More answers: no second report, no second CRIT; the last one (at +3 s) refreshes "last heard".
    clock.advance(1s);
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
    clock.advance(2s);
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
    const auto last_conflict = clock.now();
    ASSERT_EQ(last_conflict, first_conflict + 3s);

    // Rechecks go on every 200 ms; no verdict until deadtime after the last conflict.
    auto during = run_until(s, last_conflict + 5000ms - 1ms);
    EXPECT_TRUE(reports(during).empty());
    EXPECT_GE(probes(during), 24);
    EXPECT_FALSE(s.done());
    auto end = run_until(s, last_conflict + 5000ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_TRUE(s.done());
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "IPaddr: 192.0.2.100 is still answered by 02:aa:bb:cc:dd:ee on eth0: "
                                             "not taking it over (split-brain guard)"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "IPaddr: 192.0.2.100: no answer from 02:aa:bb:cc:dd:ee for 5000 ms "
                                             "(deadtime); taking it over"), 1);
}

TEST_F(ArpProbeTest, GratuitousArpAfterTheWindowStartedAlsoHolds) {
    auto s = make();
    (void)s.on_tick(clock.now());
    clock.advance(80ms);
    ArpPacket garp = probe_from(kPeer);
    garp.sender_ip = kVip;  // gratuitous: sender IP = target IP = VIP
    EXPECT_EQ(reports(s.on_packet(garp, clock.now())).size(), 1u);
    auto later = run_until(s, clock.now() + 100ms);
    EXPECT_TRUE(reports(later).empty());  // the window's verdict time passes without a clear
}

TEST_F(ArpProbeTest, OwnMacsOutgoingOtherInterfacesAndOtherAddressesAreIgnored) {
    auto s = make();
    (void)s.on_tick(clock.now());
    ArpPacket outgoing = reply_from(kPeer);
    outgoing.outgoing = true;
    ArpPacket other_if = reply_from(kPeer);
    other_if.ifindex = 3;
    for (const ArpPacket& p : {reply_from(kOurs), reply_from(kOurOther), outgoing, other_if,
                               reply_from(kPeer, 0xc000020b) /* 192.0.2.11 */, probe_from(kOurs)})
        EXPECT_TRUE(s.on_packet(p, clock.now()).empty());
    auto end = run_until(s, clock.now() + 90ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "split-brain"), 0);
}

TEST_F(ArpProbeTest, SimultaneousProbeDefersOnlyTheNonPreferredNode) {
    auto other = make(/*preferred=*/false);
    (void)other.on_tick(clock.now());
    auto held = reports(other.on_packet(probe_from(kPeer), clock.now()));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].verdict, ProbeVerdict::held);

    auto preferred = make(/*preferred=*/true);
    (void)preferred.on_tick(clock.now());
    EXPECT_TRUE(preferred.on_packet(probe_from(kPeer), clock.now()).empty());
    auto end = run_until(preferred, clock.now() + 90ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    // A real answer holds the preferred node too.
    auto again = make(/*preferred=*/true);
    (void)again.on_tick(clock.now());
    EXPECT_EQ(reports(again.on_packet(reply_from(kPeer), clock.now())).size(), 1u);
}

TEST_F(ArpProbeTest, NoTargetIsClearAtOnce) {
    auto s = make(false, {});
    EXPECT_EQ(s.next_deadline(), clock.now());
    auto a = s.on_tick(clock.now());
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(std::get<Clearance>(a[0]).verdict, ProbeVerdict::clear);
    EXPECT_TRUE(s.done());
}

TEST_F(ArpProbeTest, TwoVipsClearOnlyWhenEveryHolderIsSilent) {
    ProbeTarget second{"IPaddr2", 0xc0000265 /* 192.0.2.101 */, kEth0, "eth0", kOurs};
    auto s = make(false, {eth0_target(), second});
    EXPECT_EQ(probes(s.on_tick(clock.now())), 2);
    EXPECT_EQ(reports(s.on_packet(reply_from(kPeer), clock.now())).size(), 1u);
    clock.advance(2s);
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer, 0xc0000265), clock.now())).empty());  // held once only
    EXPECT_TRUE(reports(run_until(s, clock.now() + 4999ms)).empty());
    auto end = run_until(s, clock.now() + 1ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "(deadtime); taking it over"), 2);
}

// --- the early session: probing while the peer is late (docs/split-brain.md, "Timing") ---------

TEST_F(ArpProbeTest, EarlySessionNeverGivesAVerdictBeforeTheDecision) {
    auto s = make_early();
    EXPECT_TRUE(s.early());
    auto all = run_until(s, clock.now() + 10s);
    EXPECT_TRUE(reports(all).empty());
    EXPECT_GE(probes(all), 330);  // every 30 ms, on and on
    EXPECT_FALSE(s.done());
    // Even a holder answering is no verdict yet: the peer is only late.
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
    EXPECT_FALSE(s.held());
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "split-brain"), 0);
}

TEST_F(ArpProbeTest, WindowCompletedWhileLateClearsAtTheDecision) {
    auto s = make_early();
    const auto t0 = clock.now();
    auto before = run_until(s, t0 + 150ms);  // rounds at 0, 30, 60, 90, 120, 150
    EXPECT_EQ(probes(before), 6);
    auto at = s.decide(decisive(), clock.now());
    ASSERT_EQ(reports(at).size(), 1u);
    EXPECT_EQ(reports(at)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(reports(at)[0].seq, "41");  // the decisive request's seq
    EXPECT_EQ(probes(at), 0);
    EXPECT_TRUE(s.done());
    EXPECT_EQ(log.count(ipc::LogLevel::info, "IPaddr: 192.0.2.100 is free on eth0 (3 ARP probes unanswered, probed "
                                             "while the peer was late)"), 1);
}

TEST_F(ArpProbeTest, RoundsWithoutTheirFullIntervalDoNotCountAtTheDecision) {
    auto s = make_early();
    const auto t0 = clock.now();
    (void)run_until(s, t0 + 70ms);  // rounds at 0, 30, 60: the third has not had its interval yet
    EXPECT_TRUE(reports(s.decide(decisive(), clock.now())).empty());
    EXPECT_FALSE(s.early());
    EXPECT_EQ(s.next_deadline(), t0 + 90ms);  // the same verdict time as a window begun at t0
    auto end = run_until(s, t0 + 90ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(probes(end), 0);
}

TEST_F(ArpProbeTest, ReplyInTheLastIntervalBeforeTheDecisionRestartsTheWindow) {
    auto s = make_early();
    const auto t0 = clock.now();
    (void)run_until(s, t0 + 145ms);  // rounds at 0 … 120: a complete window already
    // The holder answers the round of 120 ms at 145 ms, 5 ms before the decision.
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
    clock.advance(5ms);
    auto at = s.decide(decisive(), clock.now());  // t0 + 150: the round due now goes out, no verdict
    EXPECT_TRUE(reports(at).empty());
    EXPECT_EQ(probes(at), 1);
    // Silent from then on (it released the VIP): three rounds after the answer, 150/180/210 → 240.
    EXPECT_TRUE(reports(run_until(s, t0 + 239ms)).empty());
    auto end = run_until(s, t0 + 240ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "split-brain"), 0);
}

TEST_F(ArpProbeTest, HolderStillAnsweringAfterTheDecisionIsHeldWithOneCrit) {
    auto s = make_early();
    const auto t0 = clock.now();
    (void)run_until(s, t0 + 100ms);
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());  // late peer, still holding
    clock.advance(50ms);
    EXPECT_TRUE(reports(s.decide(decisive(), clock.now())).empty());
    clock.advance(3ms);
    auto held = reports(s.on_packet(reply_from(kPeer), clock.now()));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].verdict, ProbeVerdict::held);
    EXPECT_EQ(held[0].seq, "41");
    EXPECT_EQ(held[0].mac, "02:aa:bb:cc:dd:ee");
    EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "IPaddr: 192.0.2.100 is still answered by 02:aa:bb:cc:dd:ee on eth0: "
                                             "not taking it over (split-brain guard)"), 1);
    // And the held rule as before: deadtime of silence after the last answer.
    const auto last = clock.now();
    EXPECT_TRUE(reports(run_until(s, last + 4999ms)).empty());
    auto end = run_until(s, last + 5000ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
}

TEST_F(ArpProbeTest, SimultaneousProbeWhileLateKeepsTheNonPreferredWindowOpen) {
    auto s = make_early(/*preferred=*/false);
    const auto t0 = clock.now();
    (void)run_until(s, t0 + 130ms);
    EXPECT_TRUE(s.on_packet(probe_from(kPeer), clock.now()).empty());  // the peer probes for the VIP too
    EXPECT_TRUE(reports(s.decide(decisive(), clock.now())).empty());
    auto held = reports(s.on_packet(probe_from(kPeer), clock.now() + 10ms));
    ASSERT_EQ(held.size(), 1u);
    EXPECT_EQ(held[0].verdict, ProbeVerdict::held);
}

TEST_F(ArpProbeTest, EarlySessionWithoutTargetClearsOnlyAtTheDecision) {
    auto s = make_early(false, {});
    EXPECT_FALSE(s.next_deadline());
    EXPECT_TRUE(s.on_tick(clock.now()).empty());
    clock.advance(1s);
    auto at = s.decide(decisive(), clock.now());
    ASSERT_EQ(reports(at).size(), 1u);
    EXPECT_EQ(reports(at)[0].verdict, ProbeVerdict::clear);
}

TEST(ArpProbePacket, ProbeIsRfc5227AndParsesBack) {
    const auto p = arp_probe_payload(eth0_target());
    const std::array<unsigned char, 28> want{0, 1, 8, 0, 6, 4, 0, 1,
                                             0x02, 0, 0, 0, 0, 0x12, 0, 0, 0, 0,  // sender MAC ours, sender IP 0
                                             0, 0, 0, 0, 0, 0, 192, 0, 2, 100};  // target MAC 0, target IP VIP
    EXPECT_EQ(p, want);
    auto back = parse_arp_packet(p, kEth0, true);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->op, 1);
    EXPECT_EQ(back->sender_mac, kOurs);
    EXPECT_EQ(back->sender_ip, 0u);
    EXPECT_EQ(back->target_ip, kVip);
    EXPECT_TRUE(back->outgoing);
    EXPECT_EQ(back->ifindex, kEth0);
}

TEST(ArpProbePacket, RefusesShortAndForeignPackets) {
    auto p = arp_probe_payload(eth0_target());
    EXPECT_FALSE(parse_arp_packet(std::span<const unsigned char>(p.data(), 27), kEth0, false));
    auto other_hw = p;
    other_hw[1] = 6;
    EXPECT_FALSE(parse_arp_packet(other_hw, kEth0, false));
    auto rarp = p;
    rarp[7] = 3;
    EXPECT_FALSE(parse_arp_packet(rarp, kEth0, false));
    auto ipv6 = p;
    ipv6[2] = 0x86;
    ipv6[3] = 0xdd;
    EXPECT_FALSE(parse_arp_packet(ipv6, kEth0, false));
}

TEST(ArpProbePacket, ProbeIntervalFollowsAFastKeepaliveAndTheMastersLeadFollowsIt) {
    conf::HaCf cf;
    RscdOptions o;  // --arp-probe-interval 30 by default
    cf.keepalive = 100ms;
    EXPECT_EQ(arp_probe_options(cf, o).interval, 30ms);
    EXPECT_EQ(conf::guard_lead(cf.keepalive), 240ms);
    cf.keepalive = 20ms;
    EXPECT_EQ(arp_probe_options(cf, o).interval, 20ms);
    EXPECT_EQ(conf::guard_lead(cf.keepalive), 160ms);
    cf.keepalive = 5ms;
    EXPECT_EQ(arp_probe_options(cf, o).interval, 10ms);  // never below 10 ms
    EXPECT_EQ(conf::guard_lead(cf.keepalive), 80ms);
    o.arp_probe_interval = 15ms;
    cf.keepalive = 1000ms;
    EXPECT_EQ(arp_probe_options(cf, o).interval, 15ms);  // a shorter configured interval stays
}

TEST(ArpProbePacket, RecheckIsKeepaliveClamped) {
    EXPECT_EQ(probe_recheck_interval(10ms), 50ms);
    EXPECT_EQ(probe_recheck_interval(200ms), 200ms);
    EXPECT_EQ(probe_recheck_interval(2000ms), 1000ms);
}

}  // namespace
}  // namespace ha::rsc

namespace ha::rsc {

// keepalive 10ms / deadtime 50ms: the recheck is clamped to 50 ms, as long as deadtime. A holder
// that answers every probe a few ms later, on a loop that runs a few ms late, must keep holding:
// the clear waits for 4 unanswered rechecks (200 ms), not deadtime.
TEST_F(ArpProbeTest, AtAShortDeadtimeAHolderAnsweringEveryRecheckKeepsHolding) {
    options.deadtime = 50ms;
    options.recheck = probe_recheck_interval(10ms);
    ASSERT_EQ(options.recheck, 50ms);
    ArpProbe s(ProbeRequest{"IPaddr::192.0.2.100/24/eth0", "41", false, false, false}, {eth0_target()}, {kOurs, kOurOther},
               options, log, clock.now());
    (void)s.on_tick(clock.now());
    clock.advance(1ms);
    ASSERT_EQ(reports(s.on_packet(reply_from(kPeer), clock.now())).size(), 1u);  // held
    for (int round = 0; round < 40; ++round) {
        auto d = s.next_deadline();
        ASSERT_TRUE(d.has_value());
        clock.advance(*d - clock.now() + 4ms);  // the loop wakes 4 ms late
        auto actions = s.on_tick(clock.now());
        EXPECT_TRUE(reports(actions).empty()) << "round " << round;
        if (probes(actions) > 0) {
            clock.advance(3ms);  // the holder's kernel answers
            EXPECT_TRUE(reports(s.on_packet(reply_from(kPeer), clock.now())).empty());
        }
    }
    EXPECT_FALSE(s.done());
    // The holder goes quiet: clear 4 rechecks after its last answer.
    const auto last = clock.now();
    auto quiet = run_until(s, last + 199ms);
    EXPECT_TRUE(reports(quiet).empty());
    auto end = run_until(s, last + 200ms);
    ASSERT_EQ(reports(end).size(), 1u);
    EXPECT_EQ(reports(end)[0].verdict, ProbeVerdict::clear);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "no answer from 02:aa:bb:cc:dd:ee for 200 ms (4 rechecks unanswered); taking it over"), 1);
}

}  // namespace ha::rsc
