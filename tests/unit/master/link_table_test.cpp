// Unit tests of LinkTable: link and node liveness, status words, generation and sequence checks.
// Fake time only: every test moves a SteadyTime by hand and calls on_tick.
#include "master/core/link_table.hpp"
#include "ipc/config/ha_cf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::SteadyTime;
namespace hm = ha::master;

namespace {

constexpr const char* kEth = "eth1";
constexpr const char* kTty = "/dev/ttyS0";
constexpr const char* kPing = "192.0.2.254";

hm::LinkTableParams params(bool with_ping = false) {
    hm::LinkTableParams p;
    p.local_node = "web1";
    p.local_links = {kEth, kTty};
    p.peers = {{"web2", {kEth, kTty}}};
    if (with_ping) p.ping_nodes = {kPing};
    p.keepalive = 1s;
    p.deadtime = 10s;
    p.warntime = 5s;
    p.initdead = 30s;
    p.deadping = 15s;
    return p;
}

hm::HeartbeatInfo status(std::uint64_t seq, std::uint64_t hg = 5, std::string st = "active") {
    hm::HeartbeatInfo i;
    i.type = "status";
    i.status = std::move(st);
    i.seq = seq;
    i.generation = hg;
    i.deadtime = 10s;
    i.has_protocol = true;
    return i;
}

template <class E>
int count_events(const std::vector<hm::ClusterEvent>& events) {
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [](const hm::ClusterEvent& e) { return std::holds_alternative<E>(e); }));
}

template <class E>
std::optional<E> first_event(const std::vector<hm::ClusterEvent>& events) {
    for (const auto& e : events) {
        if (const E* p = std::get_if<E>(&e)) return *p;
    }
    return std::nullopt;
}

struct Fixture {
    explicit Fixture(bool with_ping = false) : table(params(with_ping), log, start) {}
    // web2 heard on both links with consecutive seqs (the second copy is the duplicate).
    std::vector<hm::ClusterEvent> beat(SteadyTime at, std::uint64_t seq, std::uint64_t hg = 5) {
        auto a = table.on_heartbeat(at, "web2", kEth, status(seq, hg));
        auto b = table.on_heartbeat(at, "web2", kTty, status(seq, hg));
        a.events.insert(a.events.end(), b.events.begin(), b.events.end());
        return a.events;
    }
    CaptureLog log;
    SteadyTime start = SteadyTime{} + 1000h;
    hm::LinkTable table;
};

}  // namespace

TEST(LinkTable, StartsWithLocalStatusUpAndPeersInit) {
    Fixture f;
    EXPECT_EQ(f.log.count(LogLevel::info, "Local status now set to: 'up'"), 1);
    EXPECT_EQ(f.table.local_status(), "up");
    EXPECT_EQ(f.table.node_status("web2"), "init");
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::dead);
    EXPECT_FALSE(f.table.comm_up());
    EXPECT_EQ(f.table.effective_deadtime(), 30s);  // initdead until comm is up
}

TEST(LinkTable, FirstHeartbeatBringsLinkUpStatusAndCommUp) {
    Fixture f;
    auto out = f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(1, 5, "up"));
    ASSERT_TRUE(out.accepted());
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:eth1 up."), 1);
    EXPECT_EQ(f.log.count(LogLevel::info, "Status update for node web2: status up"), 1);
    EXPECT_EQ(f.log.count(LogLevel::info, "Comm_now_up(): updating status to active"), 1);
    EXPECT_EQ(f.log.count("Heartbeat restart"), 0);  // first generation seen is no restart
    EXPECT_EQ(f.table.local_status(), "active");
    EXPECT_TRUE(f.table.comm_up());
    EXPECT_EQ(f.table.effective_deadtime(), 10s);
    EXPECT_EQ(first_event<hm::NodeStatusChanged>(out.events), (hm::NodeStatusChanged{"web2", "init", "up"}));
    EXPECT_EQ(first_event<hm::LinkStatusChanged>(out.events), (hm::LinkStatusChanged{"web2", kEth, hm::LinkStatus::up}));
    EXPECT_EQ(first_event<hm::LocalStatusChanged>(out.events), (hm::LocalStatusChanged{"up", "active"}));

    auto again = f.table.on_heartbeat(f.start + 2s, "web2", kEth, status(2, 5, "active"));
    EXPECT_EQ(f.log.count("Status update for node web2: status active"), 1);
    EXPECT_EQ(count_events<hm::LinkStatusChanged>(again.events), 0);
    f.table.on_heartbeat(f.start + 3s, "web2", kEth, status(3, 5, "active"));
    EXPECT_EQ(f.log.count("Status update for node web2"), 2);  // up, active: transitions only
}

TEST(LinkTable, LinkDeadAloneLogsOnceAndNodeStaysActive) {
    Fixture f;
    f.beat(f.start, 1);
    // Only the serial link keeps delivering.
    for (int s = 1; s <= 15; ++s) {
        f.table.on_heartbeat(f.start + s * 1s, "web2", kTty, status(1 + s));
        auto events = f.table.on_tick(f.start + s * 1s);
        if (s == 10) {
            EXPECT_EQ(count_events<hm::LinkStatusChanged>(events), 1) << "eth1 dies at exactly deadtime";
        } else {
            EXPECT_EQ(count_events<hm::LinkStatusChanged>(events), 0) << "at " << s << " s";
        }
    }
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:eth1 dead."), 1);
    EXPECT_EQ(f.log.count("Link web2:/dev/ttyS0 dead."), 0);
    EXPECT_EQ(f.log.count("is dead"), 0);
    EXPECT_EQ(f.table.node_status("web2"), "active");
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::dead);
    EXPECT_EQ(f.table.link_status("web2", kTty), hm::LinkStatus::up);
}

