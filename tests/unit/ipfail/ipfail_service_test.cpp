// IpfailService + Arbiter: ping status reports, the §7.2 count exchange, give-up timing and the
// isolation tie-breaker, all on a fake clock with a captured bus.
#include <gtest/gtest.h>

#include "ipfaild/ipfail_service.hpp"

namespace ha::ipfail {
namespace {

using namespace std::chrono_literals;

class IpfailServiceTest : public ::testing::Test {
protected:
    IpfailServiceTest() : service_(config(false), [this](const ipc::Message& m) { sent_.push_back(m); }, clock_, log_) {}

    static ServiceConfig config(bool auto_failback) {
        return ServiceConfig{"web1",
                             "web2",
                             {conf::PingNode{"192.0.2.1", {"192.0.2.1"}, false, 1},
                              conf::PingNode{"gw", {"192.0.2.2", "192.0.2.3"}, true, 2}},
                             1000ms,
                             3000ms,
                             auto_failback};
    }

    static ipc::Message peer(std::string_view type, std::string_view num_ping = {}) {
        ipc::Message m;
        m.add("t", type);
        if (!num_ping.empty()) m.add("num_ping", num_ping);
        m.add("dest", "web1");
        m.add("from_id", "ipfail");
        m.add("to_id", "ipfail");
        m.add("src", "web2");
        return m;
    }
    static ipc::Message master(std::string_view type, std::string_view a, std::string_view av, std::string_view b = {},
                               std::string_view bv = {}) {
        ipc::Message m;
        m.add("t", type);
        m.add(a, av);
        if (!b.empty()) m.add(b, bv);
        return m;
    }

    void tick() { service_.on_tick(clock_.now()); }
    void advance(std::chrono::milliseconds d) {
        clock_.advance(d);
        tick();
    }
    // Messages of type `t` sent since the last clear.
    std::vector<ipc::Message> sent(std::string_view t) const {
        std::vector<ipc::Message> out;
        for (const auto& m : sent_)
            if (m.type() == t) out.push_back(m);
        return out;
    }
    void both_up() {
        service_.on_reply("192.0.2.1", clock_.now());
        service_.on_reply("192.0.2.3", clock_.now());
        sent_.clear();
        log_.clear();
    }

