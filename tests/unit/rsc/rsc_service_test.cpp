// RscService and the bus contract: queueing, held groups, refusals, release when the master goes.
#include "rscd/rsc_service.hpp"

#include <gtest/gtest.h>

#include "rsc_test_util.hpp"

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;

// Records runs and answers them when told (or at once with `auto_answer`).
class FakeGroups final : public GroupOperator {
public:
    struct Run {
        std::string key;
        GroupOp op;
        Done done;
    };
    void run(const conf::ResourceGroup& group, GroupOp op, Done done) override {
        runs.push_back({group.key(), op, std::move(done)});
        if (auto_answer) answer(ok_outcome(op));
    }
    void abort() override { ++aborts; }
    GroupOutcome announce(const conf::ResourceGroup& group) override {
        announced.push_back(group.key());
        return announce_outcome;
    }
    void answer(const GroupOutcome& outcome) {
        ASSERT_LT(answered, runs.size());
        auto done = runs[answered++].done;
        done(outcome);
    }
    static GroupOutcome ok_outcome(GroupOp op) {
        return op == GroupOp::stop ? GroupOutcome{true, "", false, false} : GroupOutcome{true, "", true, true};
    }
    std::vector<std::string> log() const {
        std::vector<std::string> out;
        for (const auto& r : runs) out.push_back(std::string(group_op_name(r.op)) + " " + r.key);
        return out;
    }
    std::vector<Run> runs;
    std::size_t answered = 0;
    bool auto_answer = false;
    int aborts = 0;
    std::vector<std::string> announced;
    GroupOutcome announce_outcome{true, "", true, true};
};

ipc::Message op_msg(std::string op, std::string group, std::string seq) {
    ipc::Message m;
    m.add("t", "rsc_op").add("op", op).add("group", group).add("seq", seq);
    return m;
}

class RscServiceTest : public ::testing::Test {
protected:
    RscServiceTest() {
        hr.groups.push_back(test::group_of({test::builtin_ip("192.0.2.100/24/eth0"), test::script("nginx")}));
        hr.groups.push_back(test::group_of({test::builtin_ip("192.0.2.101/24/eth0"), test::script("mail")}));
    }
    RscService make(std::chrono::milliseconds timeout = 0ms) {
        return RscService(hr, groups, [this](const ipc::Message& m) { sent.push_back(m); }, log, clock.now(), timeout);
    }
    conf::Haresources hr;
    FakeGroups groups;
    std::vector<ipc::Message> sent;
    ipc::CaptureLog log;
    ipc::FakeClock clock;
    const std::string g1 = "IPaddr::192.0.2.100/24/eth0";
    const std::string g2 = "IPaddr::192.0.2.101/24/eth0";
};

TEST_F(RscServiceTest, StartAnswersWithResultAndHoldsTheGroup) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "7"), clock.now());
    ASSERT_EQ(groups.runs.size(), 1u);
    groups.answer({true, "", true, true});
    ASSERT_EQ(sent.size(), 1u);
    const ipc::Message& r = sent[0];
    EXPECT_EQ(r.type(), "rsc_result");
    EXPECT_EQ(r.get_or("op", ""), "start");
    EXPECT_EQ(r.get_or("group", ""), g1);
    EXPECT_EQ(r.get_or("seq", ""), "7");
    EXPECT_EQ(r.get_or("rc", ""), "ok");
    EXPECT_EQ(r.get_or("running", ""), "yes");
    EXPECT_FALSE(r.has("failed_rsc"));
    EXPECT_EQ(svc.held(), std::vector<std::string>{g1});
}

TEST_F(RscServiceTest, OneOperationAtATimeInArrivalOrder) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    svc.on_bus_message(op_msg("start", g2, "2"), clock.now());
    svc.on_bus_message(op_msg("status", g1, "3"), clock.now());
    EXPECT_EQ(groups.runs.size(), 1u);
    groups.answer({true, "", true, true});
    EXPECT_EQ(groups.runs.size(), 2u);
    groups.answer({true, "", true, true});
    groups.answer({true, "", true, true});
    EXPECT_EQ(groups.log(), (std::vector<std::string>{"start " + g1, "start " + g2, "status " + g1}));
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[2].get_or("seq", ""), "3");
}

