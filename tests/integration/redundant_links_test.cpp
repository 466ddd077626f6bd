// Integration: UDP ucast on lo plus a null-modem cable (issue "null-modem link").
//
// The cable is socat with two linked ptys (DIR/ttyA for web1, DIR/ttyB for web2, 19200 baud),
// started and stopped by pid. A UDP cut is an iptables DROP on the test's port on lo inside the
// test process's private network namespace (fixture/main.cpp); without it those tests are skipped.
// A link that goes silent for deadtime is only logged (`Link web2:lo dead.`) while another link to
// the node lives; the node is dead only when every link is (compat spec §8, docs/architecture.md "The data path").
// Timing: deadlines only, and "never dead" checks sampled over a window of several deadtimes.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

class RedundantLinks : public TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (HasFatalFailure()) return;
        if (!std::filesystem::exists("/usr/bin/socat")) GTEST_SKIP() << "socat not installed";
        tty_a_ = dir() + "/ttyA";
        tty_b_ = dir() + "/ttyB";
        cable_ = std::make_unique<SocatCable>(tty_a_, tty_b_, dir() + "/socat.log");
        ASSERT_TRUE(cable_->start()) << read_file(dir() + "/socat.log");
        c().config().baud = "19200";
        c().config().serial = {{"web1", tty_a_}, {"web2", tty_b_}};
    }
    // Samples nodestatus from both sides for `window`; false at the first non-active answer.
    ::testing::AssertionResult stays_active(std::chrono::milliseconds window) {
        const auto end = Clock::now() + window;
        while (Clock::now() < end) {
            const auto r1 = cl_status("web1", {"nodestatus", "web2"});
            const auto r2 = cl_status("web2", {"nodestatus", "web1"});
            if (r1.rc != 0 || r2.rc != 0) {
                return ::testing::AssertionFailure() << "web1 sees web2 [" << r1.out << "] rc " << r1.rc << ", web2 sees web1 ["
                                                     << r2.out << "] rc " << r2.rc << c().dump();
            }
            std::this_thread::sleep_for(100ms);
        }
        return ::testing::AssertionSuccess();
    }
    // Both links up as seen from both nodes: before a cut, so that the link cut was up at all
    // (both nodes can be active through the cable alone while UDP is still coming up).
    bool all_links_up() {
        return link_status("web1", "web2", tty_a_) == "up\n" && link_status("web2", "web1", tty_b_) == "up\n" &&
               link_status("web1", "web2", "lo") == "up\n" && link_status("web2", "web1", "lo") == "up\n";
    }
    std::string link_status(const std::string& self, const std::string& peer, const std::string& link) {
        return cl_status(self, {"hblinkstatus", peer, link}).out;
    }

    std::string tty_a_, tty_b_;
};