    ipc::FakeClock clock_;
    ipc::CaptureLog log_;
    std::vector<ipc::Message> sent_;
    IpfailService service_;
};

TEST_F(IpfailServiceTest, SignsOnForThePeersIpfail) {
    service_.start();
    ASSERT_EQ(sent("hbapi-clstat").size(), 1u);
    const auto m = sent("hbapi-clstat")[0];
    EXPECT_EQ(m.get_or("st", ""), "join");
    EXPECT_EQ(m.get_or("from_id", ""), "ipfail");
    EXPECT_EQ(m.get_or("_to_peer", ""), "1");
}

TEST_F(IpfailServiceTest, PingUpIsReportedOnceAndCountSentToPeer) {
    service_.on_reply("192.0.2.1", clock_.now());
    service_.on_reply("192.0.2.1", clock_.now());
    ASSERT_EQ(sent("ping_status").size(), 1u);
    EXPECT_EQ(sent("ping_status")[0].get_or("node", ""), "192.0.2.1");
    EXPECT_EQ(sent("ping_status")[0].get_or("st", ""), "up");
    ASSERT_EQ(sent("num_ping_nodes").size(), 1u);
    const auto n = sent("num_ping_nodes")[0];
    EXPECT_EQ(n.get_or("num_ping", ""), "1");
    EXPECT_EQ(n.get_or("dest", ""), "web2");
    EXPECT_EQ(n.get_or("from_id", ""), "ipfail");
    EXPECT_EQ(n.get_or("to_id", ""), "ipfail");
    EXPECT_EQ(n.get_or("_to_peer", ""), "1");
    EXPECT_EQ(log_.count("Status update: Node 192.0.2.1 now has status ping"), 1);
}

TEST_F(IpfailServiceTest, PingDeadExactlyAtDeadping) {
    both_up();
    advance(2999ms);
    EXPECT_TRUE(sent("ping_status").empty());
    advance(1ms);
    ASSERT_EQ(sent("ping_status").size(), 2u);
    EXPECT_EQ(sent("ping_status")[0].get_or("st", ""), "dead");
    EXPECT_EQ(sent("num_ping_nodes").back().get_or("num_ping", ""), "0");
    EXPECT_EQ(log_.count("Status update: Node gw now has status dead"), 1);
}

TEST_F(IpfailServiceTest, GroupStaysUpWhileOneMemberAnswers) {
    both_up();
    for (int i = 0; i < 10; ++i) {
        clock_.advance(1s);
        service_.on_reply("192.0.2.2", clock_.now());
        tick();
    }
    EXPECT_EQ(service_.pings().state("gw"), PingState::up);
    EXPECT_EQ(service_.pings().state("192.0.2.1"), PingState::dead);
    EXPECT_EQ(service_.pings().up_count(), 1);
}

TEST_F(IpfailServiceTest, MoreHereTellsThePeerItIsDead) {
    both_up();
    service_.on_bus_message(peer("num_ping_nodes", "1"), clock_.now());
    ASSERT_EQ(sent("you_are_dead").size(), 1u);
    EXPECT_EQ(sent("you_are_dead")[0].get_or("dest", ""), "web2");
    EXPECT_EQ(log_.count("Telling other node that we have more visible ping nodes."), 1);
    EXPECT_FALSE(service_.arbiter().giveup_pending());
}

TEST_F(IpfailServiceTest, FewerHereGivesUpAllAfterTwoKeepalives) {
    service_.on_reply("192.0.2.1", clock_.now());
    sent_.clear();
    service_.on_bus_message(peer("num_ping_nodes", "2"), clock_.now());
    EXPECT_TRUE(service_.arbiter().giveup_pending());
    EXPECT_EQ(service_.next_deadline(), clock_.now() + 2000ms);
    clock_.advance(1999ms);
    service_.on_reply("192.0.2.1", clock_.now());  // keep the ping node up
    tick();
    EXPECT_TRUE(sent("standby").empty());
    advance(1ms);
    ASSERT_EQ(sent("standby").size(), 1u);
    EXPECT_EQ(sent("standby")[0].get_or("rsc_hold", ""), "all");
    EXPECT_FALSE(service_.arbiter().giveup_pending());
    advance(5s);
    EXPECT_EQ(sent("standby").size(), 1u) << "asked once";
}

TEST_F(IpfailServiceTest, AbortGiveupCancelsThePendingGiveup) {
    service_.on_bus_message(peer("num_ping_nodes", "2"), clock_.now());
    ASSERT_TRUE(service_.arbiter().giveup_pending());
    clock_.advance(1s);
    service_.on_bus_message(peer("abort_giveup"), clock_.now());
    EXPECT_FALSE(service_.arbiter().giveup_pending());
    EXPECT_EQ(log_.count("Aborted delayed giveup."), 1);
    advance(5s);
    EXPECT_TRUE(sent("standby").empty());
}

TEST_F(IpfailServiceTest, YouAreDeadGivesUpAll) {
    both_up();
    service_.on_bus_message(peer("you_are_dead"), clock_.now());
    EXPECT_EQ(log_.count("We are dead. :<"), 1);
    EXPECT_EQ(log_.count("Giving up because we were told that we have less ping nodes."), 1);
    advance(2s);
    ASSERT_EQ(sent("standby").size(), 1u);
    EXPECT_EQ(sent("standby")[0].get_or("rsc_hold", ""), "all");
}

TEST_F(IpfailServiceTest, BalancedCountsAnswerAbortGiveupAndCancelOurs) {
    both_up();
    service_.on_bus_message(peer("you_are_dead"), clock_.now());
    service_.on_bus_message(peer("num_ping_nodes", "2"), clock_.now());
    EXPECT_EQ(log_.count("Ping node count is balanced."), 1);
    ASSERT_EQ(sent("abort_giveup").size(), 1u);
    EXPECT_EQ(sent("abort_giveup")[0].get_or("dest", ""), "web2");
    EXPECT_FALSE(service_.arbiter().giveup_pending());
    advance(5s);
    EXPECT_TRUE(sent("standby").empty());
}

TEST_F(IpfailServiceTest, BalancedCountsChangeNothingWithoutAutoFailback) {
    both_up();
    service_.on_bus_message(master("rsc_hold", "word", "all"), clock_.now());
    service_.on_bus_message(peer("num_ping_nodes", "2"), clock_.now());
    EXPECT_FALSE(service_.arbiter().giveup_pending());
}

TEST(IpfailServiceAutoFailback, BalancedCountsGiveUpForeignResourcesWeHold) {
    ipc::FakeClock clock;
    ipc::CaptureLog log;
    std::vector<ipc::Message> sent;
    auto cfg = ServiceConfig{"web1", "web2", {conf::PingNode{"192.0.2.1", {"192.0.2.1"}, false, 1}}, 1000ms, 3000ms, true};
    IpfailService s(cfg, [&](const ipc::Message& m) { sent.push_back(m); }, clock, log);
    s.on_reply("192.0.2.1", clock.now());
    ipc::Message count;
    count.add("t", "num_ping_nodes").add("num_ping", "1").add("src", "web2");
    s.on_bus_message(count, clock.now());
    EXPECT_FALSE(s.arbiter().giveup_pending()) << "rsc_hold unknown or local: nothing foreign to give back";
    ipc::Message hold;
    hold.add("t", "rsc_hold").add("word", "all");
    s.on_bus_message(hold, clock.now());
    s.on_bus_message(count, clock.now());
    EXPECT_EQ(s.arbiter().giveup_type(), "foreign");
    EXPECT_EQ(log.count("Giving up foreign resources (auto_failback)."), 1);
    clock.advance(2s);
    s.on_tick(clock.now());
    ASSERT_FALSE(sent.empty());
    EXPECT_EQ(sent.back().type(), "standby");
    EXPECT_EQ(sent.back().get_or("rsc_hold", ""), "foreign");
}

TEST_F(IpfailServiceTest, PeerJoinSendsOurCount) {
    both_up();
    ipc::Message join;
    join.add("t", "hbapi-clstat").add("st", "join").add("from_id", "ipfail").add("info", "signon").add("src", "web2");
    service_.on_bus_message(join, clock_.now());
    ASSERT_EQ(sent("num_ping_nodes").size(), 1u);
    EXPECT_EQ(sent("num_ping_nodes")[0].get_or("num_ping", ""), "2");
    join.set("from_id", "ccm");
    service_.on_bus_message(join, clock_.now());
    EXPECT_EQ(sent("num_ping_nodes").size(), 1u) << "other API clients are none of our business";
}

TEST_F(IpfailServiceTest, IsolationReleasesOnlyWhenNoPingAndPeerDead) {
    both_up();
    advance(3s);  // every ping node dead
    ASSERT_TRUE(service_.pings().all_dead());
    EXPECT_TRUE(sent("ipfail_release").empty()) << "peer status unknown";
    service_.on_bus_message(master("node_status", "node", "web2", "st", "active"), clock_.now());
    EXPECT_TRUE(sent("ipfail_release").empty()) << "peer alive: the count exchange decides";
    service_.on_bus_message(master("node_status", "node", "web2", "st", "dead"), clock_.now());
    ASSERT_EQ(sent("ipfail_release").size(), 1u);
    EXPECT_TRUE(service_.arbiter().released());
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "our public link is down"), 1);
    advance(10s);
    EXPECT_EQ(sent("ipfail_release").size(), 1u) << "asked once";
    service_.on_reply("192.0.2.2", clock_.now());
    ASSERT_EQ(sent("ipfail_ok").size(), 1u);
    EXPECT_FALSE(service_.arbiter().released());
}