// op=announce (the master's keeper after a double hold) is not queued behind a running start:
// it is handed to the operator at once and answered at once, and changes nothing of the held set.
TEST_F(RscServiceTest, AnnounceIsAnsweredAtOnceBesideTheQueue) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    groups.answer({true, "", true, true});
    svc.on_bus_message(op_msg("start", g2, "2"), clock.now());  // runs, unanswered
    svc.on_bus_message(op_msg("announce", g1, "a1"), clock.now());
    EXPECT_EQ(groups.announced, std::vector<std::string>{g1});
    EXPECT_EQ(groups.runs.size(), 2u);  // not queued
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].get_or("op", ""), "announce");
    EXPECT_EQ(sent[1].get_or("seq", ""), "a1");
    EXPECT_EQ(sent[1].get_or("rc", ""), "ok");
    EXPECT_EQ(sent[1].get_or("running", ""), "yes");
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Announcing the addresses of resource group"), 1);
    groups.answer({true, "", true, true});
    EXPECT_EQ(svc.held(), (std::vector<std::string>{g1, g2}));
    // A VIP that is not here: answered failed, nothing else happens.
    groups.announce_outcome = {false, "IPaddr::192.0.2.101/24/eth0", false, false};
    svc.on_bus_message(op_msg("announce", g2, "a2"), clock.now());
    EXPECT_EQ(sent.back().get_or("rc", ""), "failed");
    EXPECT_EQ(sent.back().get_or("running", ""), "no");
    EXPECT_EQ(sent.back().get_or("failed_rsc", ""), "IPaddr::192.0.2.101/24/eth0");
    EXPECT_EQ(svc.held(), (std::vector<std::string>{g1, g2}));
    EXPECT_EQ(groups.runs.size(), 2u);
}

TEST_F(RscServiceTest, AnnounceOfAnUnknownGroupOrDuringShutdownIsRefused) {
    auto svc = make();
    svc.on_bus_message(op_msg("announce", "IPaddr::203.0.113.9", "a1"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "unknown_group");
    svc.shutdown("SIGTERM");
    svc.on_bus_message(op_msg("announce", g1, "a2"), clock.now());
    EXPECT_EQ(sent.back().get_or("op", ""), "announce");
    EXPECT_EQ(sent.back().get_or("error", ""), "shutting_down");
    EXPECT_TRUE(groups.announced.empty());
}

TEST_F(RscServiceTest, FailedStartReportsTheResourceAndIsNotHeld) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    groups.answer({false, "nginx", false, false});
    EXPECT_EQ(sent.at(0).get_or("rc", ""), "failed");
    EXPECT_EQ(sent.at(0).get_or("failed_rsc", ""), "nginx");
    EXPECT_EQ(sent.at(0).get_or("running", ""), "no");
    EXPECT_TRUE(svc.held().empty());
}

TEST_F(RscServiceTest, StopReleasesTheHold) {
    groups.auto_answer = true;
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    svc.on_bus_message(op_msg("stop", g1, "2"), clock.now());
    EXPECT_TRUE(svc.held().empty());
}

TEST_F(RscServiceTest, UnknownGroupAndBadMessagesAreRefusedWithoutRunning) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", "IPaddr::203.0.113.9", "1"), clock.now());
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].get_or("rc", ""), "failed");
    EXPECT_EQ(sent[0].get_or("error", ""), "unknown_group");
    ipc::Message extra = op_msg("start", g1, "2");
    extra.add("evil", "1");
    svc.on_bus_message(extra, clock.now());
    svc.on_bus_message(op_msg("takeover", g1, "3"), clock.now());
    ipc::Message dup = op_msg("start", g1, "4");
    dup.add("seq", "5");
    svc.on_bus_message(dup, clock.now());
    EXPECT_TRUE(groups.runs.empty());
    EXPECT_EQ(sent.size(), 1u);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "dropped bus message from master"), 3);
}