TEST(LinkTable, NodeDeadOnlyWhenEveryLinkSilentForDeadtime) {
    Fixture f;
    f.beat(f.start, 1);
    ASSERT_TRUE(f.table.comm_up());
    const SteadyTime last = f.start + 2s;
    f.beat(last, 2);

    EXPECT_TRUE(f.table.on_tick(last + 10s - 1ms).empty()) << "not 1 ms before deadtime";
    EXPECT_EQ(f.table.node_status("web2"), "active");

    auto events = f.table.on_tick(last + 10s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
    EXPECT_EQ(f.log.count(LogLevel::warn, "node web2: is dead"), 1);
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:eth1 dead."), 1);
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:/dev/ttyS0 dead."), 1);
    EXPECT_EQ(count_events<hm::NodeDead>(events), 1);
    EXPECT_EQ(first_event<hm::NodeStatusChanged>(events), (hm::NodeStatusChanged{"web2", "active", "dead"}));
    EXPECT_EQ(count_events<hm::LinkStatusChanged>(events), 2);
    EXPECT_EQ(f.log.count("Status update for node web2: status dead"), 0);  // the WARN is the line

    EXPECT_TRUE(f.table.on_tick(last + 20s).empty()) << "logged once, not every tick";
    EXPECT_EQ(f.log.count("is dead"), 1);
}

TEST(LinkTable, InitdeadAppliesBeforeCommUp) {
    Fixture f;
    EXPECT_TRUE(f.table.on_tick(f.start + 10s).empty()) << "deadtime is not enough before comm up";
    EXPECT_TRUE(f.table.on_tick(f.start + 30s - 1ms).empty());
    auto events = f.table.on_tick(f.start + 30s);
    EXPECT_EQ(count_events<hm::NodeDead>(events), 1);
    EXPECT_EQ(f.log.count(LogLevel::warn, "node web2: is dead"), 1);
    EXPECT_EQ(f.log.count("Link web2:"), 0) << "links never up: nothing to report";
    // Every node heard or declared dead: comm is up.
    EXPECT_EQ(count_events<hm::LocalStatusChanged>(events), 1);
    EXPECT_EQ(f.log.count("Comm_now_up(): updating status to active"), 1);
}

TEST(LinkTable, HeardPeerUsesInitdeadWhileAPingNodeKeepsCommDown) {
    Fixture f(/*with_ping=*/true);
    f.beat(f.start, 1);
    EXPECT_FALSE(f.table.comm_up()) << "the ping node was not heard yet";
    EXPECT_TRUE(f.table.on_tick(f.start + 10s).empty());
    EXPECT_EQ(f.table.node_status("web2"), "active");
    auto events = f.table.on_tick(f.start + 30s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
    EXPECT_EQ(f.table.node_status(kPing), "dead");
    EXPECT_TRUE(f.table.comm_up());
}

TEST(LinkTable, LateHeartbeatWarnsAfterWarntime) {
    Fixture f;
    f.beat(f.start, 1);
    f.beat(f.start + 1s, 2);
    auto events = f.beat(f.start + 1s + 5s, 3);
    EXPECT_EQ(count_events<hm::LateHeartbeat>(events), 0) << "exactly warntime is not late";
    events = f.beat(f.start + 6s + 7010ms, 4);
    EXPECT_EQ(f.log.count(LogLevel::warn, "Late heartbeat: Node web2: interval 7010 ms"), 1);
    EXPECT_EQ(f.log.count("(> deadtime)"), 0);
    ASSERT_EQ(count_events<hm::LateHeartbeat>(events), 1);
    EXPECT_EQ(first_event<hm::LateHeartbeat>(events), (hm::LateHeartbeat{"web2", 7010ms, false}));
    EXPECT_EQ(f.table.nodes()[1].counters.late, 1u);
    EXPECT_EQ(f.table.links()[2].counters.late, 1u);  // web2:eth1 (local links come first)
}

TEST(LinkTable, LateHeartbeatBeyondDeadtimeIsCrit) {
    Fixture f;
    f.beat(f.start, 1);
    auto events = f.beat(f.start + 17010ms, 2);
    EXPECT_EQ(f.log.count(LogLevel::crit, "Late heartbeat: Node web2: interval 17010 ms (> deadtime)"), 1);
    EXPECT_EQ(f.log.count(LogLevel::warn, "Late heartbeat"), 0);
    EXPECT_EQ(first_event<hm::LateHeartbeat>(events), (hm::LateHeartbeat{"web2", 17010ms, true}));
}

TEST(LinkTable, HigherGenerationIsRestart) {
    Fixture f;
    f.beat(f.start, 1, 5);
    f.beat(f.start + 1s, 2, 5);
    auto events = f.beat(f.start + 2s, 1, 6);
    EXPECT_EQ(f.log.count(LogLevel::info, "Heartbeat restart on node web2"), 1);
    ASSERT_EQ(count_events<hm::NodeRestarted>(events), 1);
    EXPECT_EQ(first_event<hm::NodeRestarted>(events), (hm::NodeRestarted{"web2", 5, 6}));
    EXPECT_EQ(count_events<hm::LostPackets>(events), 0) << "seq tracking starts over";
    EXPECT_EQ(f.table.nodes()[1].generation, 6u);
    EXPECT_EQ(f.table.nodes()[1].last_seq, 1u);
}

TEST(LinkTable, LowerGenerationDroppedAsReplay) {
    Fixture f;
    f.beat(f.start, 7, 5);
    auto out = f.table.on_heartbeat(f.start + 3s, "web2", kEth, status(8, 4));
    ASSERT_FALSE(out.accepted());
    EXPECT_EQ(out.dropped, hm::DropReason::replay);
    EXPECT_TRUE(out.events.empty());
    const auto node = f.table.nodes()[1];
    EXPECT_EQ(node.counters.dropped.at(hm::DropReason::replay), 1u);
    EXPECT_EQ(node.last_heard, f.start) << "a replay refreshes nothing";
    EXPECT_EQ(node.generation, 5u);
    EXPECT_EQ(f.log.count("restart"), 0);
}

TEST(LinkTable, DuplicateSeqDroppedButRefreshesItsLink) {
    Fixture f;
    auto first = f.table.on_heartbeat(f.start, "web2", kEth, status(1));
    ASSERT_TRUE(first.accepted());
    auto dup = f.table.on_heartbeat(f.start, "web2", kTty, status(1));
    EXPECT_EQ(dup.dropped, hm::DropReason::duplicate);
    EXPECT_EQ(f.table.link_status("web2", kTty), hm::LinkStatus::up);
    EXPECT_EQ(count_events<hm::LinkStatusChanged>(dup.events), 1);
    auto older = f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(1));
    EXPECT_EQ(older.dropped, hm::DropReason::duplicate);
    const auto links = f.table.links();
    EXPECT_EQ(links[3].counters.dropped.at(hm::DropReason::duplicate), 1u);  // web2:/dev/ttyS0
    EXPECT_EQ(f.table.nodes()[1].counters.dropped.at(hm::DropReason::duplicate), 2u);
    EXPECT_EQ(f.table.nodes()[1].counters.accepted, 1u);
}

TEST(LinkTable, LostPacketsLoggedAndRetransmissionAccepted) {
    Fixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(0x40));
    auto out = f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(0x44));
    ASSERT_TRUE(out.accepted());
    EXPECT_EQ(f.log.count(LogLevel::warn, "3 lost packet(s) for [web2] [64:68]"), 1);
    ASSERT_EQ(count_events<hm::LostPackets>(out.events), 1);
    const auto lost = *first_event<hm::LostPackets>(out.events);
    EXPECT_EQ(lost, (hm::LostPackets{"web2", 0x40, 0x44}));
    EXPECT_EQ(lost.count(), 3u);
    EXPECT_EQ(f.table.nodes()[1].counters.lost, 3u);

    EXPECT_TRUE(f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(0x42)).accepted()) << "a missing one";
    EXPECT_EQ(f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(0x42)).dropped, hm::DropReason::duplicate);
    EXPECT_EQ(f.log.count("lost packet"), 1);
}