TEST_F(IpfailServiceTest, PeerDeathAloneReleasesNothingWhilePingNodesAnswer) {
    both_up();
    service_.on_bus_message(master("node_status", "node", "web2", "st", "dead"), clock_.now());
    EXPECT_TRUE(sent("ipfail_release").empty());
}

TEST_F(IpfailServiceTest, NeverAnsweringPingNodesAndDeadPeerRelease) {
    service_.on_bus_message(master("node_status", "node", "web2", "st", "dead"), clock_.now());
    EXPECT_TRUE(sent("ipfail_release").empty()) << "ping nodes still in init";
    advance(3s);
    EXPECT_EQ(sent("ipfail_release").size(), 1u);
}

TEST_F(IpfailServiceTest, PeerDeathCancelsAPendingGiveup) {
    service_.on_bus_message(peer("you_are_dead"), clock_.now());
    service_.on_bus_message(master("node_status", "node", "web2", "st", "dead"), clock_.now());
    EXPECT_FALSE(service_.arbiter().giveup_pending());
}

TEST_F(IpfailServiceTest, DropsWhatIsNotFromThePeerOrMalformed) {
    auto stranger = peer("you_are_dead");
    stranger.set("src", "web3");
    service_.on_bus_message(stranger, clock_.now());
    EXPECT_EQ(service_.dropped("not_from_peer"), 1u);
    auto elsewhere = peer("you_are_dead");
    elsewhere.set("dest", "web3");
    service_.on_bus_message(elsewhere, clock_.now());
    EXPECT_EQ(service_.dropped("not_for_us"), 1u);
    EXPECT_FALSE(service_.arbiter().giveup_pending());

    service_.on_bus_message(peer("num_ping_nodes", "-1"), clock_.now());
    service_.on_bus_message(peer("num_ping_nodes", "1x"), clock_.now());
    service_.on_bus_message(peer("num_ping_nodes"), clock_.now());
    EXPECT_EQ(service_.dropped("bad_field"), 3u);
    service_.on_bus_message(master("rsc_hold", "word", "most"), clock_.now());
    service_.on_bus_message(master("node_status", "node", "web2", "st", "zombie"), clock_.now());
    EXPECT_EQ(service_.dropped("bad_field"), 5u);
    service_.on_bus_message(master("frobnicate", "x", "1"), clock_.now());
    EXPECT_EQ(service_.dropped("unknown_type"), 1u);
    EXPECT_TRUE(sent_.empty());
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "missing field \"num_ping\""), 1);
}

