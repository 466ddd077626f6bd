// Unit tests of RespawnPolicy: backoff, reset after a stable run, permanent exits, hung children.
#include "master/core/respawn_policy.hpp"

#include <gtest/gtest.h>

#include <csignal>

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::SteadyTime;
namespace hm = ha::master;

namespace {

constexpr const char* kNet = "heartbeatd-net";

struct Fixture {
    Fixture() : policy(hm::RespawnParams{}, log) {}
    // Starts the child at `at`, lets it live `lived`, and reports an exit status 1.
    hm::RespawnDecision run_and_crash(SteadyTime at, std::chrono::milliseconds lived, int pid = 123) {
        policy.on_started(kNet, pid, at);
        return policy.on_exit(kNet, hm::ChildExit::exited(1), at + lived);
    }
    CaptureLog log;
    SteadyTime t0 = SteadyTime{} + 1000h;
    hm::RespawnPolicy policy;
};

}  // namespace

TEST(RespawnPolicy, FirstRespawnAfterOneSecondLoggedOnce) {
    Fixture f;
    auto d = f.run_and_crash(f.t0, 5s);
    EXPECT_TRUE(d.respawn);
    EXPECT_EQ(d.delay, 1000ms);
    EXPECT_EQ(d.at, f.t0 + 5s + 1s);
    EXPECT_EQ(f.log.count(LogLevel::warn, "Respawning child heartbeatd-net (pid 123) after exit status 1 in 1000 ms"), 1);
    EXPECT_EQ(f.log.lines().size(), 1u);
}

TEST(RespawnPolicy, BackoffDoublesUpToSixtySeconds) {
    Fixture f;
    SteadyTime t = f.t0;
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 9; ++i) {
        auto d = f.run_and_crash(t, 2s);
        delays.push_back(d.delay);
        t = *d.at;
    }
    EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s}));
    EXPECT_EQ(f.log.count("after exit status 1 in 2000 ms"), 1);
    EXPECT_EQ(f.log.count("in 60000 ms"), 3);
}

TEST(RespawnPolicy, ResetsToOneSecondAfterChildLivedSixtySeconds) {
    Fixture f;
    f.run_and_crash(f.t0, 1s);
    auto d = f.run_and_crash(f.t0 + 10s, 1s);
    ASSERT_EQ(d.delay, 2s);
    d = f.run_and_crash(f.t0 + 20s, 60s - 1ms);
    EXPECT_EQ(d.delay, 4s) << "one millisecond short of stable";
    d = f.run_and_crash(f.t0 + 100s, 60s);
    EXPECT_EQ(d.delay, 1s) << "lived a minute: start over";
}

TEST(RespawnPolicy, PermanentExitCodesAreNotRespawned) {
    for (int code : {77, 78, 127}) {
        Fixture f;
        f.policy.on_started(kNet, 321, f.t0);
        auto d = f.policy.on_exit(kNet, hm::ChildExit::exited(code), f.t0 + 1s);
        EXPECT_FALSE(d.respawn) << code;
        EXPECT_FALSE(d.at.has_value());
        EXPECT_TRUE(f.policy.given_up(kNet));
        EXPECT_EQ(f.log.count(LogLevel::error, "Child heartbeatd-net (pid 321) exited with status"), 1);
        EXPECT_EQ(f.log.count("Respawning"), 0);
        EXPECT_TRUE(f.policy.on_tick(f.t0 + 1h).empty());
        EXPECT_EQ(f.policy.next_deadline(), std::nullopt);
    }
    Fixture f;
    f.policy.on_started(kNet, 9, f.t0);
    f.policy.on_exit(kNet, hm::ChildExit::exited(78), f.t0);
    EXPECT_EQ(f.log.count("exited with status 78 (EX_CONFIG): not respawning"), 1);
}