TEST(LinkTable, GapOver250StartsOverSilentlyOnceConfirmed) {
    Fixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(10));
    // Heartbeat starts over at once; we wait for kConfirm messages in a row (sequence poisoning).
    EXPECT_EQ(f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(10 + 252)).dropped, hm::DropReason::seq_jump);
    auto held = f.table.on_heartbeat(f.start + 2s, "web2", kEth, status(10 + 253));
    EXPECT_EQ(held.dropped, hm::DropReason::seq_jump);
    EXPECT_FALSE(held.resynced);
    auto out = f.table.on_heartbeat(f.start + 3s, "web2", kEth, status(10 + 254));
    EXPECT_TRUE(out.accepted());
    EXPECT_TRUE(out.resynced) << "the caller forgets the gaps asked for before the jump";
    EXPECT_FALSE(f.table.on_heartbeat(f.start + 3s, "web2", kEth, status(10 + 255)).resynced);
    EXPECT_EQ(count_events<hm::LostPackets>(out.events), 0);
    EXPECT_EQ(f.log.count("lost packet"), 0);
    EXPECT_EQ(f.log.count(LogLevel::warn, "node web2: seq moved to 264 in generation 5, confirmed by 3 messages in a row"), 1);
    EXPECT_TRUE(f.table.on_heartbeat(f.start + 4s, "web2", kEth, status(10 + 256)).accepted());
    // 250 missing is still reported.
    f.table.on_heartbeat(f.start + 5s, "web2", kEth, status(266 + 251));
    EXPECT_EQ(f.log.count("250 lost packet(s) for [web2]"), 1);
}

TEST(LinkTable, SameGenerationFromDeadNodeIsReturningAfterPartition) {
    Fixture f;
    f.beat(f.start, 1);
    f.table.on_tick(f.start + 10s);
    ASSERT_EQ(f.table.node_status("web2"), "dead");
    auto events = f.beat(f.start + 25s, 20);
    EXPECT_EQ(f.log.count(LogLevel::crit, "Cluster node web2 returning after partition."), 1);
    EXPECT_EQ(count_events<hm::ReturningAfterPartition>(events), 1);
    EXPECT_EQ(f.table.node_status("web2"), "active");
    EXPECT_EQ(f.log.count("Link web2:eth1 up."), 2);
    f.beat(f.start + 26s, 21);
    EXPECT_EQ(f.log.count("returning after partition"), 1);
}

TEST(LinkTable, HigherGenerationFromDeadNodeIsRestartNotPartition) {
    Fixture f;
    f.beat(f.start, 1, 5);
    f.table.on_tick(f.start + 10s);
    auto events = f.beat(f.start + 40s, 1, 6);
    EXPECT_EQ(f.log.count("returning after partition"), 0);
    EXPECT_EQ(count_events<hm::NodeRestarted>(events), 1);
    EXPECT_EQ(f.log.count("Late heartbeat"), 0) << "no late warning against the old incarnation";
    EXPECT_EQ(f.table.node_status("web2"), "active");
}

