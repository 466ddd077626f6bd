// GroupRunner: Heartbeat's ResourceManager order, skip-if-running, rollback, stop retries, timeouts.
#include "rscd/group_runner.hpp"

#include <gtest/gtest.h>

#include "rsc_test_util.hpp"

namespace ha::rsc {
namespace {

using test::FakeAgents;
using Strings = std::vector<std::string>;
constexpr auto kIp = "IPaddr::192.0.2.100/24/eth0";

class GroupRunnerTest : public ::testing::Test {
protected:
    conf::ResourceGroup group = test::group_of(
        {test::builtin_ip("192.0.2.100/24/eth0"), test::script("nginx"), test::script("mail", {"a", "b"})});
    ipc::FakeClock clock;
    ipc::CaptureLog log;
    FakeAgents agents;
};

TEST_F(GroupRunnerTest, StartRunsStatusThenStartLeftToRight) {
    GroupRunner runner(group, GroupOp::start, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_TRUE(out.ok);
    EXPECT_TRUE(out.running);
    EXPECT_EQ(agents.calls, (Strings{std::string(kIp) + " status", std::string(kIp) + " start", "nginx status",
                                     "nginx start", "mail::a::b status", "mail::a::b start"}));
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Acquiring resource group: web1 IPaddr::192.0.2.100/24/eth0 nginx mail::a::b"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Running IPaddr 192.0.2.100/24/eth0 start"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Running /etc/ha.d/resource.d/nginx start"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Running /etc/ha.d/resource.d/mail a b start"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, ""), 0);
}

TEST_F(GroupRunnerTest, StartSkipsResourceWhoseStatusSaysRunning) {
    agents.push("nginx", "status", AgentResult::exit(1, "nginx is running\n"));  // exit code ignored
    GroupRunner runner(group, GroupOp::start, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_TRUE(out.ok);
    EXPECT_EQ(agents.calls, (Strings{std::string(kIp) + " status", std::string(kIp) + " start", "nginx status",
                                     "mail::a::b status", "mail::a::b start"}));
    EXPECT_EQ(log.count("Resource nginx is already running"), 1);
}

TEST_F(GroupRunnerTest, FailedStartGivesUpOnceAndStopsRightToLeft) {
    agents.push("mail::a::b", "start", AgentResult::exit(1));
    GroupRunner runner(group, GroupOp::start, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_FALSE(out.ok);
    EXPECT_FALSE(out.running);
    EXPECT_EQ(out.failed_rsc, "mail::a::b");
    EXPECT_EQ(agents.calls, (Strings{std::string(kIp) + " status", std::string(kIp) + " start", "nginx status",
                                     "nginx start", "mail::a::b status", "mail::a::b start", "mail::a::b stop",
                                     "nginx stop", std::string(kIp) + " stop"}));
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Giving up resources due to failure of mail::a::b"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, ""), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "Return code 1 from /etc/ha.d/resource.d/mail"), 1);
}

TEST_F(GroupRunnerTest, FailedFirstStartStopsOnlyThatResource) {
    agents.push(kIp, "start", AgentResult::exit(1));
    GroupRunner runner(group, GroupOp::start, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.failed_rsc, kIp);
    EXPECT_EQ(agents.calls, (Strings{std::string(kIp) + " status", std::string(kIp) + " start", std::string(kIp) + " stop"}));
    EXPECT_EQ(log.count(ipc::LogLevel::error, "Return code 1 from IPaddr"), 1);
}

TEST_F(GroupRunnerTest, StartTimeoutIsAFailure) {
    agents.push("nginx", "start", AgentResult::timeout());
    RunnerOptions options;
    options.start_timeout = std::chrono::seconds(7);
    GroupRunner runner(group, GroupOp::start, options, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_FALSE(out.ok);
    EXPECT_EQ(out.failed_rsc, "nginx");
    EXPECT_EQ(agents.timeouts.at(3), std::chrono::seconds(7));
    EXPECT_EQ(log.count(ipc::LogLevel::error, "/etc/ha.d/resource.d/nginx start timed out after 7000 ms"), 1);
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Giving up resources due to failure of nginx"), 1);
}

TEST_F(GroupRunnerTest, StopRunsRightToLeftWithoutStatus) {
    GroupRunner runner(group, GroupOp::stop, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_TRUE(out.ok);
    EXPECT_FALSE(out.any_running);
    EXPECT_EQ(agents.calls, (Strings{"mail::a::b stop", "nginx stop", std::string(kIp) + " stop"}));
    EXPECT_EQ(log.count(ipc::LogLevel::info, "Releasing resource group: web1 IPaddr::192.0.2.100/24/eth0 nginx mail::a::b"), 1);
}

TEST_F(GroupRunnerTest, FailedStopIsRetriedOncePerSecond) {
    agents.push("nginx", "stop", AgentResult::exit(1));
    agents.push("nginx", "stop", AgentResult::exit(1));
    const auto t0 = clock.now();
    GroupRunner runner(group, GroupOp::stop, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_TRUE(out.ok);
    EXPECT_EQ(agents.calls, (Strings{"mail::a::b stop", "nginx stop", "nginx stop", "nginx stop", std::string(kIp) + " stop"}));
    EXPECT_EQ(clock.now() - t0, std::chrono::seconds(2));
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "Stop of nginx failed (attempt 1 of 10)"), 1);
}

TEST_F(GroupRunnerTest, WaitsBeforeRetryInsteadOfRunning) {
    agents.push("mail::a::b", "stop", AgentResult::exit(1));
    GroupRunner runner(group, GroupOp::stop, {}, log);
    ASSERT_TRUE(std::holds_alternative<RunAgent>(runner.next(clock.now())));
    runner.on_result(AgentResult::exit(1), clock.now());
    Step s = runner.next(clock.now());
    ASSERT_TRUE(std::holds_alternative<WaitUntil>(s));
    EXPECT_EQ(std::get<WaitUntil>(s).when, clock.now() + std::chrono::seconds(1));
    clock.advance(std::chrono::milliseconds(999));
    EXPECT_TRUE(std::holds_alternative<WaitUntil>(runner.next(clock.now())));
    clock.advance(std::chrono::milliseconds(1));
    s = runner.next(clock.now());
    ASSERT_TRUE(std::holds_alternative<RunAgent>(s));
    EXPECT_EQ(std::get<RunAgent>(s).index, 2u);
    EXPECT_EQ(std::get<RunAgent>(s).action, AgentAction::stop);
}

TEST_F(GroupRunnerTest, StopGivesUpAfterTenRunsAndStillStopsTheRest) {
    for (int i = 0; i < 10; ++i) agents.push("nginx", "stop", AgentResult::exit(1));
    agents.push("nginx", "status", AgentResult::exit(0, "running\n"));
    const auto t0 = clock.now();
    GroupRunner runner(group, GroupOp::stop, {}, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_FALSE(out.ok);
    EXPECT_TRUE(out.any_running);
    EXPECT_EQ(out.failed_rsc, "nginx");
    EXPECT_EQ(std::count(agents.calls.begin(), agents.calls.end(), "nginx stop"), 10);
    EXPECT_EQ(agents.calls.back(), std::string(kIp) + " stop");  // the VIP still goes
    EXPECT_EQ(clock.now() - t0, std::chrono::seconds(9));
    EXPECT_EQ(log.count(ipc::LogLevel::crit, "Resource nginx failed to stop after 10 attempts and is still running"), 1);
}

TEST_F(GroupRunnerTest, StopFailureWithStoppedStatusIsNotLsbCompliantButDone) {
    RunnerOptions options;
    options.stop_retry_max = 2;
    agents.push("nginx", "stop", AgentResult::exit(1));
    agents.push("nginx", "stop", AgentResult::timeout());
    GroupRunner runner(group, GroupOp::stop, options, log);
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_TRUE(out.ok);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "probably not LSB-compliant"), 1);
}

TEST_F(GroupRunnerTest, StatusReportsAllPartialOrNone) {
    {
        GroupRunner runner(group, GroupOp::status, {}, log);
        const GroupOutcome out = agents.run(runner, clock);
        EXPECT_FALSE(out.running);
        EXPECT_FALSE(out.any_running);
        EXPECT_EQ(out.failed_rsc, kIp);
    }
    agents.push(kIp, "status", AgentResult::exit(0, "running"));
    {
        GroupRunner runner(group, GroupOp::status, {}, log);
        const GroupOutcome out = agents.run(runner, clock);
        EXPECT_FALSE(out.running);
        EXPECT_TRUE(out.any_running);
        EXPECT_EQ(out.failed_rsc, "nginx");
    }
    for (const char* w : {kIp, "nginx", "mail::a::b"}) agents.push(w, "status", AgentResult::exit(0, "OK"));
    {
        GroupRunner runner(group, GroupOp::status, {}, log);
        const GroupOutcome out = agents.run(runner, clock);
        EXPECT_TRUE(out.running);
        EXPECT_TRUE(out.ok);
        EXPECT_EQ(out.failed_rsc, "");
    }
}

TEST_F(GroupRunnerTest, AbortDuringStartReleasesWhatWasStarted) {
    GroupRunner runner(group, GroupOp::start, {}, log);
    // status + start of the VIP, then status of nginx is in flight when SIGTERM comes.
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(std::holds_alternative<RunAgent>(runner.next(clock.now())));
        runner.on_result(i == 0 ? AgentResult::exit(0, "stopped") : AgentResult::exit(0), clock.now());
    }
    ASSERT_TRUE(std::holds_alternative<RunAgent>(runner.next(clock.now())));
    runner.abort();
    runner.on_result(AgentResult::exit(0, "stopped"), clock.now());
    const GroupOutcome out = agents.run(runner, clock);
    EXPECT_FALSE(out.ok);
    EXPECT_FALSE(out.any_running);
    EXPECT_EQ(agents.calls, (Strings{std::string(kIp) + " stop"}));
    EXPECT_EQ(log.count(ipc::LogLevel::crit, ""), 0);
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "aborted"), 2);
}

