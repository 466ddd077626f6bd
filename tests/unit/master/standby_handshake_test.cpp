// Unit tests of StandbyHandshake: the three-phase standby handshake in both roles, its timers on
// a fake clock, refusals of a new request, messages out of turn, cancellation and how it ended.
#include "master/core/standby_handshake.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::SteadyTime;
namespace hm = ha::master;
using Phase = hm::StandbyHandshake::Phase;
using Step = hm::StandbyHandshake::Step;
using Settled = hm::StandbyHandshake::Settled;

namespace {

struct Fixture {
    Fixture() : hs({"web2", 10s, 1h}, log) {}
    Step ask(std::string word, hm::AskPhase phase, bool peer_stable = true, bool local_stable = true) {
        return hs.on_ask(now, hm::AskResources{std::move(word), phase}, "web2", peer_stable, local_stable);
    }
    CaptureLog log;
    SteadyTime now = SteadyTime{} + 1000h;
    hm::StandbyHandshake hs;
};

}  // namespace

TEST(StandbyHandshake, RequesterReleasesThenWaitsForThePeersDone) {
    Fixture f;
    f.hs.request(f.now, "web1", "all", false);
    EXPECT_EQ(f.hs.phase(), Phase::requested);
    EXPECT_EQ(f.hs.deadline(), f.now + 10s);
    EXPECT_FALSE(f.hs.under_way());  // asked, nothing moves yet
    EXPECT_EQ(f.log.count(LogLevel::info, "web1 wants to go standby [all]"), 1);

    f.now += 2s;
    EXPECT_EQ(f.ask("all", hm::AskPhase::other), Step::release);
    EXPECT_EQ(f.hs.phase(), Phase::releasing);
    EXPECT_EQ(f.hs.set(), hm::ResourceSet::all);
    EXPECT_EQ(f.hs.taking(), hm::ResourceSet::none);  // the requester takes nothing
    EXPECT_EQ(f.hs.deadline(), f.now + 1h);
    EXPECT_TRUE(f.hs.under_way());
    EXPECT_EQ(f.log.count("standby: web2 can take our all resources"), 1);

    f.now += 1s;
    EXPECT_EQ(f.hs.on_converged(f.now), Settled::released);
    EXPECT_EQ(f.hs.phase(), Phase::released);
    EXPECT_EQ(f.hs.deadline(), f.now + 1h);
    EXPECT_EQ(f.log.count("Local standby process completed [all]."), 1);
    EXPECT_EQ(f.hs.ends(), 0u);

    EXPECT_EQ(f.ask("all", hm::AskPhase::done), Step::complete);
    EXPECT_TRUE(f.hs.idle());
    EXPECT_FALSE(f.hs.deadline());
    EXPECT_EQ(f.hs.ends(), 1u);
    EXPECT_EQ(f.hs.last_end(), "done");
    EXPECT_EQ(f.log.count("Other node completed standby takeover of all resources."), 1);
}

TEST(StandbyHandshake, OtherNodeGrantsThenAcquiresTheRequestersPartInItsOwnWords) {
    Fixture f;
    EXPECT_EQ(f.ask("foreign", hm::AskPhase::me), Step::grant);
    EXPECT_EQ(f.hs.phase(), Phase::granted);
    EXPECT_EQ(f.hs.word(), "foreign");
    EXPECT_EQ(f.hs.deadline(), f.now + 1h);
    EXPECT_TRUE(f.hs.under_way());
    EXPECT_EQ(f.hs.taking(), hm::ResourceSet::none);  // not before its `done`
    EXPECT_EQ(f.log.count("web2 wants to go standby [foreign]"), 1);

    EXPECT_EQ(f.ask("foreign", hm::AskPhase::done), Step::acquire);
    EXPECT_EQ(f.hs.phase(), Phase::acquiring);
    EXPECT_EQ(f.hs.taking(), hm::ResourceSet::local);  // its foreign is our local
    EXPECT_EQ(f.log.count("standby: acquire [foreign] resources from web2"), 1);

    EXPECT_EQ(f.hs.on_converged(f.now), Settled::acquired);
    EXPECT_TRUE(f.hs.idle());
    EXPECT_EQ(f.hs.taking(), hm::ResourceSet::none);
    EXPECT_EQ(f.hs.ends(), 1u);
    EXPECT_EQ(f.hs.last_end(), "done");
    EXPECT_EQ(f.log.count("Standby resource acquisition done [foreign]."), 1);
    EXPECT_EQ(f.hs.on_converged(f.now), Settled::none);  // nothing owed any more
}

TEST(StandbyHandshake, UnansweredRequestExpiresAfterTheReplyTimeoutOnly) {
    Fixture f;
    const SteadyTime t0 = f.now;
    f.hs.request(t0, "web1", "foreign", true);
    EXPECT_FALSE(f.hs.on_tick(t0 + 10s - 1ms));
    EXPECT_EQ(f.hs.phase(), Phase::requested);
    const auto expired = f.hs.on_tick(t0 + 10s);
    ASSERT_TRUE(expired);
    EXPECT_TRUE(expired->failback);  // ResourceOwner asks its failback again
    EXPECT_TRUE(f.hs.idle());
    EXPECT_FALSE(f.hs.deadline());
    EXPECT_EQ(f.hs.last_end(), "no_reply: web2 did not answer");
    EXPECT_EQ(f.log.count(LogLevel::warn, "No reply to standby request.  Standby request cancelled."), 1);
    EXPECT_FALSE(f.hs.on_tick(t0 + 20s));  // once
    EXPECT_EQ(f.hs.ends(), 1u);
}