TEST_F(IpfailServiceTest, OwnMessagesEchoedBackAreIgnoredQuietly) {
    auto own = peer("you_are_dead");
    own.set("src", "web1");
    service_.on_bus_message(own, clock_.now());
    EXPECT_EQ(service_.dropped("not_from_peer"), 0u);
    EXPECT_FALSE(service_.arbiter().giveup_pending());
}

}  // namespace
// ---- issue 21: the lines the Heartbeat tutorial greps for, where ipfaild really does the thing ----

TEST_F(IpfailServiceTest, TutorialLinesFoundPingNodeAskedAndStable) {
    service_.start();
    EXPECT_EQ(log_.count("Found ping node 192.0.2.1!"), 1);
    EXPECT_EQ(log_.count("Found ping group gw (2 hosts)."), 1);
    service_.on_bus_message(peer("num_ping_nodes", "0"), clock_.now());
    EXPECT_EQ(log_.count("Got asked for num_ping: web2 sees 0 ping nodes, we see 0."), 1);
    ipc::Message st;
    st.add("t", "node_status").add("node", "web2").add("st", "up");
    service_.on_bus_message(st, clock_.now());
    EXPECT_EQ(log_.count("Other side is now stable"), 0);  // up is not settled yet
    ipc::Message active;
    active.add("t", "node_status").add("node", "web2").add("st", "active");
    service_.on_bus_message(active, clock_.now());
    service_.on_bus_message(active, clock_.now());
    EXPECT_EQ(log_.count("Other side is now stable: web2 is active."), 1);  // once per transition
}

}  // namespace ha::ipfail

