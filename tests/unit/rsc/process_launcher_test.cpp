// ProcessLauncher: real /bin/sh children — exit codes, output capture, timeouts, daemons that keep
// the pipes open.
#include "rscd/process_launcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;

class ProcessLauncherTest : public ::testing::Test {
protected:
    AgentResult run_sh(const std::string& script, std::chrono::milliseconds timeout = 10s,
                       std::vector<std::string> env = {}) {
        std::optional<AgentResult> got;
        launcher.launch(AgentCommand{{"/bin/sh", "-c", script}, std::move(env)}, timeout, [&](AgentResult r) {
            got = std::move(r);
            io.stop();
        });
        io.restart();
        io.run_for(30s);
        EXPECT_TRUE(got.has_value());
        return got.value_or(AgentResult{});
    }
    boost::asio::io_context io;
    ipc::CaptureLog log;
    ProcessLauncher launcher{io, log, 300ms};
};

TEST_F(ProcessLauncherTest, CapturesExitCodeStdoutAndStderr) {
    const AgentResult r = run_sh("echo running; echo oops >&2; exit 3");
    EXPECT_EQ(r.kind, AgentResult::Kind::exited);
    EXPECT_EQ(r.code, 3);
    EXPECT_EQ(r.out, "running\n");
    EXPECT_EQ(r.err, "oops\n");
    EXPECT_GT(r.pid, 0);
    EXPECT_EQ(launcher.running(), 0u);
}

TEST_F(ProcessLauncherTest, AddsEnvironmentAndGivesDevNullAsStdin) {
    const AgentResult r = run_sh("echo \"$OCF_RESKEY_ip\"; cat; echo end", 10s, {"OCF_RESKEY_ip=192.0.2.5"});
    EXPECT_EQ(r.out, "192.0.2.5\nend\n");
}

TEST_F(ProcessLauncherTest, RunsInItsOwnSession) {
    const AgentResult r = run_sh("ps -o sid= -p $$ | tr -d ' '; echo $$");
    const auto nl = r.out.find('\n');
    ASSERT_NE(nl, std::string::npos);
    EXPECT_EQ(r.out.substr(0, nl), r.out.substr(nl + 1, r.out.size() - nl - 2));
}

TEST_F(ProcessLauncherTest, TimeoutSendsTermToTheGroup) {
    const auto t0 = std::chrono::steady_clock::now();
    const AgentResult r = run_sh("sleep 30 & wait", 200ms);
    EXPECT_EQ(r.kind, AgentResult::Kind::timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST_F(ProcessLauncherTest, TimeoutEscalatesToKill) {
    const AgentResult r = run_sh("trap '' TERM; echo ready; while :; do sleep 0.05; done", 200ms);
    EXPECT_EQ(r.kind, AgentResult::Kind::timed_out);
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "did not exit on SIGTERM; sending SIGKILL"), 1);
}

TEST_F(ProcessLauncherTest, ReportsASignal) {
    const AgentResult r = run_sh("kill -9 $$");
    EXPECT_EQ(r.kind, AgentResult::Kind::signaled);
    EXPECT_EQ(r.code, 9);
    EXPECT_EQ(describe(r), "signal 9 (SIGKILL)");
}

TEST_F(ProcessLauncherTest, DoesNotWaitForADaemonHoldingThePipes) {
    const auto t0 = std::chrono::steady_clock::now();
    const AgentResult r = run_sh("(sleep 3 &) ; echo started");
    EXPECT_TRUE(r.success());
    EXPECT_EQ(r.out, "started\n");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(ProcessLauncherTest, ExecFailureIs127) {
    std::optional<AgentResult> got;
    launcher.launch(AgentCommand{{"/nonexistent/agent", "start"}, {}}, 5s, [&](AgentResult r) {
        got = std::move(r);
        io.stop();
    });
    io.run_for(10s);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code, 127);
    EXPECT_EQ(got->err, "rscd: exec failed\n");
}

TEST_F(ProcessLauncherTest, CapsOutput) {
    const AgentResult r = run_sh("head -c 200000 /dev/zero | tr '\\0' x");
    EXPECT_EQ(r.out.size(), ProcessLauncher::kMaxOutputBytes);
}

}  // namespace
}  // namespace ha::rsc
