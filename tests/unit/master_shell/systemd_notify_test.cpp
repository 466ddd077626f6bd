// Unit: the STATUS= text systemd shows for the cluster state, and SystemdNotify's sending through
// libsystemd to a socket of the test's own (master/systemd_notify.hpp): messages in order, the
// watchdog variables taken, a receiver that never reads does not block the caller.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "master/systemd_notify.hpp"

namespace ha::master {
namespace {

ClusterView two_nodes(const std::string& peer_status) {
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.nodes = {{"web1", "normal", "active"}, {"web2", "normal", peer_status}, {"192.0.2.1", "ping", "ping"}};
    return v;
}

TEST(NotifyStatusText, NamesEachNodeAndTheResourcesButNotPingNodes) {
    auto v = two_nodes("dead");
    v.rsc_hold = "all";
    EXPECT_EQ(notify_status_text(v), "web1 active, web2 dead; resources: all");
}

TEST(NotifyStatusText, SaysItWaitsForThePeerDuringInitdead) {
    auto v = two_nodes("init");
    v.initdead_left = std::chrono::milliseconds(1500);
    EXPECT_EQ(notify_status_text(v), "web1 active, web2 init; resources: none; waiting for the peer (initdead)");
}

TEST(NotifyVariables, OnlySystemdsNotifyVariablesAreKeptFromChildren) {
    EXPECT_TRUE(is_notify_variable("NOTIFY_SOCKET=/run/systemd/notify"));
    EXPECT_TRUE(is_notify_variable("WATCHDOG_USEC=10000000"));
    EXPECT_TRUE(is_notify_variable("WATCHDOG_PID=12"));
    EXPECT_FALSE(is_notify_variable("NOTIFY_SOCKETS=x"));
    EXPECT_FALSE(is_notify_variable("PATH=/usr/bin"));
    EXPECT_FALSE(is_notify_variable("MY_NOTIFY_SOCKET=x"));
}

// A bound abstract datagram socket standing in for systemd's, and the notify variables set for
// the duration of one test (restored by the destructor: other tests must not see them).
class NotifyEnv {
public:
    explicit NotifyEnv(bool bind_socket = true) : name_(fmt::format("@hamaster-unit-notify-{}", ::getpid())) {
        if (bind_socket) {
            fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::memcpy(addr.sun_path, name_.data(), name_.size());
            addr.sun_path[0] = '\0';
            const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
            bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
        }
        ::setenv("NOTIFY_SOCKET", name_.c_str(), 1);
    }
    ~NotifyEnv() {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
        if (fd_ >= 0) ::close(fd_);
    }
    bool bound() const { return bound_; }
    // Every datagram that arrived within `within`, until `want` of them.
    std::vector<std::string> receive(std::size_t want, std::chrono::milliseconds within = std::chrono::milliseconds(5000)) {
        std::vector<std::string> got;
        const auto deadline = std::chrono::steady_clock::now() + within;
        char buf[4096];
        while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n >= 0) got.emplace_back(buf, static_cast<std::size_t>(n));
            else std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return got;
    }

private:
    std::string name_;
    int fd_ = -1;
    bool bound_ = false;
};

TEST(SystemdNotify, SendsReadyStatusWatchdogAndStoppingInOrderThroughLibsystemd) {
    NotifyEnv env;
    ASSERT_TRUE(env.bound()) << std::strerror(errno);
    ::setenv("WATCHDOG_USEC", "400000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    ipc::CaptureLog log;
    {
        SystemdNotify notify(log);
        ASSERT_TRUE(notify.enabled());
        ASSERT_TRUE(notify.feed_interval().has_value());
        EXPECT_EQ(*notify.feed_interval(), std::chrono::microseconds(200000));
        // Taken from the environment (a child must not feed the watchdog); NOTIFY_SOCKET stays
        // for libsystemd and is filtered at spawn (is_notify_variable).
        EXPECT_EQ(std::getenv("WATCHDOG_USEC"), nullptr);
        EXPECT_EQ(std::getenv("WATCHDOG_PID"), nullptr);
        EXPECT_NE(std::getenv("NOTIFY_SOCKET"), nullptr);

        notify.ready("web1 active; resources: none");
        notify.status("web1 active; resources: none");  // unchanged: not sent again
        notify.status("web1 active, web2 active; resources: local");
        notify.watchdog();
        notify.stopping();
    }  // the destructor lets the sender finish
    const auto got = env.receive(4);
    ASSERT_EQ(got.size(), 4U) << log.dump();
    EXPECT_EQ(got[0], fmt::format("READY=1\nMAINPID={}\nSTATUS=web1 active; resources: none", ::getpid()));
    EXPECT_EQ(got[1], "STATUS=web1 active, web2 active; resources: local");
    EXPECT_EQ(got[2], "WATCHDOG=1");
    EXPECT_EQ(got[3], "STOPPING=1\nSTATUS=stopping: handing over resources");
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "systemd"), 0) << log.dump();
}