TEST(LinkTable, PingNodeUpAndDeadWithDeadping) {
    Fixture f(/*with_ping=*/true);
    f.beat(f.start, 1);
    auto out = f.table.on_ping_reply(f.start + 1s, kPing);
    ASSERT_TRUE(out.accepted());
    EXPECT_EQ(f.table.node_type(kPing), hm::NodeType::ping);
    EXPECT_EQ(f.table.node_status(kPing), "ping");
    EXPECT_EQ(f.log.count("Link 192.0.2.254:192.0.2.254 up."), 1);
    EXPECT_EQ(f.log.count("Status update for node 192.0.2.254: status ping"), 1);
    EXPECT_TRUE(f.table.comm_up());

    f.table.on_ping_reply(f.start + 2s, kPing);
    for (int s = 3; s <= 16; ++s) f.beat(f.start + s * 1s, static_cast<std::uint64_t>(s - 1));
    EXPECT_TRUE(f.table.on_tick(f.start + 2s + 15s - 1ms).empty()) << "deadping (15 s), not deadtime (10 s)";
    auto events = f.table.on_tick(f.start + 2s + 15s);
    EXPECT_EQ(f.table.node_status(kPing), "dead");
    EXPECT_EQ(count_events<hm::NodeDead>(events), 1);
    EXPECT_EQ(f.log.count(LogLevel::warn, "node 192.0.2.254: is dead"), 1);
    EXPECT_EQ(f.log.count("Link 192.0.2.254:192.0.2.254 dead."), 1);

    f.table.on_ping_reply(f.start + 20s, kPing);
    EXPECT_EQ(f.table.node_status(kPing), "ping");
    EXPECT_EQ(f.log.count("Status update for node 192.0.2.254: status ping"), 2);
}

TEST(LinkTable, LinkReturnIsLoggedOnce) {
    Fixture f;
    f.beat(f.start, 1);
    for (int s = 1; s <= 12; ++s) {
        f.table.on_heartbeat(f.start + s * 1s, "web2", kTty, status(1 + s));
        f.table.on_tick(f.start + s * 1s);
    }
    ASSERT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::dead);
    for (int s = 13; s <= 16; ++s) {
        f.beat(f.start + s * 1s, 1 + s);
        f.table.on_tick(f.start + s * 1s);
    }
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:eth1 up."), 2);  // start and return
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:eth1 dead."), 1);
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::up);
}

TEST(LinkTable, NextDeadlineIsEarliestTimeout) {
    Fixture f;
    EXPECT_EQ(f.table.next_deadline(), f.start + 30s) << "initdead for a peer never heard";
    f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(1));
    ASSERT_TRUE(f.table.comm_up());
    EXPECT_EQ(f.table.next_deadline(), f.start + 11s);
    f.table.on_heartbeat(f.start + 4s, "web2", kTty, status(2));
    EXPECT_EQ(f.table.next_deadline(), f.start + 11s) << "eth1 times out first";
    f.table.on_tick(f.start + 11s);
    EXPECT_EQ(f.table.next_deadline(), f.start + 14s) << "then ttyS0 (and the node with it)";
    f.table.on_tick(f.start + 14s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
    EXPECT_EQ(f.table.next_deadline(), std::nullopt);
}

TEST(LinkTable, NextDeadlineIsImmediateWhenNothingToWaitFor) {
    CaptureLog log;
    const SteadyTime start = SteadyTime{} + 5h;
    hm::LinkTableParams p = params();
    p.peers.clear();
    hm::LinkTable table(p, log, start);
    EXPECT_EQ(table.next_deadline(), start);
    auto events = table.on_tick(start);
    EXPECT_EQ(count_events<hm::LocalStatusChanged>(events), 1);
    EXPECT_EQ(table.next_deadline(), std::nullopt);
}

TEST(LinkTable, UnknownNodeLinkAndOwnNodeAreDroppedAndCounted) {
    Fixture f;
    EXPECT_EQ(f.table.on_heartbeat(f.start, "web3", kEth, status(1)).dropped, hm::DropReason::unknown_node);
    EXPECT_EQ(f.table.on_heartbeat(f.start, "web1", kEth, status(1)).dropped, hm::DropReason::own_node);
    EXPECT_EQ(f.table.on_heartbeat(f.start, "web2", "eth7", status(1)).dropped, hm::DropReason::unknown_link);
    EXPECT_EQ(f.table.on_ping_reply(f.start, "203.0.113.9").dropped, hm::DropReason::unknown_node);
    EXPECT_EQ(f.table.unattributed_drops().at(hm::DropReason::unknown_node), 2u);
    EXPECT_EQ(f.table.unattributed_drops().at(hm::DropReason::own_node), 1u);
    EXPECT_EQ(f.table.nodes()[1].counters.dropped.at(hm::DropReason::unknown_link), 1u);
    EXPECT_EQ(f.table.node_status("web2"), "init");
}

TEST(LinkTable, SnapshotsListLocalNodeFirstWithTypesAndLinks) {
    Fixture f(/*with_ping=*/true);
    f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(1));
    const auto nodes = f.table.nodes();
    ASSERT_EQ(nodes.size(), 3u);
    EXPECT_EQ(nodes[0].name, "web1");
    EXPECT_EQ(nodes[0].status, "up");
    EXPECT_EQ(nodes[1].name, "web2");
    EXPECT_EQ(hm::node_type_word(nodes[1].type), "normal");
    EXPECT_EQ(nodes[1].status, "active");
    EXPECT_EQ(nodes[1].last_heard, f.start + 1s);
    EXPECT_EQ(nodes[1].peer_deadtime, 10s);
    EXPECT_TRUE(nodes[1].has_protocol);
    EXPECT_EQ(nodes[2].name, kPing);
    EXPECT_EQ(hm::node_type_word(nodes[2].type), "ping");
    EXPECT_EQ(nodes[2].status, "init");

    const auto links = f.table.links();
    ASSERT_EQ(links.size(), 5u);
    EXPECT_EQ(links[0].node, "web1");
    EXPECT_EQ(hm::link_status_word(links[0].status), "dead");  // own links read dead
    EXPECT_EQ(links[2].node, "web2");
    EXPECT_EQ(links[2].link, kEth);
    EXPECT_EQ(hm::link_status_word(links[2].status), "up");
    EXPECT_EQ(links[2].last_heard, f.start + 1s);
    EXPECT_EQ(links[2].counters.received, 1u);
    EXPECT_EQ(links[3].last_heard, std::nullopt);
    EXPECT_EQ(links[4].link, kPing);
    EXPECT_EQ(f.table.link_status("web1", kEth), hm::LinkStatus::dead);
    EXPECT_EQ(f.table.node_status("nobody"), std::nullopt);
}