TEST_F(RscServiceTest, ShutdownStopsHeldGroupsLastAcquiredFirstThenReportsReleased) {
    groups.auto_answer = true;
    auto svc = make();
    bool released = false;
    svc.on_released([&] { released = true; });
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    svc.on_bus_message(op_msg("start", g2, "2"), clock.now());
    svc.shutdown("SIGTERM");
    EXPECT_TRUE(released);
    EXPECT_EQ(groups.log(), (std::vector<std::string>{"start " + g1, "start " + g2, "stop " + g2, "stop " + g1}));
    EXPECT_TRUE(svc.held().empty());
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Master gone (SIGTERM): releasing 2 resource group(s)"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "All resource groups released."), 1);
    svc.on_bus_message(op_msg("start", g1, "9"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "shutting_down");
}

TEST_F(RscServiceTest, ShutdownAbortsAStartInProgressAndRefusesTheQueue) {
    auto svc = make();
    bool released = false;
    svc.on_released([&] { released = true; });
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    svc.on_bus_message(op_msg("start", g2, "2"), clock.now());
    svc.shutdown("SIGTERM");
    EXPECT_EQ(groups.aborts, 1);
    EXPECT_EQ(sent.at(0).get_or("seq", ""), "2");
    EXPECT_EQ(sent.at(0).get_or("error", ""), "shutting_down");
    EXPECT_FALSE(released);
    groups.answer({false, "", false, false});  // the aborted start released what it had started
    EXPECT_TRUE(released);
    EXPECT_EQ(groups.runs.size(), 1u);
}

TEST_F(RscServiceTest, MasterSilenceForTheTimeoutReleasesEverything) {
    groups.auto_answer = true;
    auto svc = make(6s);
    bool released = false;
    svc.on_released([&] { released = true; });
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    clock.advance(5s);
    ipc::Message ping;
    ping.add("t", "ping");
    svc.on_bus_message(ping, clock.now());
    EXPECT_EQ(svc.next_deadline(), clock.now() + 6s);
    clock.advance(5999ms);
    svc.on_tick(clock.now());
    EXPECT_FALSE(released);
    clock.advance(1ms);
    svc.on_tick(clock.now());
    EXPECT_FALSE(released);  // silent for the timeout: one more window, awake, before the verdict
    EXPECT_EQ(svc.next_deadline(), clock.now() + 600ms);
    clock.advance(600ms);
    svc.on_tick(clock.now());
    EXPECT_TRUE(released);
    EXPECT_EQ(groups.log().back(), "stop " + g1);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "no message from the master for 6600 ms"), 1);
    EXPECT_FALSE(svc.next_deadline());
}

// Issue 19 item 3: rscd frozen 300 ms (SIGSTOP/SIGCONT) with a 250 ms limit. On waking, its timer
// fires first; the master_alive messages sent meanwhile are read right after (or are still on
// their way through zmq's I/O thread). The freeze must cost nothing.
TEST_F(RscServiceTest, FreezeLongerThanTheLimitIsNotTheMastersSilence) {
    groups.auto_answer = true;
    auto svc = make(250ms);
    bool released = false;
    svc.on_released([&] { released = true; });
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());  // last message before the freeze
    clock.advance(300ms);                                       // frozen; the timer is late
    svc.on_tick(clock.now());
    EXPECT_FALSE(released);
    EXPECT_FALSE(svc.shutting_down());
    ipc::Message alive;
    alive.add("t", "master_alive");
    clock.advance(1ms);  // the messages queued during the freeze arrive
    svc.on_bus_message(alive, clock.now());
    for (int i = 0; i < 100; ++i) {  // and the master goes on beating every 100 ms
        clock.advance(100ms);
        svc.on_tick(clock.now());
        svc.on_bus_message(alive, clock.now());
    }
    EXPECT_FALSE(released);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Master gone"), 0);
    EXPECT_EQ(groups.log(), std::vector<std::string>{"start " + g1});
}

// A confirmation window whose own tick came late (frozen again) proves nothing: it starts over.
TEST_F(RscServiceTest, LateConfirmationStartsTheWindowAgain) {
    auto svc = make(250ms);
    bool released = false;
    svc.on_released([&] { released = true; });
    clock.advance(250ms);
    svc.on_tick(clock.now());
    EXPECT_EQ(svc.next_deadline(), clock.now() + 25ms);
    clock.advance(400ms);  // frozen through the window
    svc.on_tick(clock.now());
    EXPECT_FALSE(released);
    EXPECT_EQ(svc.next_deadline(), clock.now() + 25ms);
    clock.advance(25ms);  // awake and silent through a whole window: the master is gone
    svc.on_tick(clock.now());
    EXPECT_TRUE(released);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Master gone (no message from the master for 675 ms)"), 1);
}

TEST_F(RscServiceTest, StopThatLeavesSomethingRunningKeepsTheHold) {
    auto svc = make();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());
    groups.answer({true, "", true, true});
    svc.on_bus_message(op_msg("stop", g1, "2"), clock.now());
    groups.answer({false, "nginx", false, true});
    EXPECT_EQ(sent.back().get_or("running", ""), "partial");
    EXPECT_EQ(svc.held(), std::vector<std::string>{g1});
}

// --- rsc_reload ------------------------------------------------------------------------------------

ipc::Message reload_msg(std::string seq) {
    ipc::Message m;
    m.add("t", "rsc_reload").add("seq", seq);
    return m;
}

