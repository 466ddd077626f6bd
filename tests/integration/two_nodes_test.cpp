// Integration: two live hamaster nodes over UDP ucast on lo (issue "Two live nodes").
//
// Each test starts web1 (127.0.0.2) and web2 (127.0.0.3) as real processes owned by pid (fixture
// TwoNodes, fixture/two_nodes.hpp) with keepalive 100ms, deadtime 1, warntime 500ms, initdead 2,
// realtime off, and checks cl_status (compat spec §10.1 and "Confirmed on a live node"), death
// detection (§8: not before deadtime, logged once), restart, a garbage flood, a killed media
// daemon, a killed master and a second master on the same run dir.
// Timing: lower bounds only (a dead decision may not come early); upper bounds are generous
// deadlines. Detection time is measured by bench/detect, not asserted here.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <random>
#include <thread>

#include "ipc/auth.hpp"
#include "ipc/message.hpp"
#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

TEST_F(TwoNodes, BothActiveAndClStatusAnswersLikeHeartbeat) {
    c().config().warntime = std::nullopt;  // derived: deadtime / 2, shown in ms form
    ASSERT_TRUE(start_both_active());

    for (auto [self, peer] : {std::pair{"web1", "web2"}, std::pair{"web2", "web1"}}) {
        SCOPED_TRACE(self);
        auto r = cl_status(self, {"nodestatus", peer});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "active\n");
        r = cl_status(self, {"hbstatus"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "Heartbeat is running on this machine.\n");
        r = cl_status(self, {"listnodes"});
        EXPECT_EQ(r.rc, 0);
        // One name a line; the order is not part of the contract (web2 lists itself first).
        EXPECT_TRUE(r.out == "web1\nweb2\n" || r.out == "web2\nweb1\n") << r.out;
        r = cl_status(self, {"nodetype", peer});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "normal\n");
        r = cl_status(self, {"listhblinks", peer});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "\tlo\n");
        r = cl_status(self, {"hblinkstatus", peer, "lo"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "up\n");
        r = cl_status(self, {"rscstatus"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "local\n");  // no group of its own: its empty local part is held (Heartbeat 3.0.6)
        r = cl_status(self, {"hbparameter", "-p", "deadtime"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "1\n");  // as written in ha.cf
        r = cl_status(self, {"hbparameter", "-p", "warntime"});
        EXPECT_EQ(r.rc, 0);
        EXPECT_EQ(r.out, "500ms\n");  // derived
        r = cl_status(self, {"nodestatus", "web3"});
        EXPECT_EQ(r.rc, 11);
        EXPECT_NE((r.out + r.err).find("Error. May be due to incorrect node name"), std::string::npos) << r.out << r.err;
        r = cl_status(self, {"no-such-subcommand"});
        EXPECT_EQ(r.rc, 11);
        EXPECT_EQ(r.err, "ERROR: no-such-subcommand: invalid sub-command.\n");
    }
    // The heartbeats cross the media lane, not zmq.
    for (const char* node : {"web1", "web2"}) {
        const auto net = c().child(node, "heartbeatd-net");
        ASSERT_TRUE(net.has_value()) << node;
        EXPECT_TRUE(on_media_lane(*net)) << node;
    }
    EXPECT_EQ(log_count("web1", "hamaster.log", "Comm_now_up(): updating status to active"), 1) << c().dump();
    EXPECT_GE(log_count("web1", "hamaster.log", "Link web2:lo up."), 1) << c().dump();

    // With the master stopped: Heartbeat's answers.
    const int st = c().stop("web1");
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "hamaster exit status " << st << c().dump();
    auto r = cl_status("web1", {"hbstatus"});
    EXPECT_EQ(r.rc, 1);
    EXPECT_EQ(r.out, "Heartbeat is stopped on this machine.\n");
    for (std::vector<std::string> args : {std::vector<std::string>{"nodestatus", "web2"}, {"listnodes"}, {"rscstatus"},
                                          {"listhblinks", "web2"}, {"hbparameter", "-p", "deadtime"}}) {
        SCOPED_TRACE(args.front());
        r = cl_status("web1", args);
        EXPECT_EQ(r.rc, 1);
        EXPECT_NE(r.err.find("ERROR: Cannot signon with heartbeat"), std::string::npos) << r.err;
    }
}

TEST_F(TwoNodes, KilledPeerDeclaredDeadOnceNotBeforeDeadtimeAndRejoinsOnRestart) {
    ASSERT_TRUE(start_both_active());
    LogTail tail(c().log_path("web1"));
    const auto killed = Clock::now();
    const auto pids = kill_node("web2", SIGKILL);
    ASSERT_GE(pids.size(), 2u) << "expected the master and heartbeatd-net";
    const auto seen = tail.wait_for("node web2: is dead", 30s);
    ASSERT_TRUE(seen.has_value()) << c().dump();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(*seen - killed);
    // Lower bound only: the last beat web1 got was at most one keepalive before the kill.
    EXPECT_GE(took.count(), kDeadtimeMs - kKeepaliveMs) << "declared dead too early" << c().dump();
    EXPECT_EQ(c().nodestatus("web1", "web2"), "dead");
    EXPECT_EQ(cl_status("web1", {"nodestatus", "web2"}).rc, 1);
    EXPECT_EQ(cl_status("web1", {"hblinkstatus", "web2", "lo"}).out, "dead\n");

    // Still exactly one line a few deadtimes later.
    std::this_thread::sleep_for(3 * std::chrono::milliseconds(kDeadtimeMs));
    EXPECT_EQ(log_count("web1", "hamaster.log", "node web2: is dead"), 1) << c().dump();

    // web2 comes back: active again on web1 without touching web1.
    c().start("web2");
    ASSERT_TRUE(wait_until([&] { return c().both_active(); }, 30s, 50ms)) << c().dump();
    EXPECT_TRUE(wait_until([&] { return log_count("web1", "hamaster.log", "Heartbeat restart on node web2") >= 1; }, 10s))
        << c().dump();
    EXPECT_EQ(log_count("web1", "hamaster.log", "node web2: is dead"), 1) << c().dump();
    EXPECT_EQ(cl_status("web1", {"hblinkstatus", "web2", "lo"}).out, "up\n");
}

// 100k datagrams in ~3.5 s at web1's port: half random bytes, half well-formed status messages
// from "web2" signed with a key web1 does not have; some from web2's own address.
TEST_F(TwoNodes, GarbageFloodCausesNoFalseDeathAndRateLimitedDropLines) {
    ASSERT_TRUE(start_both_active());
    const auto net1 = c().child("web1", "heartbeatd-net");
    ASSERT_TRUE(net1.has_value());

    ipc::AuthKeys wrong;
    wrong.active = 1;
    wrong.keys[1] = ipc::AuthKey{ipc::AuthMethod::sha1, "not-the-secret"};
    std::vector<std::string> signed_wrong;
    for (int i = 0; i < 1000; ++i) {
        ipc::Message m;
        m.add("t", "status").add("st", "active").add("dt", "3e8").add("protocol", "1").add("src", "web2");
        m.add("seq", fmt::format("{:x}", 100000 + i)).add("hg", "1").add("ts", "692a1c00").add("ttl", "3");
        signed_wrong.push_back(ipc::sign_netstring(m, wrong));
    }
    std::mt19937_64 rng(4711);
    std::vector<std::string> random;
    for (int i = 0; i < 1000; ++i) {
        std::string s(1 + rng() % 1400, '\0');
        for (auto& ch : s) ch = static_cast<char>(rng() & 0xff);
        random.push_back(std::move(s));
    }

    auto make_socket = [](const char* from) {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        ::inet_pton(AF_INET, from, &a.sin_addr);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
        return fd;
    };
    const int s_other = make_socket("127.0.0.1");
    const int s_peer = make_socket("127.0.0.3");  // web2's address, another port
    ASSERT_GE(s_other, 0);
    ASSERT_GE(s_peer, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port()));
    ::inet_pton(AF_INET, "127.0.0.2", &to.sin_addr);

    constexpr int kTotal = 100000;
    constexpr int kBatch = 500;
    const auto span = std::chrono::milliseconds(3500);
    const auto begin = Clock::now();
    int sent = 0;
    for (int i = 0; i < kTotal; ++i) {
        const std::string& d = (i % 2) ? signed_wrong[static_cast<std::size_t>(i / 2) % 1000]
                                       : random[static_cast<std::size_t>(i / 2) % 1000];
        const int fd = (i % 3 == 0) ? s_peer : s_other;
        if (::sendto(fd, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) >= 0) ++sent;
        if (i % kBatch == kBatch - 1) std::this_thread::sleep_until(begin + span * (i + 1) / kTotal);
    }
    ::close(s_other);
    ::close(s_peer);
    EXPECT_GT(sent, kTotal * 9 / 10);

    // Let any late consequence show: a few deadtimes of normal traffic.
    std::this_thread::sleep_for(3 * std::chrono::milliseconds(kDeadtimeMs));
    EXPECT_EQ(log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(log_count("web2", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(log_count("web1", "hamaster.log", "Link web2:lo dead."), 0) << c().dump();
    EXPECT_TRUE(c().both_active()) << c().dump();
    // Drops are logged, but rate-limited: two reasons (bad_framing, bad_auth) × a burst of 5 per
    // minute (ipc/media/receive_pipeline.hpp), plus room for a summary line each.
    const int lines = log_count("web1", "heartbeatd-net.log", "dropped packet");
    EXPECT_GE(lines, 1) << c().dump();
    EXPECT_LE(lines, 14) << c().dump();
    // Nothing crashed or was restarted.
    EXPECT_TRUE(pid_alive(*net1));
    EXPECT_EQ(c().child("web1", "heartbeatd-net"), net1);
    EXPECT_EQ(log_count("web1", "hamaster.log", "Respawning"), 0) << c().dump();
}

TEST_F(TwoNodes, KilledMediaDaemonIsRespawnedWithoutFalseDeath) {
    ASSERT_TRUE(start_both_active());
    const auto net1 = c().child("web1", "heartbeatd-net");
    ASSERT_TRUE(net1.has_value());
    ASSERT_EQ(::kill(*net1, SIGKILL), 0);
    const std::string line =
        fmt::format("Respawning child heartbeatd-net (pid {}) after it was killed by signal SIGKILL", *net1);
    EXPECT_TRUE(wait_until([&] { return log_count("web1", "hamaster.log", line) == 1; }, 20s)) << c().dump();
    std::optional<pid_t> fresh;
    ASSERT_TRUE(wait_until([&] {
        fresh = c().child("web1", "heartbeatd-net");
        return fresh && *fresh != *net1;
    }, 30s)) << c().dump();
    // Traffic flows again both ways, then a few deadtimes of quiet.
    EXPECT_TRUE(wait_until([&] { return c().both_active(); }, 20s, 50ms)) << c().dump();
    std::this_thread::sleep_for(3 * std::chrono::milliseconds(kDeadtimeMs));
    EXPECT_EQ(log_count("web1", "hamaster.log", "node web2: is dead"), 0) << "false death on web1" << c().dump();
    EXPECT_EQ(log_count("web2", "hamaster.log", "node web1: is dead"), 0) << "false death on web2" << c().dump();
    EXPECT_TRUE(c().both_active()) << c().dump();
    EXPECT_TRUE(pid_alive(*fresh));
    // The respawned daemon got a lane of its own; the dead one's was detached once.
    EXPECT_TRUE(on_media_lane(*fresh));
    EXPECT_EQ(log_count("web1", "hamaster.log", "bus: lane of heartbeatd-net closed"), 1) << c().dump();
}

TEST_F(TwoNodes, KilledMasterTakesItsChildrenAndRestartsWithoutCleanup) {
    ASSERT_TRUE(start_both_active());
    const pid_t master = c().node("web1").pid;
    const auto kids = c().children("web1");
    ASSERT_FALSE(kids.empty());
    const std::string shm = c().shm_path("web1");
    ASSERT_TRUE(fs::exists(shm));
    ASSERT_EQ(::kill(master, SIGKILL), 0);
    ASSERT_TRUE(wait_until([&] { return !pid_alive(master); }, 10s));
    c().node("web1").pid = -1;
    c().node("web1").crashed = true;
    for (pid_t k : kids) {
        EXPECT_TRUE(wait_until([&] { return !pid_alive(k); }, 10s)) << "child " << k << " (" << comm_of(k)
                                                                      << ") outlived its master";
    }
    // What a crash leaves: the pid file, the sockets, the status segment.
    EXPECT_TRUE(fs::exists(c().run_dir("web1") + "/hamaster.pid"));
    EXPECT_TRUE(fs::exists(shm));
    EXPECT_EQ(cl_status("web1", {"hbstatus"}).out, "Heartbeat is stopped on this machine.\n");

    // Restart without any cleanup: everything stale is replaced.
    c().start("web1");
    ASSERT_TRUE(wait_until([&] { return c().both_active(); }, 30s, 50ms)) << c().dump();
    EXPECT_EQ(trim(read_file(c().run_dir("web1") + "/hamaster.pid")), std::to_string(c().node("web1").pid));
    EXPECT_EQ(log_count("web1", "hamaster.log", "Replacing stale status table"), 1) << c().dump();
    EXPECT_EQ(cl_status("web1", {"hbstatus"}).rc, 0);
    EXPECT_FALSE(c().children("web1").empty());
    EXPECT_TRUE(pid_alive(c().node("web1").pid)) << c().dump();
}

TEST_F(TwoNodes, SecondMasterOnTheSameRunDirIsRefused) {
    ASSERT_TRUE(start_both_active());
    const pid_t first = c().node("web1").pid;
    const auto r = c().start_second("web1");
    EXPECT_NE(r.rc, 0);
    EXPECT_NE((r.out + r.err).find("already running"), std::string::npos) << r.out << r.err;
    // The first one is untouched: same pid file, its sockets and status still answer.
    EXPECT_TRUE(pid_alive(first));
    EXPECT_EQ(trim(read_file(c().run_dir("web1") + "/hamaster.pid")), std::to_string(first));
    EXPECT_EQ(cl_status("web1", {"nodestatus", "web2"}).out, "active\n");
    EXPECT_EQ(cl_status("web1", {"hbstatus"}).rc, 0);
    EXPECT_TRUE(c().both_active()) << c().dump();
}

}  // namespace
}  // namespace ha::it
