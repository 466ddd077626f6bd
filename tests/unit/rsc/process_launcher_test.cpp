// ProcessLauncher: real /bin/sh children — exit codes, output capture, timeouts, daemons that keep
// the pipes open.
#include "rscd/process_launcher.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

namespace ha::rsc {
namespace {

using namespace std::chrono_literals;

class ProcessLauncherTest : public ::testing::Test {
protected:
    AgentResult run_sh(const std::string& script, std::chrono::milliseconds timeout = 10s,
                       std::vector<std::string> env = {}) {
        return run(launcher, AgentCommand{{"/bin/sh", "-c", script}, std::move(env)}, timeout);
    }
    // Runs `command` on `with` to completion (30 s at most).
    AgentResult run(ProcessLauncher& with, AgentCommand command, std::chrono::milliseconds timeout = 10s) {
        std::optional<AgentResult> got;
        with.launch(std::move(command), timeout, [&](AgentResult r) {
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

// A script in a fresh private directory (mode `dir_mode`), mode `mode`, owned by `uid`.
class ScriptDir {
public:
    ScriptDir(::mode_t dir_mode, ::mode_t mode, uid_t uid = ::geteuid()) {
        char tmpl[] = "/tmp/ha-agent-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) std::abort();
        dir_ = tmpl;
        path_ = dir_ + "/agent";
        std::ofstream(path_) << "#!/bin/sh\necho ran\nenv\n";
        ::chmod(path_.c_str(), mode);
        if (uid != ::geteuid() && ::chown(path_.c_str(), uid, static_cast<gid_t>(-1)) != 0) std::abort();
        ::chmod(dir_.c_str(), dir_mode);
    }
    ~ScriptDir() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    const std::string& path() const { return path_; }

private:
    std::string dir_, path_;
};


TEST_F(ProcessLauncherTest, RunsARootOwnedPrivateScript) {
    ScriptDir d(0755, 0755);
    const AgentResult r = run(launcher, AgentCommand{{d.path(), "start"}, {"OCF_RESKEY_x=1"}});
    EXPECT_EQ(r.kind, AgentResult::Kind::exited) << log.dump();
    EXPECT_EQ(r.out.rfind("ran\n", 0), 0u) << r.out;
}

// sec (issue 20): rscd runs agents as root; one that others may rewrite is never run.
TEST_F(ProcessLauncherTest, SecRefusesGroupOrWorldWritableScript) {
    for (::mode_t mode : {0775, 0757, 0777}) {
        ScriptDir d(0755, mode);
        const AgentResult r = run(launcher, AgentCommand{{d.path(), "start"}, {"OCF_RESKEY_x=1"}});
        EXPECT_EQ(r.kind, AgentResult::Kind::spawn_failed) << std::oct << mode;
        EXPECT_EQ(r.out, "") << std::oct << mode;
    }
    EXPECT_EQ(log.count(ipc::LogLevel::error, "refusing to run"), 3) << log.dump();
    EXPECT_EQ(log.count(ipc::LogLevel::error, "is writable by group/others"), 3) << log.dump();
}

TEST_F(ProcessLauncherTest, SecRefusesScriptInAWritableDirectory) {
    ScriptDir d(0777, 0755);  // not sticky: anyone could replace the agent
    const AgentResult r = run(launcher, AgentCommand{{d.path(), "start"}, {"OCF_RESKEY_x=1"}});
    EXPECT_EQ(r.kind, AgentResult::Kind::spawn_failed);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "is writable by group/others (mode 0777)"), 1) << log.dump();
}

TEST_F(ProcessLauncherTest, SecRefusesScriptOfAnotherUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the script to nobody";
    ScriptDir d(0755, 0755, 65534);
    const AgentResult r = run(launcher, AgentCommand{{d.path(), "start"}, {"OCF_RESKEY_x=1"}});
    EXPECT_EQ(r.kind, AgentResult::Kind::spawn_failed);
    EXPECT_EQ(log.count(ipc::LogLevel::error, "is owned by uid 65534, not by root"), 1) << log.dump();
}

// sec (issue 20): an agent gets the launcher's fixed environment plus its own variables, nothing
// of rscd's (LD_PRELOAD, the operator's PATH).
TEST_F(ProcessLauncherTest, SecAgentGetsOnlyTheFixedEnvironment) {
    const char* path_before = std::getenv("PATH");
    const std::string old_path = path_before ? path_before : "/usr/bin:/bin";
    ::setenv("LD_PRELOAD", "/nonexistent/evil.so", 1);
    ::setenv("HA_LEAK_TEST", "leaked", 1);
    ::setenv("PATH", "/tmp/evil:/usr/bin:/bin", 1);
    ProcessLauncher fixed(io, log, 300ms, {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HA_DIR=/etc/ha.d"});
    ScriptDir d(0755, 0755);
    const AgentResult r = run(fixed, AgentCommand{{d.path(), "start"}, {"OCF_RESKEY_x=1"}});
    ::unsetenv("LD_PRELOAD");
    ::unsetenv("HA_LEAK_TEST");
    ::setenv("PATH", old_path.c_str(), 1);
    ASSERT_EQ(r.kind, AgentResult::Kind::exited) << log.dump() << r.err;
    EXPECT_EQ(r.out.find("LD_PRELOAD"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("HA_LEAK_TEST"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("/tmp/evil"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("HA_DIR=/etc/ha.d\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("OCF_RESKEY_x=1\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ha::rsc