TEST_F(RedundantLinks, BothLinksUpAndPeerActive) {
    ASSERT_TRUE(start_both_active());
    EXPECT_TRUE(wait_until([&] { return link_status("web1", "web2", tty_a_) == "up\n"; }, 20s)) << c().dump();
    EXPECT_TRUE(wait_until([&] { return link_status("web2", "web1", tty_b_) == "up\n"; }, 20s)) << c().dump();
    auto r = cl_status("web1", {"hblinkstatus", "web2", "lo"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_EQ(r.out, "up\n");
    r = cl_status("web1", {"listhblinks", "web2"});
    EXPECT_EQ(r.rc, 0);
    EXPECT_NE(r.out.find("\tlo\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\t" + tty_a_ + "\n"), std::string::npos) << r.out;
    EXPECT_EQ(cl_status("web1", {"hblinkstatus", "web2", tty_a_}).rc, 0);
    EXPECT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", "Link web2:" + tty_a_ + " up.") >= 1; }, 10s))
        << c().dump();
    EXPECT_NE(c().log("web1", "heartbeatd-serial.log").find(fmt::format("Starting serial heartbeat on tty {} (19200 baud)", tty_a_)),
              std::string::npos)
        << c().dump();
    for (const char* daemon : {"heartbeatd-net", "heartbeatd-serial"}) {
        const auto pid = c().child("web1", daemon);
        ASSERT_TRUE(pid.has_value()) << daemon;
        EXPECT_TRUE(on_media_lane(*pid)) << daemon;
    }
}

TEST_F(RedundantLinks, UdpCutOnlyKillsTheUdpLinkAndItComesBack) {
    REQUIRE_NETNS();
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return all_links_up(); }, 20s)) << c().dump();
    const int ups_before = c().log_count("web1", "hamaster.log", "Link web2:lo up.");
    ASSERT_TRUE(cut_udp(port()));
    EXPECT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", "Link web2:lo dead.") == 1; }, 20s)) << c().dump();
    EXPECT_TRUE(stays_active(5 * std::chrono::milliseconds(kDeadtimeMs)));
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "Link web2:lo dead."), 1) << c().dump();
    EXPECT_EQ(c().log_count("web2", "hamaster.log", "Link web1:lo dead."), 1) << c().dump();
    EXPECT_EQ(link_status("web1", "web2", "lo"), "dead\n");
    EXPECT_EQ(link_status("web1", "web2", tty_a_), "up\n");
    ASSERT_TRUE(restore_udp(port()));
    EXPECT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", "Link web2:lo up.") > ups_before; }, 20s))
        << c().dump();
    EXPECT_TRUE(wait_until([&] { return link_status("web1", "web2", "lo") == "up\n"; }, 10s)) << c().dump();
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(c().log_count("web2", "hamaster.log", "is dead"), 0) << c().dump();
}

TEST_F(RedundantLinks, CableCutOnlyKillsTheSerialLinkAndCableBackRevivesIt) {
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return all_links_up(); }, 20s)) << c().dump();
    const std::string dead1 = "Link web2:" + tty_a_ + " dead.", up1 = "Link web2:" + tty_a_ + " up.";
    const int ups_before = c().log_count("web1", "hamaster.log", up1);
    const auto serial1 = c().child("web1", "heartbeatd-serial");
    ASSERT_TRUE(serial1.has_value());
    cable_->stop();
    EXPECT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", dead1) == 1; }, 20s)) << c().dump();
    EXPECT_TRUE(stays_active(3 * std::chrono::milliseconds(kDeadtimeMs)));
    EXPECT_EQ(link_status("web1", "web2", tty_a_), "dead\n");
    EXPECT_EQ(link_status("web1", "web2", "lo"), "up\n");
    // The same cable again: the serial daemons reopen by themselves, nothing is restarted.
    ASSERT_TRUE(cable_->start());
    EXPECT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", up1) > ups_before; }, 30s)) << c().dump();
    EXPECT_TRUE(wait_until([&] { return link_status("web1", "web2", tty_a_) == "up\n"; }, 10s)) << c().dump();
    EXPECT_TRUE(wait_until([&] { return link_status("web2", "web1", tty_b_) == "up\n"; }, 10s)) << c().dump();
    EXPECT_EQ(c().child("web1", "heartbeatd-serial"), serial1) << "the serial daemon was restarted";
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "Respawning"), 0) << c().dump();
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(c().log_count("web2", "hamaster.log", "is dead"), 0) << c().dump();
}

TEST_F(RedundantLinks, BothCutPeerDeadAfterDeadtime) {
    REQUIRE_NETNS();
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return all_links_up(); }, 20s)) << c().dump();
    LogTail tail(c().log_path("web1"));
    ASSERT_TRUE(cut_udp(port()));
    const auto cut = Clock::now();
    cable_->stop();
    const auto seen = tail.wait_for("node web2: is dead", 30s);
    ASSERT_TRUE(seen.has_value()) << c().dump();
    EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(*seen - cut).count(), kDeadtimeMs - kKeepaliveMs)
        << c().dump();
    EXPECT_EQ(cl_status("web1", {"nodestatus", "web2"}).rc, 1);
    EXPECT_EQ(c().nodestatus("web1", "web2"), "dead");
    EXPECT_TRUE(wait_until([&] { return c().log_count("web2", "hamaster.log", "node web1: is dead") == 1; }, 20s)) << c().dump();
    EXPECT_TRUE(restore_udp(port()));
}

