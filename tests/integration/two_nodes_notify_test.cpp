// Integration: systemd's notify protocol (issue 21 item 5) with a fake NOTIFY_SOCKET.
//
// The test binds unix datagram sockets itself (web1: an abstract "@name", web2: a path, the two
// forms systemd uses) and starts `hamaster -f` with NOTIFY_SOCKET and WATCHDOG_USEC in its
// environment, as systemd would for `Type=notify` + `WatchdogSec=`. It checks that READY=1 (with
// MAINPID = the master) arrives, then STATUS= lines following the cluster state (the peer seen
// active), WATCHDOG=1 fed repeatedly, STOPPING=1 on SIGTERM, and that no child inherited
// NOTIFY_SOCKET (rscd or an agent must not notify in the master's name).
// Timing: every wait is on a condition with a generous deadline; the watchdog period is only
// checked as "more than one feed arrived".
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

// A bound unix datagram socket collecting every message, as systemd's notify socket does.
class FakeNotifySocket {
public:
    explicit FakeNotifySocket(std::string name) : name_(std::move(name)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, name_.data(), name_.size());
        if (name_[0] == '@') addr.sun_path[0] = '\0';
        else ::unlink(name_.c_str());
        const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
        bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
    }
    ~FakeNotifySocket() {
        if (fd_ >= 0) ::close(fd_);
        if (name_[0] == '/') ::unlink(name_.c_str());
    }
    bool bound() const { return bound_; }
    const std::string& name() const { return name_; }
    // Reads what is waiting; returns all messages received so far.
    const std::vector<std::string>& messages() {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0) break;
            messages_.emplace_back(buf, static_cast<std::size_t>(n));
        }
        return messages_;
    }
    int count(const std::string& needle) {
        int n = 0;
        for (const auto& m : messages())
            if (m.find(needle) != std::string::npos) ++n;
        return n;
    }
    std::string all() {
        std::string s;
        for (const auto& m : messages()) s += "[" + m + "]\n";
        return s;
    }

private:
    std::string name_;
    int fd_ = -1;
    bool bound_ = false;
    std::vector<std::string> messages_;
};

class TwoNodesNotify : public TwoNodes {
protected:
    // Starts `name` with the notify variables in its environment only.
    void start_notified(const std::string& name, const FakeNotifySocket& sock, const std::string& watchdog_usec) {
        ::setenv("NOTIFY_SOCKET", sock.name().c_str(), 1);
        ::setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
        c().start(name);
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
    }
    static bool env_has(pid_t pid, const std::string& var) {
        const std::string env = read_file(fmt::format("/proc/{}/environ", pid));
        return env.find(var + "=") != std::string::npos;
    }
};

TEST_F(TwoNodesNotify, ReadyStatusWatchdogAndStoppingReachTheNotifySocket) {
    c().config().haresources = "web1 rec::a1\n";
    c().config().resource_scripts["rec"] = kRecAgent;
    FakeNotifySocket web1_sock(fmt::format("@hamaster-notify-test-{}", ::getpid()));
    FakeNotifySocket web2_sock(fmt::format("/tmp/hamaster-notify-test-{}.sock", ::getpid()));
    ASSERT_TRUE(web1_sock.bound() && web2_sock.bound()) << std::strerror(errno);

    start_notified("web1", web1_sock, "400000");  // WatchdogSec=400ms: fed every 200 ms
    start_notified("web2", web2_sock, "400000");
    const pid_t web1 = c().node("web1").pid;

    ASSERT_TRUE(wait_until([&] { return web1_sock.count("READY=1") == 1; }, 30s)) << web1_sock.all() << c().dump();
    EXPECT_EQ(web1_sock.count(fmt::format("MAINPID={}\n", web1)), 1) << web1_sock.all();
    ASSERT_TRUE(wait_until([&] { return web2_sock.count("READY=1") == 1; }, 30s)) << web2_sock.all() << c().dump();

    // STATUS= follows the cluster state: each node reports the other active once it is.
    ASSERT_TRUE(wait_until([&] { return c().both_active(); }, 30s)) << c().dump();
    EXPECT_TRUE(wait_until([&] { return web1_sock.count("STATUS=web1 active, web2 active") > 0; }, 30s)) << web1_sock.all();
    EXPECT_TRUE(wait_until([&] { return web2_sock.count("STATUS=web2 active, web1 active") > 0; }, 30s)) << web2_sock.all();
    // The first status (sent with READY) came before the peer was up: the state changed since.
    EXPECT_GE(web1_sock.count("STATUS="), 2) << web1_sock.all();

    // The watchdog is fed from the running loop, more than once.
    EXPECT_TRUE(wait_until([&] { return web1_sock.count("WATCHDOG=1") >= 3; }, 30s)) << web1_sock.all();
    EXPECT_TRUE(wait_until([&] { return web2_sock.count("WATCHDOG=1") >= 3; }, 30s)) << web2_sock.all();

    // No child inherits the variables (they would notify in the master's name).
    const auto kids = c().children("web1");
    ASSERT_FALSE(kids.empty());
    for (pid_t kid : kids) {
        EXPECT_FALSE(env_has(kid, "NOTIFY_SOCKET")) << "child " << kid;
        EXPECT_FALSE(env_has(kid, "WATCHDOG_USEC")) << "child " << kid;
    }

    // The peer's death shows in STATUS=.
    c().stop("web2");
    EXPECT_TRUE(wait_until([&] { return web1_sock.count("STATUS=web1 active, web2 dead") > 0; }, 30s)) << web1_sock.all();

    c().stop("web1");
    EXPECT_EQ(web1_sock.count("STOPPING=1"), 1) << web1_sock.all();
}