class RscReloadTest : public RscServiceTest {
protected:
    RscService make_reloading() {
        return RscService(hr, groups, [this](const ipc::Message& m) { sent.push_back(m); }, log, clock.now(), 0ms,
                          [this]() -> Result<conf::Haresources> {
                              ++loads;
                              if (!next) return make_error("invalid_config", "haresources:2: error: Cannot locate resource script x");
                              return *next;
                          });
    }
    // hr with g2 grown by one resource and a third group added.
    conf::Haresources changed() const {
        conf::Haresources h = hr;
        h.groups[1] = test::group_of({test::builtin_ip("192.0.2.101/24/eth0"), test::script("mail"), test::script("spam")});
        h.groups.push_back(test::group_of({test::builtin_ip("192.0.2.102/24/eth0")}));
        return h;
    }
    std::optional<conf::Haresources> next;
    int loads = 0;
    const std::string g3 = "IPaddr::192.0.2.102/24/eth0";
};

TEST_F(RscReloadTest, IdleServiceSwapsGroupsNotHeldAndAnswersTheCount) {
    groups.auto_answer = true;
    auto svc = make_reloading();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());  // g1 held, unchanged
    next = changed();
    svc.on_bus_message(reload_msg("l1"), clock.now());
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[1].type(), "rsc_reloaded");
    EXPECT_EQ(sent[1].get_or("seq", ""), "l1");
    EXPECT_EQ(sent[1].get_or("rc", ""), "ok");
    EXPECT_EQ(sent[1].get_or("groups", ""), "3");
    EXPECT_EQ(svc.haresources().groups[1].resources.size(), 3u);
    EXPECT_EQ(svc.held(), std::vector<std::string>{g1});
    EXPECT_EQ(log.count(ipc::LogLevel::info, "haresources reloaded: 3 resource group(s)"), 1);
    // The new group and the changed one run from the new definitions.
    svc.on_bus_message(op_msg("start", g3, "2"), clock.now());
    svc.on_bus_message(op_msg("start", g2, "3"), clock.now());
    EXPECT_EQ(groups.log().back(), "start " + g2);
    EXPECT_EQ(sent.back().get_or("rc", ""), "ok");
    EXPECT_EQ(svc.held(), (std::vector<std::string>{g1, g3, g2}));
}

TEST_F(RscReloadTest, ChangedOrRemovedHeldGroupIsRefusedAndNothingChanges) {
    groups.auto_answer = true;
    auto svc = make_reloading();
    svc.on_bus_message(op_msg("start", g2, "1"), clock.now());
    next = changed();
    svc.on_bus_message(reload_msg("l1"), clock.now());
    EXPECT_EQ(sent.back().get_or("rc", ""), "failed");
    EXPECT_EQ(sent.back().get_or("error", ""), "held group " + g2 + " changed");
    EXPECT_EQ(svc.haresources().groups.size(), 2u);
    next->groups.erase(next->groups.begin() + 1);  // g2 removed instead
    svc.on_bus_message(reload_msg("l2"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "held group " + g2 + " removed");
    EXPECT_EQ(svc.haresources().groups[1].resources.size(), 2u);
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "haresources reload refused"), 2);
}

TEST_F(RscReloadTest, BusyInvalidOrShuttingDownIsRefused) {
    auto svc = make_reloading();
    next = changed();
    svc.on_bus_message(op_msg("start", g1, "1"), clock.now());  // running, not answered
    svc.on_bus_message(reload_msg("l1"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "busy");
    EXPECT_EQ(loads, 0);
    groups.answer({true, "", true, true});
    next.reset();  // the files are broken now
    svc.on_bus_message(reload_msg("l2"), clock.now());
    EXPECT_EQ(sent.back().get_or("rc", ""), "failed");
    EXPECT_EQ(sent.back().get_or("error", ""), "haresources:2: error: Cannot locate resource script x");
    EXPECT_EQ(svc.haresources().groups.size(), 2u);
    groups.auto_answer = true;
    svc.shutdown("SIGTERM");
    svc.on_bus_message(reload_msg("l3"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "shutting_down");
}

TEST_F(RscReloadTest, WithoutALoaderReloadIsRefused) {
    auto svc = make();
    svc.on_bus_message(reload_msg("l1"), clock.now());
    EXPECT_EQ(sent.back().get_or("error", ""), "reload not supported");
}

TEST_F(RscReloadTest, MalformedReloadIsDroppedWithAnError) {
    auto svc = make_reloading();
    next = changed();
    ipc::Message extra = reload_msg("l1");
    extra.add("group", g1);
    svc.on_bus_message(extra, clock.now());
    ipc::Message none;
    none.add("t", "rsc_reload");
    svc.on_bus_message(none, clock.now());
    ipc::Message dup = reload_msg("l2");
    dup.add("seq", "l3");
    svc.on_bus_message(dup, clock.now());
    EXPECT_TRUE(sent.empty());
    EXPECT_EQ(loads, 0);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "dropped bus message from master: rsc_reload"), 3);
}

}  // namespace
}  // namespace ha::rsc