TEST(StandbyHandshake, OperatorRequestThatExpiresIsNotAFailback) {
    Fixture f;
    f.hs.request(f.now, "web1", "all", false);
    const auto expired = f.hs.on_tick(f.now + 10s);
    ASSERT_TRUE(expired);
    EXPECT_FALSE(expired->failback);
}

TEST(StandbyHandshake, ResourcesStillMovingAfterTheResourceTimeoutCancelNotAFailback) {
    Fixture f;
    f.hs.request(f.now, "web1", "foreign", true);
    f.now += 1s;
    ASSERT_EQ(f.ask("foreign", hm::AskPhase::other), Step::release);
    EXPECT_FALSE(f.hs.on_tick(f.now + 1h - 1ms));  // the reply timeout no longer applies
    const auto expired = f.hs.on_tick(f.now + 1h);
    ASSERT_TRUE(expired);
    EXPECT_FALSE(expired->failback);  // it was answered: not asked again
    EXPECT_EQ(f.hs.last_end(), "cancelled: resources still moving after 3600 s");
}

TEST(StandbyHandshake, NewRequestWhileTheTimerRunsIsIgnoredWithTheSecondsLeft) {
    Fixture f;
    ASSERT_EQ(f.ask("all", hm::AskPhase::me), Step::grant);
    f.now += 1500ms;
    EXPECT_EQ(f.hs.seconds_left(f.now), 3599);  // 3598.5 s, rounded up
    EXPECT_EQ(f.ask("all", hm::AskPhase::me), Step::none);
    EXPECT_EQ(f.hs.phase(), Phase::granted);
    EXPECT_EQ(f.log.count(LogLevel::warn, "Standby in progress- new request from web2 ignored [3599 seconds left]"), 1);
}

TEST(StandbyHandshake, IdleNodeGrantsOnlyWhenBothSidesAreStable) {
    Fixture f;
    EXPECT_EQ(f.ask("all", hm::AskPhase::me, /*peer_stable=*/false), Step::none);
    EXPECT_EQ(f.log.count(LogLevel::warn, "standby message [me] from web2 ignored.  Other side is in flux."), 1);
    EXPECT_EQ(f.ask("all", hm::AskPhase::me, true, /*local_stable=*/false), Step::none);
    EXPECT_EQ(f.log.count(LogLevel::warn, "standby message [me] from web2 ignored.  local resources in flux."), 1);
    EXPECT_TRUE(f.hs.idle());
    EXPECT_FALSE(f.hs.deadline());
    EXPECT_EQ(f.hs.ends(), 0u);
}

TEST(StandbyHandshake, MessagesOutOfTurnAreIgnoredAndLogged) {
    Fixture f;
    EXPECT_EQ(f.ask("all", hm::AskPhase::done), Step::none);  // idle: only `me` starts one
    EXPECT_EQ(f.log.count(LogLevel::error, "Ignored standby message 'done' from web2 in state 0"), 1);
    f.hs.request(f.now, "web1", "all", false);
    EXPECT_EQ(f.ask("all", hm::AskPhase::done), Step::none);  // requested: waits for `other`
    EXPECT_EQ(f.hs.phase(), Phase::requested);
    ASSERT_EQ(f.ask("all", hm::AskPhase::other), Step::release);
    EXPECT_EQ(f.ask("all", hm::AskPhase::done), Step::none);  // releasing: our `done` goes first
    EXPECT_EQ(f.hs.phase(), Phase::releasing);
    EXPECT_EQ(f.log.count(LogLevel::error, "Ignored standby message"), 3);
}

TEST(StandbyHandshake, CancelEndsOnlyAHandshakeUnderWay) {
    Fixture f;
    f.hs.cancel("nothing to cancel");
    EXPECT_EQ(f.hs.ends(), 0u);
    EXPECT_EQ(f.log.count("Cancelling pending standby operation"), 0);
    ASSERT_EQ(f.ask("local", hm::AskPhase::me), Step::grant);
    f.hs.cancel("web2 is dead");
    EXPECT_TRUE(f.hs.idle());
    EXPECT_FALSE(f.hs.deadline());
    EXPECT_EQ(f.hs.ends(), 1u);
    EXPECT_EQ(f.hs.last_end(), "cancelled: web2 is dead");
    EXPECT_EQ(f.log.count("Cancelling pending standby operation"), 1);
    EXPECT_FALSE(f.hs.on_tick(f.now + 2h));  // no timer left behind
}

// The failback mark belongs to the request that carried it: an operator's request after a
// cancelled failback is not asked again when it gets no answer.
TEST(StandbyHandshake, LaterOperatorRequestAfterACancelledFailbackIsNotAFailback) {
    Fixture f;
    f.hs.request(f.now, "web1", "foreign", true);
    f.hs.cancel("settled instead");
    f.hs.request(f.now, "web1", "all", false);
    const auto expired = f.hs.on_tick(f.now + 10s);
    ASSERT_TRUE(expired);
    EXPECT_FALSE(expired->failback);
}