// Without -f (the unit's ExecStart: the launcher forks the daemon and exits once it is ready) the
// daemon itself notifies, naming itself in MAINPID= before the launcher exits, so systemd
// (NotifyAccess=all) follows the daemon, not the launcher.
TEST_F(TwoNodesNotify, DaemonizedMasterNamesItselfAsMainPid) {
    FakeNotifySocket sock(fmt::format("@hamaster-notify-daemon-test-{}", ::getpid()));
    ASSERT_TRUE(sock.bound()) << std::strerror(errno);
    c().write_config("web1");
    const auto& n = c().node("web1");
    const char* bin = std::getenv("HA_IT_BIN_DIR");
    ::setenv("NOTIFY_SOCKET", sock.name().c_str(), 1);
    const RunResult launcher = run({std::string(bin != nullptr && *bin != '\0' ? bin : HA_BIN_DIR) + "/hamaster", "--node", n.name,
                                    "--config", n.dir + "/etc", "--run-dir", n.dir + "/run", "--log-dir", n.dir + "/log",
                                    "--state-dir", n.dir + "/state", "--bind", n.addr},
                                   30s);
    ::unsetenv("NOTIFY_SOCKET");
    const std::string pid_text = read_file(n.dir + "/run/hamaster.pid");
    const pid_t daemon = static_cast<pid_t>(std::atoi(pid_text.c_str()));
    if (daemon > 0) c().node("web1").pid = daemon;  // the fixture's teardown stops it by pid
    ASSERT_EQ(launcher.rc, 0) << launcher.out << launcher.err << c().dump();
    ASSERT_GT(daemon, 0) << "pid file: [" << pid_text << "]";
    // The launcher has exited: READY=1 was sent before it was told "ready".
    EXPECT_EQ(sock.count("READY=1"), 1) << sock.all();
    EXPECT_EQ(sock.count(fmt::format("MAINPID={}\n", daemon)), 1) << sock.all();
    EXPECT_EQ(sock.count("WATCHDOG=1"), 0) << "no WATCHDOG_USEC, no feeding\n" << sock.all();
}

// The unit's ExecStart daemonizes and has WatchdogSec=: systemd sets WATCHDOG_PID to the launcher
// it started, while MAINPID= makes the daemon the process it watches. The daemon must take the
// watchdog over and feed it; otherwise systemd aborts the service every WatchdogSec.
TEST_F(TwoNodesNotify, DaemonizedMasterFeedsTheWatchdogSystemdGaveItsLauncher) {
    FakeNotifySocket sock(fmt::format("@hamaster-notify-wd-test-{}", ::getpid()));
    ASSERT_TRUE(sock.bound()) << std::strerror(errno);
    c().write_config("web1");
    const auto& n = c().node("web1");
    const char* bin = std::getenv("HA_IT_BIN_DIR");
    const std::string hamaster = std::string(bin != nullptr && *bin != '\0' ? bin : HA_BIN_DIR) + "/hamaster";
    ::setenv("NOTIFY_SOCKET", sock.name().c_str(), 1);
    // As systemd does: WATCHDOG_PID is the pid of the process it execs (the shell's $$ is kept by exec).
    const RunResult launcher = run({"/bin/sh", "-c", "WATCHDOG_PID=$$ WATCHDOG_USEC=400000 exec \"$0\" \"$@\"", hamaster,
                                    "--node", n.name, "--config", n.dir + "/etc", "--run-dir", n.dir + "/run", "--log-dir",
                                    n.dir + "/log", "--state-dir", n.dir + "/state", "--bind", n.addr},
                                   30s);
    ::unsetenv("NOTIFY_SOCKET");
    const pid_t daemon = static_cast<pid_t>(std::atoi(read_file(n.dir + "/run/hamaster.pid").c_str()));
    if (daemon > 0) c().node("web1").pid = daemon;  // the fixture's teardown stops it by pid
    ASSERT_EQ(launcher.rc, 0) << launcher.out << launcher.err << c().dump();
    ASSERT_GT(daemon, 0);
    EXPECT_EQ(sock.count(fmt::format("MAINPID={}\n", daemon)), 1) << sock.all();
    // Fed every 200 ms from the daemon's loop: a few feeds well within the deadline.
    EXPECT_TRUE(wait_until([&] { return sock.count("WATCHDOG=1") >= 3; }, 30s)) << sock.all() << c().dump();
    // No child inherits the watchdog variables.
    for (pid_t kid : c().children("web1")) EXPECT_FALSE(env_has(kid, "WATCHDOG_PID")) << "child " << kid;
}

}  // namespace
}  // namespace ha::it
