// Daemon skeleton: option parsing, the liveness beat, signals, realtime fallback.
#include "ipc/daemon.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/post.hpp>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "tests/unit/ipc_test_util.hpp"

using namespace ha::ipc;
using ha::ipc::testing::TempDir;
using namespace std::chrono_literals;

TEST(DaemonOptions, DefaultsAndCommonFlags) {
    DaemonOptionParser parser("heartbeatd-net");
    auto o = parser.parse(std::vector<std::string>{});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->program, "heartbeatd-net");
    EXPECT_EQ(o->node, local_node_name());
    EXPECT_EQ(o->config_dir, "/etc/ha.d");
    EXPECT_EQ(o->run_dir, "/run/hamaster");
    EXPECT_EQ(o->log_dir, "/var/log/hamaster");
    EXPECT_EQ(o->state_dir, "/var/lib/hamaster");
    EXPECT_FALSE(o->foreground);
    EXPECT_EQ(o->parent_pid, 0);

    o = parser.parse({"--node", "web1", "--config", "/c", "--run-dir", "/r", "--log-dir", "/l", "--state-dir", "/s",
                      "-f", "-v", "--parent-pid", "42", "extra1"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->node, "web1");
    EXPECT_EQ(o->config_dir, "/c");
    EXPECT_EQ(o->run_dir, "/r");
    EXPECT_EQ(o->log_dir, "/l");
    EXPECT_EQ(o->state_dir, "/s");
    EXPECT_TRUE(o->foreground);
    EXPECT_TRUE(o->verbose);
    EXPECT_EQ(o->parent_pid, 42);
    EXPECT_EQ(o->extra, std::vector<std::string>{"extra1"});
}

TEST(DaemonOptions, DaemonSpecificOptionsAndUsageErrors) {
    namespace po = boost::program_options;
    DaemonOptionParser parser("heartbeatd-net");
    parser.add_options()("udpport", po::value<int>()->default_value(694), "UDP port")(
        "ucast", po::value<std::vector<std::string>>(), "ucast DEV:PEER:PORT");
    auto o = parser.parse({"--ucast", "eth0:198.51.100.2:694", "--ucast", "eth1:203.0.113.2:694", "--node", "web1"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(parser.values()["udpport"].as<int>(), 694);
    EXPECT_EQ(parser.values()["ucast"].as<std::vector<std::string>>().size(), 2u);
    EXPECT_NE(parser.usage().find("--udpport"), std::string::npos);
    EXPECT_NE(parser.usage().find("--run-dir"), std::string::npos);

    auto bad = parser.parse({"--bogus"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "usage");
    EXPECT_NE(bad.error().message.find("bogus"), std::string::npos);
    EXPECT_FALSE(parser.parse({"--parent-pid", "abc"}));
    EXPECT_FALSE(parser.parse({"--parent-pid", "-3"}));
}

TEST(DaemonOptions, ParentCheck) {
    DaemonOptions o;
    EXPECT_TRUE(parent_still_there(o));
    o.parent_pid = static_cast<int>(::getppid());
    EXPECT_TRUE(parent_still_there(o));
    o.parent_pid = static_cast<int>(::getppid()) + 100000;
    EXPECT_FALSE(parent_still_there(o));
}

TEST(DaemonLoop, LivenessBeatReachesTheMasterAndStopEndsRun) {
    TempDir dir;
    CaptureLog log;
    DaemonLoop loop(log, 10ms);
    zmq::context_t ctx;
    BusRouter router(loop.io(), ctx, bus_endpoint(dir.path()), log);
    BusClient client(loop.io(), ctx, bus_endpoint(dir.path()), "ipfaild", log);
    int beats = 0;
    router.on_message([&](std::string_view id, Message m) {
        EXPECT_EQ(id, "ipfaild");
        EXPECT_EQ(m.type(), "liveness");
        EXPECT_EQ(m.get_or("pid", ""), std::to_string(::getpid()));
        if (++beats == 3) loop.stop(5);
    });
    loop.attach_bus(&client);
    boost::asio::steady_timer guard(loop.io(), 10s);  // bounded: never hang the suite
    guard.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) loop.stop(99);
    });
    EXPECT_EQ(loop.run(), 5);
    EXPECT_EQ(beats, 3);
    EXPECT_GE(loop.beats_sent(), 3u);
}