TEST(SystemdNotify, AWatchdogMeantForAnotherProcessIsNotFed) {
    NotifyEnv env;
    ::setenv("WATCHDOG_USEC", "400000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    ipc::CaptureLog log;
    SystemdNotify notify(log);
    EXPECT_TRUE(notify.enabled());
    EXPECT_FALSE(notify.feed_interval().has_value());
    EXPECT_EQ(std::getenv("WATCHDOG_USEC"), nullptr);
}

TEST(SystemdNotify, WithoutNotifySocketNothingIsSent) {
    ::unsetenv("NOTIFY_SOCKET");
    ::setenv("WATCHDOG_USEC", "400000", 1);
    ipc::CaptureLog log;
    SystemdNotify notify(log);
    EXPECT_FALSE(notify.enabled());
    EXPECT_FALSE(notify.feed_interval().has_value());
    notify.ready("x");
    notify.watchdog();
    EXPECT_EQ(std::getenv("WATCHDOG_USEC"), nullptr);
    ::unsetenv("WATCHDOG_USEC");
}

// libsystemd's send blocks while the receiver's queue is full (net.unix.max_dgram_qlen, 10 by
// default): the caller must not. A receiver that never reads gets many messages; every call
// returns at once (the bound is loose: a blocked caller would wait forever, not 2 s).
TEST(SystemdNotify, AReceiverThatNeverReadsDoesNotBlockTheCaller) {
    NotifyEnv env;
    ASSERT_TRUE(env.bound()) << std::strerror(errno);
    ipc::CaptureLog log;
    auto notify = std::make_unique<SystemdNotify>(log);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i) {
        notify->watchdog();
        notify->status(fmt::format("web1 active; step {}", i));
    }
    notify->stopping();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    const auto before_exit = std::chrono::steady_clock::now();
    notify.reset();  // the sender is stuck in a send: the destructor leaves it after its grace
    EXPECT_LT(std::chrono::steady_clock::now() - before_exit, std::chrono::seconds(3));
    // Coalesced: far fewer datagrams than calls reached the socket (and the first ones in order).
    const auto got = env.receive(401, std::chrono::milliseconds(500));
    EXPECT_LT(got.size(), 401U);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got[0], "WATCHDOG=1");
}

TEST(SystemdNotify, ASendThatFailsIsLoggedOnce) {
    NotifyEnv env(false);  // nobody bound the socket: every send fails (ECONNREFUSED)
    ipc::CaptureLog log;
    {
        SystemdNotify notify(log);
        notify.ready("web1 active");
        notify.status("web1 active, web2 active");
        notify.ready("web1 active");  // waits for the sender: the status' failure is known by then
    }
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "systemd notify: cannot send to @hamaster-unit-notify-"), 1) << log.dump();
}

}  // namespace
}  // namespace ha::master