TEST(LinkTable, SetLocalStatusLogsTransitionOnce) {
    Fixture f;
    auto events = f.table.set_local_status("dead");
    EXPECT_EQ(count_events<hm::LocalStatusChanged>(events), 1);
    EXPECT_TRUE(f.table.set_local_status("dead").empty());
    EXPECT_EQ(f.log.count("Local status now set to: 'dead'"), 1);
}

TEST(LinkTable, ReloadedDeadtimeAppliesToTheNextTick) {
    ha::ipc::FakeClock clock;
    ha::ipc::CaptureLog log;
    ha::master::LinkTableParams p;
    p.local_node = "web1";
    p.local_links = {"eth1"};
    p.peers = {{"web2", {"eth1"}}};
    p.keepalive = std::chrono::milliseconds(100);
    p.deadtime = std::chrono::milliseconds(1000);
    p.warntime = std::chrono::milliseconds(500);
    p.initdead = std::chrono::milliseconds(2000);
    p.deadping = std::chrono::milliseconds(1000);
    ha::master::LinkTable table(p, log, clock.now());
    ha::master::HeartbeatInfo hb;
    hb.type = "status";
    hb.status = "active";
    hb.seq = 1;
    hb.generation = 1;
    table.on_heartbeat(clock.now(), "web2", "eth1", hb);
    clock.advance(std::chrono::milliseconds(800));
    table.on_tick(clock.now());
    ASSERT_EQ(table.node_status("web2"), "active");  // within the 1000 ms deadtime
    table.set_timings(p.keepalive, std::chrono::milliseconds(3000), p.warntime, std::chrono::milliseconds(6000), p.deadping);
    clock.advance(std::chrono::milliseconds(1000));
    table.on_tick(clock.now());
    EXPECT_EQ(table.node_status("web2"), "active");  // 1800 ms silent: dead under the old 1000 ms, not the new 3000 ms
    clock.advance(std::chrono::milliseconds(1200));
    table.on_tick(clock.now());
    EXPECT_EQ(table.node_status("web2"), "dead");
}

// ---- sec: issue 20 — only a fresh, in-order status of the current generation proves life ------

namespace {

hm::HeartbeatInfo ns_ackmsg(std::optional<std::uint64_t> hg = 5) {
    hm::HeartbeatInfo i;
    i.type = "NS_ackmsg";
    i.generation = hg;
    return i;
}

hm::HeartbeatInfo message(std::string type, std::uint64_t seq, std::uint64_t hg = 5) {
    hm::HeartbeatInfo i;
    i.type = std::move(type);
    i.seq = seq;
    i.generation = hg;
    return i;
}

}  // namespace

TEST(LinkTable, SecReplayedStatusAfterDeathRefreshesNothingAndThePeerDiesOnTime) {
    Fixture f;
    for (int s = 1; s <= 5; ++s) f.beat(f.start + std::chrono::seconds(s - 1), static_cast<std::uint64_t>(s));
    const SteadyTime last = f.start + 4s;  // web2 stops here
    // Every message it ever sent, replayed every 100 ms on both links until past the deadtime.
    for (SteadyTime t = last + 100ms; t < last + 10s; t += 100ms) {
        for (std::uint64_t s = 1; s <= 5; ++s) {
            EXPECT_FALSE(f.table.on_heartbeat(t, "web2", kEth, status(s)).accepted());
            EXPECT_FALSE(f.table.on_heartbeat(t, "web2", kTty, status(s)).accepted());
        }
        ASSERT_TRUE(f.table.on_tick(t).empty()) << "nothing changes before deadtime";
    }
    EXPECT_EQ(f.table.next_deadline(), last + 10s);
    f.table.on_tick(last + 10s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
    EXPECT_EQ(f.table.nodes()[1].last_heard, last);
}

TEST(LinkTable, SecNsMessagesAndOtherTypesProveNoLife) {
    Fixture f;
    f.beat(f.start, 1);
    const SteadyTime last = f.start;
    // Fresh, in order, current generation — but not a status heartbeat: no refresh.
    auto rsc = f.table.on_heartbeat(last + 9s, "web2", kEth, message("resource", 2));
    EXPECT_TRUE(rsc.accepted()) << "still handed on";
    auto ack = f.table.on_heartbeat(last + 9s, "web2", kEth, ns_ackmsg());
    EXPECT_TRUE(ack.accepted());
    EXPECT_EQ(f.table.on_heartbeat(last + 9s, "web2", kEth, ns_ackmsg(std::nullopt)).dropped, hm::DropReason::stale)
        << "the ping payload: no hg";
    EXPECT_EQ(f.table.on_heartbeat(last + 9s, "web2", kEth, ns_ackmsg(6)).dropped, hm::DropReason::stale)
        << "an NS_ message never moves the generation";
    EXPECT_EQ(f.table.nodes()[1].generation, 5u);
    EXPECT_EQ(f.table.nodes()[1].last_heard, last);
    f.table.on_tick(last + 10s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
    EXPECT_EQ(f.table.nodes()[1].counters.dropped.at(hm::DropReason::stale), 2u);
    // …and they do not bring a dead node's links back either.
    f.table.on_heartbeat(last + 11s, "web2", kEth, ns_ackmsg());
    f.table.on_heartbeat(last + 11s, "web2", kEth, message("resource", 3));
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::dead);
}

TEST(LinkTable, SecOldGenerationStatusRefreshesNothing) {
    Fixture f;
    f.beat(f.start, 1, 4);
    f.beat(f.start + 1s, 1, 5);  // web2 restarted
    auto out = f.table.on_heartbeat(f.start + 9s, "web2", kEth, status(2, 4));
    EXPECT_EQ(out.dropped, hm::DropReason::replay);
    EXPECT_EQ(f.table.nodes()[1].last_heard, f.start + 1s);
}

TEST(LinkTable, SecRetransmittedOlderStatusFillsTheGapButProvesNoLife) {
    Fixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(1));
    f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(4));  // 2 and 3 lost
    auto out = f.table.on_heartbeat(f.start + 5s, "web2", kEth, status(2, 5, "standby"));
    EXPECT_TRUE(out.accepted()) << "a missing one is crossed off";
    EXPECT_EQ(f.table.nodes()[1].last_heard, f.start + 1s);
    EXPECT_EQ(f.table.node_status("web2"), "active") << "an old status word is not the current one";
}