TEST(DaemonLoop, SigtermStopsCleanlyAndSighupCallsTheHook) {
    CaptureLog log;
    DaemonLoop loop(log, 1000ms);
    int hups = 0;
    loop.on_hup([&] {
        ++hups;
        ::raise(SIGTERM);
    });
    boost::asio::post(loop.io(), [] { ::raise(SIGHUP); });
    boost::asio::steady_timer guard(loop.io(), 10s);
    guard.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) loop.stop(99);
    });
    EXPECT_EQ(loop.run(), 0);
    EXPECT_EQ(hups, 1);
    EXPECT_EQ(log.count(LogLevel::info, "stopping on signal 15"), 1) << log.dump();
}

TEST(DaemonLoop, StopHandlerDecidesWhenToStop) {
    CaptureLog log;
    DaemonLoop loop(log, 1000ms);
    int signals = 0;
    loop.on_stop_signal([&](int signo) {
        ++signals;
        EXPECT_EQ(signo, SIGINT);
        boost::asio::post(loop.io(), [&] { loop.stop(3); });  // e.g. after releasing resources
    });
    boost::asio::post(loop.io(), [] { ::raise(SIGINT); });
    EXPECT_EQ(loop.run(), 3);
    EXPECT_EQ(signals, 1);
}

TEST(DaemonRealtime, LogsAtMostOneWarnAndGoesOn) {
    pid_t child = ::fork();  // mlockall and SCHED_RR stay in the child
    ASSERT_GE(child, 0);
    if (child == 0) {
        CaptureLog log;
        bool ok = realtime_setup(true, log);
        int warns = log.count(LogLevel::warn, "Realtime");
        int infos = log.count(LogLevel::info, "Realtime");
        bool good = ok ? (warns == 0 && infos == 1) : (warns == 1 && infos == 0);
        CaptureLog off;
        good = good && !realtime_setup(false, off) && off.lines().empty();
        ::_exit(good ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Threads made after limit_thread_stacks() (libzmq's, the log writer) get the small stack, not
// RLIMIT_STACK's 8 MiB, which mlockall would make resident in full.
TEST(DaemonThreads, LimitThreadStacksSetsTheStackOfLaterThreads) {
    pid_t child = ::fork();  // the default attribute stays in the child
    ASSERT_GE(child, 0);
    if (child == 0) {
        limit_thread_stacks(256 * 1024);
        std::size_t size = 0;
        std::thread t([&] {
            pthread_attr_t attr;
            if (::pthread_getattr_np(::pthread_self(), &attr) == 0) {
                ::pthread_attr_getstacksize(&attr, &size);
                ::pthread_attr_destroy(&attr);
            }
        });
        t.join();
        ::_exit(size == 256 * 1024 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(DaemonOptions, GivenSetUsageAndExitCodes) {
    DaemonOptionParser parser("testd");
    parser.set_usage("usage: testd --only-this\n");
    ASSERT_TRUE(parser.parse(std::vector<std::string>{"--config", "/tmp/x"}));
    EXPECT_TRUE(parser.given("config"));
    EXPECT_FALSE(parser.given("log-dir"));  // defaulted, not given
    EXPECT_EQ(parser.usage(), "usage: testd --only-this\n");
    EXPECT_EQ(exit_code_for(ha::make_error("config", "x")), kExitConfig);
    EXPECT_EQ(exit_code_for(ha::make_error("usage", "x")), kExitConfig);
    EXPECT_EQ(exit_code_for(ha::make_error("perm", "x")), kExitNoPerm);
    EXPECT_EQ(exit_code_for(ha::make_error("os", "x")), 1);
    EXPECT_EQ(kExitConfig, 78);  // the contract with the master (docs/conventions.md §3)
    EXPECT_EQ(kExitSoftware, 70);
}

// daemon_main's answers before anything is set up: --help/--version 0; a bad flag, a positional
// argument or the body's refusal 78 (the body never runs); an exception 70.
TEST(DaemonMain, ExitCodesBeforeTheBodyRuns) {
    bool ran = false;
    DaemonSpec spec;
    spec.program = "testd";
    spec.options = [](DaemonOptionParser& p) { p.add_options()("color", boost::program_options::value<std::string>(), "c"); };
    spec.body = [&ran](const DaemonOptions&, const DaemonOptionParser& p) -> ha::Result<DaemonBody> {
        if (p.values().count("color") && p.values()["color"].as<std::string>() == "boom") throw std::runtime_error("boom");
        if (p.values().count("color")) return ha::make_error("usage", "--color: no colors here");
        return DaemonBody([&ran](const DaemonOptions&, Log&) { return ran = true, 0; });
    };
    auto main_with = [&](std::vector<const char*> args) {
        args.insert(args.begin(), "testd");
        return daemon_main(spec, static_cast<int>(args.size()), args.data());
    };
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(main_with({"--help"}), kExitOk);
    EXPECT_EQ(main_with({"--version"}), kExitOk);
    EXPECT_EQ(main_with({"--bogus"}), kExitConfig);
    EXPECT_EQ(main_with({"extra"}), kExitConfig);
    EXPECT_EQ(main_with({"--color", "red"}), kExitConfig);
    EXPECT_EQ(main_with({"--color", "boom"}), kExitSoftware);
    const std::string out = ::testing::internal::GetCapturedStdout();
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(ran);
    EXPECT_NE(out.find("usage: testd [options]"), std::string::npos) << out;
    EXPECT_NE(out.find("testd (hamaster) "), std::string::npos) << out;
    EXPECT_NE(err.find("testd: unexpected argument extra\n"), std::string::npos) << err;
    EXPECT_NE(err.find("testd: --color: no colors here\n"), std::string::npos) << err;
    EXPECT_NE(err.find("testd: CRIT: boom\n"), std::string::npos) << err;
}

// What rscd asks of the skeleton: its own set-up instead of child_setup() + install_file_log(),
// positional arguments for the body, its usage after a usage error, and a refusal whose
// diagnostics were already printed (an Error without a message) that adds nothing but exit 78.
TEST(DaemonMain, OwnSetUpArgumentsAndUsageAfterAUsageError) {
    CaptureLog captured;
    std::vector<std::string> seen;
    bool set_up = false;
    DaemonSpec spec;
    spec.program = "testd";
    spec.options = [](DaemonOptionParser& p) {
        p.add_options()("fail", boost::program_options::value<std::string>(), "f");
        p.set_usage("usage: testd [--fail usage|config] ARG...\n");
    };
    spec.body = [&seen](const DaemonOptions&, const DaemonOptionParser& p) -> ha::Result<DaemonBody> {
        if (p.values().count("fail")) {
            const auto& how = p.values()["fail"].as<std::string>();
            if (how == "usage") return ha::make_error("usage", "--fail: as asked");
            std::cerr << "testd: ha.cf:3: error: printed by the body\n";
            return ha::make_error("config", "");
        }
        return DaemonBody([&seen](const DaemonOptions& o, Log& log) {
            seen = o.extra;
            log.info("body ran");
            return 3;
        });
    };
    spec.setup = [&](const DaemonOptions&, const DaemonOptionParser&) -> Log& { return set_up = true, captured; };
    spec.arguments = true;
    spec.usage_on_error = true;
    auto main_with = [&](std::vector<const char*> args) {
        args.insert(args.begin(), "testd");
        return daemon_main(spec, static_cast<int>(args.size()), args.data());
    };
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(main_with({"--bogus"}), kExitConfig);
    EXPECT_EQ(main_with({"--fail", "usage"}), kExitConfig);
    const std::string usage_errors = ::testing::internal::GetCapturedStderr();
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(main_with({"--fail", "config"}), kExitConfig);
    const std::string config_error = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(set_up);
    EXPECT_EQ(main_with({"one", "two"}), 3);
    EXPECT_TRUE(set_up);
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(captured.count("body ran"), 1);
    EXPECT_NE(usage_errors.find("testd: unrecognised option '--bogus'\nusage: testd [--fail usage|config] ARG...\n"), std::string::npos)
        << usage_errors;
    EXPECT_NE(usage_errors.find("testd: --fail: as asked\nusage: testd"), std::string::npos) << usage_errors;
    EXPECT_EQ(config_error, "testd: ha.cf:3: error: printed by the body\n");
}