TEST(RespawnPolicy, SignalDeathNamesTheSignal) {
    Fixture f;
    f.policy.on_started(kNet, 123, f.t0);
    auto d = f.policy.on_exit(kNet, hm::ChildExit::from_wait_status(SIGKILL), f.t0 + 3s);
    EXPECT_TRUE(d.respawn) << "a signal is never permanent";
    EXPECT_EQ(f.log.count(LogLevel::warn,
                          "Respawning child heartbeatd-net (pid 123) after it was killed by signal SIGKILL in 1000 ms"),
              1);
    EXPECT_EQ(hm::ChildExit::from_wait_status(78 << 8).describe(), "exit status 78");
    EXPECT_EQ(hm::signal_name(SIGSEGV), "SIGSEGV");
    EXPECT_EQ(hm::signal_name(64), "signal 64");
}

TEST(RespawnPolicy, RespawnDueOnTickAtItsTimeNotBefore) {
    Fixture f;
    auto d = f.run_and_crash(f.t0, 1s);
    EXPECT_EQ(f.policy.next_deadline(), d.at);
    EXPECT_TRUE(f.policy.on_tick(*d.at - 1ms).empty());
    auto actions = f.policy.on_tick(*d.at);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0], (hm::RespawnAction{hm::RespawnActionKind::respawn, kNet, 123}));
    EXPECT_TRUE(f.policy.on_tick(*d.at + 1s).empty()) << "each respawn is due once";
    EXPECT_EQ(f.policy.next_deadline(), std::nullopt);
}

TEST(RespawnPolicy, HungChildReportedOnceAfterMissedBeats) {
    Fixture f;  // liveness 1 s x 5
    f.policy.on_started(kNet, 55, f.t0);
    EXPECT_EQ(f.policy.next_deadline(), f.t0 + 5s);
    f.policy.on_liveness(kNet, f.t0 + 2s);
    EXPECT_EQ(f.policy.next_deadline(), f.t0 + 7s) << "a beat postpones the hang";
    EXPECT_TRUE(f.policy.on_tick(f.t0 + 7s - 1ms).empty());
    auto actions = f.policy.on_tick(f.t0 + 7s);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0], (hm::RespawnAction{hm::RespawnActionKind::kill_hung, kNet, 55}));
    EXPECT_EQ(f.log.count(LogLevel::warn, "Child heartbeatd-net (pid 55) hung: no liveness beat for 5000 ms"), 1);
    EXPECT_TRUE(f.policy.on_tick(f.t0 + 20s).empty()) << "reported once";
    // The shell SIGKILLs it; the death comes back as an ordinary exit.
    auto d = f.policy.on_exit(kNet, hm::ChildExit::signaled(SIGKILL), f.t0 + 21s);
    EXPECT_TRUE(d.respawn);
    EXPECT_EQ(f.log.count("killed by signal SIGKILL"), 1);
}

TEST(RespawnPolicy, ChildrenAreIndependent) {
    Fixture f;
    f.run_and_crash(f.t0, 1s);
    f.run_and_crash(f.t0 + 5s, 1s);
    f.policy.on_started("ipfaild", 77, f.t0);
    auto d = f.policy.on_exit("ipfaild", hm::ChildExit::exited(2), f.t0 + 1s);
    EXPECT_EQ(d.delay, 1s);
    f.policy.forget("ipfaild");
    EXPECT_FALSE(f.policy.given_up("ipfaild"));
}

TEST(RespawnPolicy, ChildWithoutBeatsIsNeverReportedHung) {
    ha::ipc::FakeClock clock;
    ha::ipc::CaptureLog log;
    ha::master::RespawnPolicy policy(ha::master::RespawnParams{}, log);
    policy.set_beats("site-script", false);
    policy.on_started("site-script", 42, clock.now());
    clock.advance(std::chrono::minutes(10));
    EXPECT_TRUE(policy.on_tick(clock.now()).empty());
    EXPECT_FALSE(policy.next_deadline().has_value());
    EXPECT_EQ(log.count("hung"), 0);
}

