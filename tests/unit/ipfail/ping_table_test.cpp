// PingTable: ping node and ping group status from replies and a fake clock.
#include <gtest/gtest.h>

#include "ipfaild/ping_table.hpp"

namespace ha::ipfail {
namespace {

using namespace std::chrono_literals;

std::vector<conf::PingNode> nodes() {
    return {conf::PingNode{"192.0.2.1", {"192.0.2.1"}, false, 1},
            conf::PingNode{"gw", {"192.0.2.2", "192.0.2.3"}, true, 2}};
}

TEST(PingTable, NodeUpOnFirstReplyAndDeadAfterDeadpingSilence) {
    ipc::FakeClock clock;
    PingTable t(nodes(), 3s, clock.now());
    clock.advance(500ms);
    auto up = t.on_reply("192.0.2.1", clock.now());
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0].node, "192.0.2.1");
    EXPECT_EQ(up[0].was, PingState::init);
    EXPECT_EQ(up[0].is, PingState::up);
    EXPECT_TRUE(t.on_reply("192.0.2.1", clock.now()).empty()) << "a second reply is no transition";
    EXPECT_EQ(t.up_count(), 1);

    clock.advance(2999ms);
    t.on_tick(clock.now());  // gw (never answered) dies here; 192.0.2.1 not yet
    EXPECT_EQ(t.state("192.0.2.1"), PingState::up);
    clock.advance(1ms);
    ASSERT_EQ(t.on_tick(clock.now()).size(), 1u);
    EXPECT_EQ(t.state("192.0.2.1"), PingState::dead);
    EXPECT_EQ(t.up_count(), 0);
    EXPECT_TRUE(t.on_tick(clock.now() + 10s).empty()) << "dead is logged once";
}

TEST(PingTable, NeverAnsweringNodeGoesDeadAtDeadpingFromStart) {
    ipc::FakeClock clock;
    PingTable t(nodes(), 3s, clock.now());
    EXPECT_EQ(t.next_deadline(), clock.now() + 3s);
    clock.advance(2999ms);
    EXPECT_TRUE(t.on_tick(clock.now()).empty());
    EXPECT_FALSE(t.all_dead());
    clock.advance(1ms);
    auto dead = t.on_tick(clock.now());
    ASSERT_EQ(dead.size(), 2u);
    EXPECT_EQ(dead[1].was, PingState::init);
    EXPECT_EQ(dead[1].is, PingState::dead);
    EXPECT_TRUE(t.all_dead());
    EXPECT_FALSE(t.next_deadline().has_value()) << "dead nodes have no deadline";
}

TEST(PingTable, GroupIsUpWhileAnyMemberAnswers) {
    ipc::FakeClock clock;
    PingTable t(nodes(), 3s, clock.now());
    EXPECT_EQ(t.on_reply("192.0.2.2", clock.now()).size(), 1u);
    for (int i = 0; i < 5; ++i) {
        clock.advance(2s);
        t.on_reply(i % 2 ? "192.0.2.2" : "192.0.2.3", clock.now());  // members take turns
        t.on_tick(clock.now());
        EXPECT_EQ(t.state("gw"), PingState::up);
    }
    EXPECT_EQ(t.up_count(), 1) << "a group counts once";
    clock.advance(3s);
    t.on_tick(clock.now());
    EXPECT_EQ(t.state("gw"), PingState::dead);
    EXPECT_EQ(t.on_reply("192.0.2.3", clock.now()).size(), 1u) << "any member brings it back";
}

TEST(PingTable, HostsAreDistinctInConfigOrder) {
    auto n = nodes();
    n.push_back(conf::PingNode{"192.0.2.2", {"192.0.2.2"}, false, 3});
    PingTable t(n, 3s, {});
    EXPECT_EQ(t.hosts(), (std::vector<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"}));
    EXPECT_EQ(t.on_reply("192.0.2.2", {}).size(), 2u) << "one address may feed a host and a group";
}

TEST(PingTable, NoPingNodeIsNeverAllDead) {
    PingTable t({}, 3s, {});
    EXPECT_FALSE(t.all_dead());
    EXPECT_EQ(t.up_count(), 0);
    EXPECT_FALSE(t.next_deadline());
}

}  // namespace
}  // namespace ha::ipfail
