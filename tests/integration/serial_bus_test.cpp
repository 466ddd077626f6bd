// Integration: the real heartbeatd-serial on the real zmq bus — the test process plays the master
// with an ipc::BusRouter in a temporary run dir; the cable is an openpty() pair held by the test.
// Checks the identity, the liveness beat, `_stats`, forwarding with `_link`, and signing.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <zmq.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ipc/auth.hpp"
#include "ipc/bus.hpp"
#include "pty_pair.hpp"
#include "serial_test_util.hpp"

namespace ha::serial {
namespace {

using namespace std::chrono_literals;
using testing::md5_keys;
using testing::PtyPair;
using testing::run_until;
using testing::status_frame;
using testing::status_message;

TEST(SerialBus, TalksToTheMasterOverTheRealBus) {
    char tmpl[] = "/tmp/ha-sb-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    {
        std::ofstream(dir + "/authkeys") << "auth 1\n1 md5 web-secret\n";
    }
    ::chmod((dir + "/authkeys").c_str(), 0600);
    std::filesystem::create_directories(dir + "/log");
    PtyPair pty;
    ASSERT_TRUE(pty.ok());

    boost::asio::io_context io;
    zmq::context_t ctx(1);
    ipc::CaptureLog log;
    ipc::BusRouter router(io, ctx, ipc::bus_endpoint(dir + "/run"), log);
    std::vector<std::pair<std::string, ipc::Message>> got;
    router.on_message([&](std::string_view id, ipc::Message m) { got.emplace_back(std::string(id), std::move(m)); });

    std::vector<std::string> args = {HA_BIN_DIR "/heartbeatd-serial", "--node", "web1", "--config", dir, "--run-dir",
                                     dir + "/run", "--log-dir", dir + "/log", "--serial", pty.slave_path(), "--nodes",
                                     "web1,web2"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ASSERT_GT(pid, 0);
    auto find = [&](const std::function<bool(const ipc::Message&)>& pred) -> const ipc::Message* {
        for (const auto& [id, m] : got)
            if (id == "heartbeatd-serial" && pred(m)) return &m;
        return nullptr;
    };

    // The liveness beat says it is connected.
    EXPECT_TRUE(run_until(io, [&] { return find([](const ipc::Message& m) { return m.type() == "liveness"; }); }, 10s));

    // Cable → master.
    const auto keys = md5_keys();
    pty.write("noise" + status_frame("web2", "1", keys));
    ASSERT_TRUE(run_until(io, [&] { return find([](const ipc::Message& m) { return m.type() == "status"; }); }, 10s));
    const ipc::Message* st = find([](const ipc::Message& m) { return m.type() == "status"; });
    EXPECT_EQ(st->get_or("_link", ""), pty.slave_path());
    EXPECT_FALSE(st->has("auth"));

    // Master → cable, signed in classic form.
    EXPECT_TRUE(router.send("heartbeatd-serial", status_message("web1", "2a")));
    std::string wire;
    ASSERT_TRUE(run_until(io, [&] {
        wire += pty.read_available();
        return wire.ends_with("<<<\n");
    }, 10s));
    auto back = ipc::verify_and_decode(wire, keys);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->get_or("seq", ""), "2a");

    // _stats.
    ipc::Message q;
    q.add("t", "_stats");
    EXPECT_TRUE(router.send("heartbeatd-serial", q));
    ASSERT_TRUE(run_until(io, [&] { return find([](const ipc::Message& m) { return m.type() == "_stats"; }); }, 10s));
    const ipc::Message* s = find([](const ipc::Message& m) { return m.type() == "_stats"; });
    EXPECT_EQ(s->get_or("link", ""), pty.slave_path());
    EXPECT_EQ(s->get_or("garbage_bytes", ""), "5");
    EXPECT_EQ(s->get_or("forwarded", ""), "1");

    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ha::serial