TEST(LinkTable, SecCopyOnAnotherLinkKeepsItUpAsOfTheFirstArrival) {
    Fixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(1));
    // The same status on the cable, late (or replayed): the cable is up, dated from the first copy.
    auto copy = f.table.on_heartbeat(f.start + 8s, "web2", kTty, status(1));
    EXPECT_EQ(copy.dropped, hm::DropReason::duplicate);
    EXPECT_EQ(f.table.link_status("web2", kTty), hm::LinkStatus::up);
    EXPECT_EQ(f.table.links()[3].last_heard, f.start);
    // Once per link and seq: a second copy on the same link changes nothing.
    f.table.on_heartbeat(f.start + 9s, "web2", kTty, status(1));
    EXPECT_EQ(f.table.links()[3].last_heard, f.start);
    f.table.on_tick(f.start + 10s);
    EXPECT_EQ(f.table.node_status("web2"), "dead");
}

TEST(LinkTable, SecOneHugeSeqDoesNotMakeTheRealPeerLookDead) {
    Fixture f;
    f.beat(f.start, 1);
    EXPECT_EQ(f.table.on_heartbeat(f.start + 1s, "web2", kEth, status(0xffffffffffffULL)).dropped, hm::DropReason::seq_jump);
    for (int s = 2; s <= 30; ++s) {
        auto out = f.table.on_heartbeat(f.start + std::chrono::seconds(s), "web2", kEth, status(static_cast<std::uint64_t>(s)));
        EXPECT_TRUE(out.accepted()) << s;
        EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(f.start + std::chrono::seconds(s))), 0);
    }
    EXPECT_EQ(f.table.node_status("web2"), "active");
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::up);
    EXPECT_EQ(f.table.nodes()[1].counters.dropped.at(hm::DropReason::seq_jump), 1u);
    EXPECT_EQ(f.table.nodes()[1].counters.accepted, 30u);  // 1 and 2..30
}

// --- PeerLate / PeerOnTime: the split-brain guard's early start (docs/split-brain.md, "Timing") --

namespace {
struct LateFixture {
    explicit LateFixture(std::chrono::milliseconds lead, std::chrono::milliseconds warntime = 5s)
        : table(with_lead(lead, warntime), log, start) {}
    static hm::LinkTableParams with_lead(std::chrono::milliseconds lead, std::chrono::milliseconds warntime) {
        auto p = params();
        p.guard_lead = lead;
        p.warntime = warntime;
        return p;
    }
    std::vector<hm::ClusterEvent> beat(SteadyTime at, std::uint64_t seq) {
        return table.on_heartbeat(at, "web2", kEth, status(seq)).events;
    }
    CaptureLog log;
    SteadyTime start = SteadyTime{} + 1000h;
    hm::LinkTable table;
};
}  // namespace

TEST(LinkTable, PeerLateOnceAtDeadtimeMinusTheGuardLeadThenOnTimeAgain) {
    LateFixture f(240ms);  // keepalive 1 s, deadtime 10 s, warntime 5 s → late after 9760 ms
    EXPECT_EQ(f.table.late_after(), 9760ms);
    f.beat(f.start, 1);
    EXPECT_EQ(f.table.next_deadline(), f.start + 9760ms);
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 9759ms)), 0);
    auto events = f.table.on_tick(f.start + 9760ms);
    ASSERT_EQ(count_events<hm::PeerLate>(events), 1);
    EXPECT_EQ(first_event<hm::PeerLate>(events), (hm::PeerLate{"web2"}));
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 9900ms)), 0) << "once per silence";
    EXPECT_EQ(f.table.next_deadline(), f.start + 10s);  // now only the dead decision is due
    // A non-status message proves nothing: still late.
    hm::HeartbeatInfo other = status(2);
    other.type = "resource";
    EXPECT_EQ(count_events<hm::PeerOnTime>(f.table.on_heartbeat(f.start + 9950ms, "web2", kEth, other).events), 0);
    events = f.beat(f.start + 9990ms, 3);  // a fresh status: on time again
    ASSERT_EQ(count_events<hm::PeerOnTime>(events), 1);
    EXPECT_EQ(f.log.count(LogLevel::debug, "node web2: silent for 9760 ms: late"), 1);
    EXPECT_EQ(f.log.count(LogLevel::debug, "node web2: on time again"), 1);
    // Silent again: late again, then dead (the decision supersedes; no PeerOnTime).
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 9990ms + 9760ms)), 1);
    events = f.table.on_tick(f.start + 9990ms + 10s);
    EXPECT_EQ(count_events<hm::NodeDead>(events), 1);
    EXPECT_EQ(count_events<hm::PeerOnTime>(events), 0);
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 60s)), 0) << "a dead node is not late";
}