TEST_F(GroupRunnerTest, AbortHasNoEffectOnStop) {
    GroupRunner runner(group, GroupOp::stop, {}, log);
    runner.abort();
    EXPECT_TRUE(agents.run(runner, clock).ok);
    EXPECT_EQ(agents.calls.size(), 3u);
}

TEST_F(GroupRunnerTest, LsbStatusUsesExitCodes) {
    conf::ResourceGroup g = test::group_of({test::script("apache2", {}, conf::AgentKind::lsb)});
    agents.push("apache2", "status", AgentResult::exit(0, "apache2 is not running"));  // exit 0 wins
    GroupRunner runner(g, GroupOp::start, {}, log);
    EXPECT_TRUE(agents.run(runner, clock).ok);
    EXPECT_EQ(agents.calls, (Strings{"apache2 status"}));
    EXPECT_EQ(log.count(ipc::LogLevel::debug, "Running /etc/init.d/apache2 status"), 1);
}

TEST_F(GroupRunnerTest, FinishedIsSticky) {
    GroupRunner runner(group, GroupOp::status, {}, log);
    agents.run(runner, clock);
    EXPECT_TRUE(runner.finished());
    EXPECT_TRUE(std::holds_alternative<Finished>(runner.next(clock.now())));
}

}  // namespace
}  // namespace ha::rsc