// 1 MB of random bytes written into the cable at web1's end (a third writer on ttyA: root, since
// the daemon holds TIOCEXCL) while UDP is cut, so the serial link alone carries the heartbeats.
TEST_F(RedundantLinks, MegabyteOfLineNoiseWhileUdpIsDownCausesNoFalseDeath) {
    REQUIRE_NETNS();
    ASSERT_TRUE(start_both_active());
    ASSERT_TRUE(wait_until([&] { return all_links_up(); }, 20s)) << c().dump();
    std::vector<pid_t> pids{c().node("web1").pid, c().node("web2").pid};
    for (const auto& n : Cluster::names()) {
        for (pid_t k : c().children(n)) pids.push_back(k);
    }
    ASSERT_TRUE(cut_udp(port()));
    ASSERT_TRUE(wait_until([&] { return c().log_count("web1", "hamaster.log", "Link web2:lo dead.") == 1; }, 20s)) << c().dump();

    const int fd = ::open(tty_a_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) GTEST_SKIP() << "cannot open " << tty_a_ << " as a third writer: " << std::strerror(errno);
    std::mt19937_64 rng(1234);
    std::string chunk(4096, '\0');
    std::size_t total = 0;
    for (int i = 0; i < 256; ++i) {  // 1 MiB in 4 KiB writes, a few ms apart
        for (auto& ch : chunk) ch = static_cast<char>(rng() & 0xff);
        std::size_t done = 0;
        while (done < chunk.size()) {
            const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        total += done;
        std::this_thread::sleep_for(4ms);
    }
    ::close(fd);
    EXPECT_EQ(total, 1u << 20);
    EXPECT_TRUE(stays_active(3 * std::chrono::milliseconds(kDeadtimeMs)));
    EXPECT_EQ(link_status("web2", "web1", tty_b_), "up\n") << c().dump();
    EXPECT_EQ(link_status("web1", "web2", tty_a_), "up\n") << c().dump();
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(c().log_count("web2", "hamaster.log", "is dead"), 0) << c().dump();
    EXPECT_EQ(c().log_count("web2", "hamaster.log", "Link web1:" + tty_b_ + " dead."), 0) << c().dump();
    for (pid_t p : pids) EXPECT_TRUE(pid_alive(p)) << "pid " << p << " died" << c().dump();
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "Respawning") + c().log_count("web2", "hamaster.log", "Respawning"), 0)
        << c().dump();
    EXPECT_TRUE(restore_udp(port()));
}

TEST_F(RedundantLinks, SerialOnlyWorksEndToEnd) {
    c().config().ucast = false;
    ASSERT_TRUE(start_both_active());
    EXPECT_EQ(cl_status("web1", {"listhblinks", "web2"}).out, "\t" + tty_a_ + "\n");
    EXPECT_EQ(cl_status("web2", {"listhblinks", "web1"}).out, "\t" + tty_b_ + "\n");
    EXPECT_TRUE(wait_until([&] { return link_status("web1", "web2", tty_a_) == "up\n"; }, 10s)) << c().dump();
    EXPECT_FALSE(c().child("web1", "heartbeatd-net").has_value()) << "no UDP directive, no UDP daemon";
    EXPECT_TRUE(stays_active(3 * std::chrono::milliseconds(kDeadtimeMs)));
    EXPECT_EQ(c().log_count("web1", "hamaster.log", "is dead"), 0) << c().dump();
}

}  // namespace
}  // namespace ha::it