// Short timings: warntime (deadtime / 2) would start the window too late to end by the decision
// (10 ms / 50 ms: late at 25 ms, window 30 ms → 55 ms). The peer is then late when the window
// needs it, never before two keepalives of silence; longer timings keep warntime's bound.
TEST(LinkTable, PeerLateEarlierThanWarntimeOnlyWhenTheWindowWouldOutlastTheDecision) {
    const auto late = [](std::chrono::milliseconds keepalive, std::chrono::milliseconds deadtime,
                         std::chrono::milliseconds warntime) {
        auto p = params();
        p.keepalive = keepalive;
        p.deadtime = deadtime;
        p.warntime = warntime;
        p.guard_lead = ha::conf::guard_lead(keepalive);
        p.guard_window = ha::conf::guard_window(keepalive);
        CaptureLog log;
        return hm::LinkTable(p, log, SteadyTime{}).late_after();
    };
    EXPECT_EQ(late(10ms, 50ms, 25ms), 20ms);      // window 30 ms: ends at the decision
    EXPECT_EQ(late(20ms, 100ms, 50ms), 40ms);     // window 60 ms
    EXPECT_EQ(late(10ms, 40ms, 20ms), 20ms);      // two keepalives at least, even if the window overruns
    EXPECT_EQ(late(10ms, 30ms, 15ms), 15ms);      // never later than warntime's rule put it
    EXPECT_EQ(late(100ms, 500ms, 250ms), 260ms);  // window 90 ms fits after deadtime − lead: unchanged
    EXPECT_EQ(late(1s, 30s, 10s), 29760ms);       // the seed's timings: unchanged
}

TEST(LinkTable, PeerLateNeverBeforeWarntimeNorKeepaliveAndNeverWithoutALead) {
    EXPECT_EQ(LateFixture(8s).table.late_after(), 5s);           // warntime bounds it
    EXPECT_EQ(LateFixture(20s, 100ms).table.late_after(), 1s);   // never before one keepalive
    EXPECT_FALSE(LateFixture(0ms).table.late_after());           // no guard lead: never
    EXPECT_FALSE(LateFixture(240ms, 10s).table.late_after());    // warntime ≥ deadtime: never
    LateFixture f(8s);
    f.beat(f.start, 1);
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 4999ms)), 0);
    EXPECT_EQ(count_events<hm::PeerLate>(f.table.on_tick(f.start + 5s)), 1);
}

namespace {

// keepalive 10 ms, deadtime 50 ms, and a cable that can carry a heartbeat only every 130 ms and
// counts as dead after 520 ms (serial_pace.hpp: 19200 baud, ~250-byte frames).
struct SlowCableFixture {
    static hm::LinkTableParams slow() {
        hm::LinkTableParams p = params();
        p.keepalive = 10ms;
        p.deadtime = 50ms;
        p.warntime = 30ms;
        p.initdead = 50ms;
        p.link_deadtime = {{kTty, 520ms}};
        return p;
    }
    SlowCableFixture() : table(slow(), log, start) {}
    CaptureLog log;
    SteadyTime start = SteadyTime{} + 1000h;
    hm::LinkTable table;
};

}  // namespace

TEST(LinkTable, APacedCableStaysUpOnCopiesOfOlderProofsWhileUdpBeatsFaster) {
    SlowCableFixture f;
    // UDP delivers every status at once; the cable every 13th, 130 ms after it was made.
    for (int i = 1; i <= 100; ++i) {
        const SteadyTime at = f.start + std::chrono::milliseconds(10 * i);
        EXPECT_TRUE(f.table.on_heartbeat(at, "web2", kEth, status(static_cast<std::uint64_t>(i))).accepted());
        if (i > 13 && i % 13 == 0) {
            auto copy = f.table.on_heartbeat(at, "web2", kTty, status(static_cast<std::uint64_t>(i - 13)));
            EXPECT_EQ(copy.dropped, hm::DropReason::duplicate);
        }
        f.table.on_tick(at);
    }
    EXPECT_EQ(f.table.link_status("web2", kTty), hm::LinkStatus::up);
    EXPECT_EQ(f.log.count(LogLevel::info, "Link web2:/dev/ttyS0 dead."), 0) << "no flap";
    // Dated when each copied status first arrived over UDP, not when the cable delivered it.
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 780ms);  // seq 78, copied at 910 ms
}

TEST(LinkTable, ThePeerLivesOnTheSlowCableAloneAndDiesWhenItsOwnDeadtimeRanOut) {
    SlowCableFixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(1));
    f.table.on_heartbeat(f.start, "web2", kTty, status(1));
    // UDP cut: only the cable, one fresh status every 130 ms; the UDP link dies, the node does not.
    for (int i = 2; i <= 10; ++i) {
        const SteadyTime at = f.start + std::chrono::milliseconds(130 * (i - 1));
        for (SteadyTime t = at - 120ms; t < at; t += 10ms) f.table.on_tick(t);
        EXPECT_TRUE(f.table.on_heartbeat(at, "web2", kTty, status(static_cast<std::uint64_t>(i))).accepted());
    }
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::dead);
    EXPECT_EQ(f.table.node_status("web2"), "active");
    EXPECT_EQ(f.log.count(LogLevel::warn, "node web2: is dead"), 0);
    // Then the peer dies: dead at the cable's deadtime after its last status, not before.
    const SteadyTime last = f.start + 1170ms;
    EXPECT_EQ(f.table.next_deadline(), last + 520ms);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(last + 519ms)), 0);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(last + 520ms)), 1);
}