TEST(RespawnPolicy, MediaDaemonIsRespawnedAtOnceThenFromAHundredMilliseconds) {
    ha::ipc::FakeClock clock;
    ha::ipc::CaptureLog log;
    ha::master::RespawnPolicy policy(ha::master::RespawnParams{}, log);
    policy.set_initial_delay("heartbeatd-net", std::chrono::milliseconds(0));
    policy.on_started("heartbeatd-net", 10, clock.now());
    auto first = policy.on_exit("heartbeatd-net", ha::master::ChildExit::signaled(9), clock.now());
    EXPECT_EQ(first.delay, std::chrono::milliseconds(0));
    policy.on_started("heartbeatd-net", 11, clock.now());
    auto second = policy.on_exit("heartbeatd-net", ha::master::ChildExit::signaled(9), clock.now());
    EXPECT_EQ(second.delay, std::chrono::milliseconds(100));
    policy.on_started("heartbeatd-net", 12, clock.now());
    auto third = policy.on_exit("heartbeatd-net", ha::master::ChildExit::signaled(9), clock.now());
    EXPECT_EQ(third.delay, std::chrono::milliseconds(200));
}

// Issue 19 items 3 and 4: rscd exits 0 after releasing everything because the master was silent.
// That is a deliberate exit, not a crash: it comes back at once, with no back-off, every time.
TEST(RespawnPolicy, CleanExitIsRespawnedAtOnceWithoutBackoff) {
    Fixture f;
    SteadyTime t = f.t0;
    for (int round = 0; round < 3; ++round) {
        f.policy.on_started("rscd", 200 + round, t);
        t += 30s;
        auto d = f.policy.on_exit("rscd", hm::ChildExit::exited(0), t);
        EXPECT_TRUE(d.respawn);
        EXPECT_EQ(d.delay, 0ms) << "round " << round;
        EXPECT_EQ(d.at, t);
        auto actions = f.policy.on_tick(t);
        ASSERT_EQ(actions.size(), 1u);
        EXPECT_EQ(actions[0].kind, hm::RespawnActionKind::respawn);
    }
    EXPECT_EQ(f.log.count(LogLevel::warn, "Respawning child rscd (pid 200) after exit status 0 in 0 ms (a clean exit, not a crash)"), 1);
    // The back-off of real crashes is untouched by clean exits: a crash afterwards starts at 1 s.
    f.policy.on_started("rscd", 300, t);
    auto d = f.policy.on_exit("rscd", hm::ChildExit::exited(1), t + 5s);
    EXPECT_EQ(d.delay, 1000ms);
}

// A child that exits 0 right after its start would make the master spin: that is a crash.
TEST(RespawnPolicy, CleanExitRightAfterStartIsBackedOffLikeACrash) {
    Fixture f;
    f.policy.on_started("rscd", 10, f.t0);
    auto d = f.policy.on_exit("rscd", hm::ChildExit::exited(0), f.t0 + 100ms);
    EXPECT_EQ(d.delay, 1000ms);
    f.policy.on_started("rscd", 11, f.t0 + 2s);
    d = f.policy.on_exit("rscd", hm::ChildExit::exited(0), f.t0 + 2s + 10ms);
    EXPECT_EQ(d.delay, 2000ms);
}

// Issue 19 item 3 on the master's side: the master frozen longer than the hang limit wakes with its
// timer and the children's beats ready at once; its late tick is no proof that a child hung.
TEST(RespawnPolicy, LateHangTickAfterAFrozenMasterGivesTheChildAnotherInterval) {
    Fixture f;  // liveness 1 s x 5
    f.policy.on_started(kNet, 55, f.t0);
    f.policy.on_liveness(kNet, f.t0 + 1s);
    // Frozen from t0+1s to t0+9s: the hang deadline (t0+6s) passed 3 s ago.
    EXPECT_TRUE(f.policy.on_tick(f.t0 + 9s).empty());
    EXPECT_EQ(f.policy.next_deadline(), f.t0 + 10s);
    f.policy.on_liveness(kNet, f.t0 + 9s + 5ms);  // the beats waiting on the bus
    EXPECT_TRUE(f.policy.on_tick(f.t0 + 10s).empty());
    EXPECT_EQ(f.log.count("hung"), 0);
    // Really silent, with the master awake and its ticks on time: hung as before.
    auto actions = f.policy.on_tick(f.t0 + 14s + 5ms);
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0].kind, hm::RespawnActionKind::kill_hung);
}