TEST(LinkTable, SecACopyOfAStatusThatNeverProvedLifeOrIsOlderThanTheLinksOwnRefreshesNothing) {
    SlowCableFixture f;
    for (int i = 1; i <= 3; ++i) f.table.on_heartbeat(f.start + std::chrono::milliseconds(10 * i), "web2", kEth, status(i));
    f.table.on_heartbeat(f.start + 40ms, "web2", kTty, status(3));
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 30ms);
    // Older than what the cable already brought: nothing, even though it proved life once.
    f.table.on_heartbeat(f.start + 45ms, "web2", kTty, status(2));
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 30ms);
    // A non-status message's seq never proved life: a copy of it refreshes nothing.
    hm::HeartbeatInfo other = status(4);
    other.type = "resource";
    f.table.on_heartbeat(f.start + 50ms, "web2", kEth, other);
    hm::HeartbeatInfo copy_of_other = status(4);
    f.table.on_heartbeat(f.start + 60ms, "web2", kTty, copy_of_other);
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 30ms);
    // Older than the longest link deadtime (520 ms): forgotten, a copy refreshes nothing.
    f.table.on_heartbeat(f.start + 60ms, "web2", kEth, status(5));
    f.table.on_heartbeat(f.start + 600ms, "web2", kEth, status(6));
    f.table.on_heartbeat(f.start + 601ms, "web2", kTty, status(5));
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 30ms);
    f.table.on_heartbeat(f.start + 602ms, "web2", kTty, status(6));  // within: it counts
    EXPECT_EQ(f.table.links()[3].last_heard, f.start + 600ms);
}

TEST(LinkTable, ALateCopyNeverBringsALinkOfADeadNodeBack) {
    SlowCableFixture f;
    f.table.on_heartbeat(f.start, "web2", kEth, status(1));
    f.table.on_tick(f.start + 520ms);
    ASSERT_EQ(f.table.node_status("web2"), "dead");
    const auto out = f.table.on_heartbeat(f.start + 521ms, "web2", kTty, status(1));
    EXPECT_TRUE(out.events.empty());
    EXPECT_EQ(f.table.link_status("web2", kTty), hm::LinkStatus::dead);
}

TEST(LinkTable, PeerLateComesTheGuardLeadBeforeASlowCablesDeadline) {
    hm::LinkTableParams p = SlowCableFixture::slow();
    p.guard_lead = 20ms;  // late after max(warntime 30, 50 − 20, 10) = 30 ms on UDP alone
    CaptureLog log;
    const SteadyTime start = SteadyTime{} + 1000h;
    hm::LinkTable table(p, log, start);
    table.on_heartbeat(start, "web2", kEth, status(1));
    table.on_heartbeat(start, "web2", kTty, status(1));
    // Dead at 520 ms (the cable): late 20 ms before, not at 30 ms.
    EXPECT_EQ(count_events<hm::PeerLate>(table.on_tick(start + 499ms)), 0);
    EXPECT_EQ(count_events<hm::PeerLate>(table.on_tick(start + 500ms)), 1);
    EXPECT_EQ(count_events<hm::NodeDead>(table.on_tick(start + 520ms)), 1);
}

TEST(LinkTable, AfterAStallOfTheLoopSilencesAreConfirmedBeforeAnyVerdict) {
    Fixture f;  // keepalive 1 s, deadtime 10 s
    f.beat(f.start, 1);
    EXPECT_EQ(f.table.stall_threshold(), 1s);
    // The master was frozen 15 s; it wakes before its media daemons forwarded what they hold.
    const SteadyTime woke = f.start + 15s;
    f.table.confirm_silences(woke, 15s);
    EXPECT_EQ(f.log.count(LogLevel::info, "Loop stalled for 15000 ms"), 1);
    EXPECT_EQ(f.table.next_deadline(), woke + 1s);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(woke)), 0);
    EXPECT_EQ(f.table.link_status("web2", kEth), hm::LinkStatus::up) << "no link verdict either";
    // What the peer sent meanwhile arrives: alive, nothing was declared dead.
    f.beat(woke + 5ms, 2);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(woke + 1s)), 0);
    EXPECT_EQ(f.table.node_status("web2"), "active");
    EXPECT_EQ(f.log.count(LogLevel::warn, "is dead"), 0);
}

TEST(LinkTable, AfterAStallAReallySilentPeerDiesOnceTheConfirmationEnds) {
    Fixture f;
    f.beat(f.start, 1);
    const SteadyTime woke = f.start + 15s;
    f.table.confirm_silences(woke, 15s);
    f.table.confirm_silences(woke + 1s, 15s);  // a running confirmation is never extended, logged once
    EXPECT_EQ(f.log.count(LogLevel::info, "Loop stalled"), 1);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(woke + 999ms)), 0);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(woke + 1s)), 1);
    EXPECT_EQ(f.table.next_deadline(), std::nullopt);
}

TEST(LinkTable, AMachineWhoseTimersAreAlwaysLateStillReachesAVerdict) {
    Fixture f;
    f.beat(f.start, 1);
    // Every tick comes a stall late: one confirmation, then no other without a proof of life.
    SteadyTime t = f.start + 10s + 1500ms;
    f.table.confirm_silences(t, 1500ms);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(t)), 0);
    t += 2500ms;
    f.table.confirm_silences(t, 1500ms);  // refused: the silence was already confirmed
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(t)), 1);
    EXPECT_EQ(f.log.count(LogLevel::info, "Loop stalled"), 1);
}

TEST(LinkTable, AProofOfLifeAllowsTheNextStallToBeConfirmedAgain) {
    Fixture f;
    f.beat(f.start, 1);
    f.table.confirm_silences(f.start + 1s, 1500ms);
    EXPECT_EQ(f.table.on_tick(f.start + 2s).size(), 0u);  // confirmation over, nothing due
    f.beat(f.start + 3s, 2);
    f.table.confirm_silences(f.start + 14s, 1500ms);
    EXPECT_EQ(f.log.count(LogLevel::info, "Loop stalled"), 2);
    EXPECT_EQ(count_events<hm::NodeDead>(f.table.on_tick(f.start + 14s)), 0);
}
