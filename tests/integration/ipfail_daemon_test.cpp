// Integration: the real ipfaild on the real zmq bus; the test plays the master with a BusRouter.
//
// Network safety: ICMP goes only to loopback. LoopbackPingNodesComeUp pings 127.0.0.1 and
// 127.0.0.2 from the root namespace; the netns tests run ipfaild in a private network namespace
// (`unshare --net`, root only) where the test drops echo replies with iptables to kill ping nodes.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <zmq.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "ipc/bus.hpp"

namespace ha::ipfail {
namespace {

using namespace std::chrono_literals;

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(5ms);
    }
    return done();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool have(const char* path) { return ::access(path, X_OK) == 0; }

// A config dir, a bus router and one ipfaild process.
class IpfailDaemon {
public:
    explicit IpfailDaemon(const std::string& ping_lines) {
        char tmpl[] = "/tmp/ha-ipf-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        std::filesystem::create_directories(dir_ + "/log");
        std::ofstream(dir_ + "/ha.cf") << "keepalive 200ms\ndeadtime 2\ndeadping 1\nucast lo 127.0.0.9\n"
                                          "auto_failback on\nnode web1 web2\n"
                                       << ping_lines << "respawn nobody /usr/lib/heartbeat/ipfail\n";
        std::ofstream(dir_ + "/haresources") << "";
        std::ofstream(dir_ + "/authkeys") << "auth 1\n1 sha1 ipfail-test\n";
        ::chmod((dir_ + "/authkeys").c_str(), 0600);
        router_ = std::make_unique<ipc::BusRouter>(io_, ctx_, ipc::bus_endpoint(dir_ + "/run"), log_);
        router_->on_message([this](std::string_view id, ipc::Message m) {
            if (id == "ipfaild") got_.push_back(std::move(m));
        });
    }
    ~IpfailDaemon() {
        stop();
        router_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // Starts ipfaild, in a private network namespace when `netns_setup` is not empty (shell
    // commands run in that namespace first, e.g. iptables rules).
    void start(bool netns, const std::string& netns_setup = "", const std::string& extra_args = "") {
        std::string cmd = std::string(HA_BIN_DIR "/ipfaild") + " --node web1 --config " + dir_ + " --run-dir " + dir_ +
                          "/run --log-dir " + dir_ + "/log --parent-pid " + std::to_string(::getpid()) + extra_args;
        std::vector<std::string> args;
        if (netns) {
            args = {"/usr/bin/unshare", "--net", "--", "/bin/sh", "-c",
                    "ip link set lo up && " + (netns_setup.empty() ? std::string() : netns_setup + " && ") + "exec " + cmd};
        } else {
            args = {"/bin/sh", "-c", "exec " + cmd};
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    // Runs a shell command in ipfaild's network namespace.
    int in_netns(const std::string& command) const {
        return std::system(("nsenter --net=/proc/" + std::to_string(pid_) + "/ns/net " + command).c_str());
    }
    int stop() {
        if (pid_ <= 0) return -1;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
        return status;
    }
    // Waits for a message from ipfaild matching `pred` (seen from index `from` on).
    const ipc::Message* wait_for(const std::function<bool(const ipc::Message&)>& pred, std::chrono::milliseconds limit = 10s) {
        const ipc::Message* found = nullptr;
        run_until(io_, [&] {
            for (const auto& m : got_)
                if (pred(m)) return (found = &m) != nullptr;
            return false;
        }, limit);
        return found;
    }
    const ipc::Message* wait_ping(const std::string& node, const std::string& st, std::chrono::milliseconds limit = 10s) {
        return wait_for([&](const ipc::Message& m) {
            return m.type() == "ping_status" && m.get_or("node", "") == node && m.get_or("st", "") == st;
        }, limit);
    }
    bool send(ipc::Message m) { return router_->send("ipfaild", m); }
    void clear() { got_.clear(); }
    std::string log_text() const { return read_file(dir_ + "/log/ipfaild.log"); }
    pid_t pid() const { return pid_; }
    // Effective uid of ipfaild (from /proc), -1 if unknown.
    int euid() const {
        std::istringstream in(read_file("/proc/" + std::to_string(pid_) + "/status"));
        for (std::string line; std::getline(in, line);)
            if (line.rfind("Uid:", 0) == 0) return std::stoi(line.substr(line.find_first_of("0123456789")));
        return -1;
    }
    bool exited_with(int code) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
        pid_ = 0;
        return WIFEXITED(status) && WEXITSTATUS(status) == code;
    }

private:
    std::string dir_;
    boost::asio::io_context io_;
    zmq::context_t ctx_{1};
    ipc::CaptureLog log_;
    std::unique_ptr<ipc::BusRouter> router_;
    std::vector<ipc::Message> got_;
    pid_t pid_ = 0;
};

ipc::Message from_peer(std::string_view type, std::string_view num_ping = {}) {
    ipc::Message m;
    m.add("t", type);
    if (!num_ping.empty()) m.add("num_ping", num_ping);
    m.add("dest", "web1").add("from_id", "ipfail").add("to_id", "ipfail").add("src", "web2");
    return m;
}

ipc::Message node_status(std::string_view st) {
    ipc::Message m;
    m.add("t", "node_status").add("node", "web2").add("st", st);
    return m;
}

bool netns_tools() { return ::geteuid() == 0 && have("/usr/bin/unshare") && have("/usr/bin/nsenter") && have("/usr/sbin/iptables"); }

// sec (issue 20, Medium 3): a respawn user that cannot be resolved used to leave ipfaild running
// as root ("staying uid 0"); it exits 77 (permanent: the master does not respawn it) instead.
TEST(IpfailDaemon, SecUnknownUserExitsInsteadOfStayingRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "only root has privileges to keep";
    IpfailDaemon d("ping 127.0.0.1\n");
    d.start(false, "", " --user no-such-user-hamaster");
    ASSERT_TRUE(d.wait_for([](const ipc::Message& m) { return m.type() == "liveness"; }) || d.exited_with(77))
        << d.log_text();
    bool exited = d.pid() == 0;
    const auto until = std::chrono::steady_clock::now() + 20s;  // the drop comes with kDropDeadline at the latest
    while (!exited && std::chrono::steady_clock::now() < until) {
        exited = d.exited_with(77);
        if (!exited) ::usleep(20000);
    }
    EXPECT_TRUE(exited) << d.log_text();
    EXPECT_NE(d.log_text().find("user no-such-user-hamaster does not exist; refusing to keep uid 0"), std::string::npos)
        << d.log_text();
}

TEST(IpfailDaemon, LoopbackPingNodesComeUp) {
    IpfailDaemon d("ping 127.0.0.1\nping 127.0.0.2\n");
    d.start(false);
    ASSERT_TRUE(d.wait_for([](const ipc::Message& m) { return m.type() == "liveness"; }) || d.exited_with(77))
        << d.log_text();
    if (d.pid() == 0) GTEST_SKIP() << "no ICMP socket here (not root, ping_group_range excludes us)";
    EXPECT_TRUE(d.wait_ping("127.0.0.1", "up")) << d.log_text();
    EXPECT_TRUE(d.wait_ping("127.0.0.2", "up")) << d.log_text();
    const auto* join = d.wait_for([](const ipc::Message& m) { return m.type() == "hbapi-clstat"; });
    ASSERT_TRUE(join);
    EXPECT_EQ(join->get_or("st", ""), "join");
    EXPECT_EQ(join->get_or("_to_peer", ""), "1");
    const auto* count = d.wait_for([](const ipc::Message& m) {
        return m.type() == "num_ping_nodes" && m.get_or("num_ping", "") == "2";
    });
    ASSERT_TRUE(count);
    EXPECT_EQ(count->get_or("dest", ""), "web2");
    const int status = d.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(IpfailDaemon, NetnsPingNodeDiesAndArbitrationRuns) {
    if (!netns_tools()) GTEST_SKIP() << "needs root, unshare, nsenter and iptables";
    IpfailDaemon d("ping 127.0.0.2\nping 127.0.0.3\nping_group gw 127.0.0.4 127.0.0.5\n");
    // 127.0.0.5 never answers: the group lives on 127.0.0.4 alone.
    d.start(true, "iptables -I INPUT -p icmp --icmp-type echo-reply -s 127.0.0.5 -j DROP");
    ASSERT_TRUE(d.wait_ping("127.0.0.2", "up")) << d.log_text();
    ASSERT_TRUE(d.wait_ping("127.0.0.3", "up")) << d.log_text();
    ASSERT_TRUE(d.wait_ping("gw", "up")) << d.log_text();

    // The first message from the master lets ipfaild drop to the respawn user (nobody).
    ASSERT_TRUE(d.send(node_status("active")));
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (d.euid() != 65534 && std::chrono::steady_clock::now() < until) ::usleep(20000);
    EXPECT_EQ(d.euid(), 65534) << d.log_text();

    // Peer sees fewer: we tell it it is dead.
    d.clear();
    ASSERT_TRUE(d.send(from_peer("num_ping_nodes", "1")));
    const auto* yad = d.wait_for([](const ipc::Message& m) { return m.type() == "you_are_dead"; });
    ASSERT_TRUE(yad) << d.log_text();
    EXPECT_EQ(yad->get_or("dest", ""), "web2");
    EXPECT_EQ(yad->get_or("_to_peer", ""), "1");

    // 127.0.0.3 stops answering: dead after deadping (1 s), and the new count goes to the peer.
    d.clear();
    const auto blocked = std::chrono::steady_clock::now();
    ASSERT_EQ(d.in_netns("iptables -I INPUT -p icmp --icmp-type echo-reply -s 127.0.0.3 -j DROP"), 0);
    ASSERT_TRUE(d.wait_ping("127.0.0.3", "dead", 5s)) << d.log_text();
    const auto took = std::chrono::steady_clock::now() - blocked;
    EXPECT_GE(took, 600ms);
    EXPECT_LE(took, 2500ms);
    EXPECT_TRUE(d.wait_for([](const ipc::Message& m) {
        return m.type() == "num_ping_nodes" && m.get_or("num_ping", "") == "2";
    }));
    EXPECT_EQ(d.wait_ping("gw", "dead", 0ms), nullptr) << "the group lives on 127.0.0.4";

    // Told we are dead: standby all after 2 x keepalive.
    d.clear();
    ASSERT_TRUE(d.send(from_peer("you_are_dead")));
    const auto* standby = d.wait_for([](const ipc::Message& m) { return m.type() == "standby"; }, 5s);
    ASSERT_TRUE(standby) << d.log_text();
    EXPECT_EQ(standby->get_or("rsc_hold", ""), "all");

    // Lost every ping node and the peer: release; a ping node back: ok.
    d.clear();
    ASSERT_EQ(d.in_netns("iptables -I INPUT -p icmp --icmp-type echo-reply -j DROP"), 0);
    ASSERT_TRUE(d.send(node_status("dead")));
    EXPECT_TRUE(d.wait_for([](const ipc::Message& m) { return m.type() == "ipfail_release"; }, 5s)) << d.log_text();
    ASSERT_EQ(d.in_netns("iptables -F INPUT"), 0);
    EXPECT_TRUE(d.wait_for([](const ipc::Message& m) { return m.type() == "ipfail_ok"; }, 5s)) << d.log_text();

    const std::string log = d.log_text();
    EXPECT_NE(log.find("Telling other node that we have more visible ping nodes."), std::string::npos) << log;
    EXPECT_NE(log.find("Giving up because we were told that we have less ping nodes."), std::string::npos);
    EXPECT_NE(log.find("Dropped privileges to nobody"), std::string::npos);
    const int status = d.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(IpfailDaemon, NetnsUsesTheDatagramSocketWhenPingGroupRangeAllows) {
    if (!netns_tools()) GTEST_SKIP() << "needs root, unshare, nsenter and iptables";
    IpfailDaemon d("ping 127.0.0.2\n");
    d.start(true, "echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range");
    ASSERT_TRUE(d.wait_ping("127.0.0.2", "up")) << d.log_text();
    EXPECT_NE(d.log_text().find("ICMP echo socket: datagram"), std::string::npos) << d.log_text();
    ASSERT_EQ(d.in_netns("iptables -I INPUT -p icmp --icmp-type echo-reply -j DROP"), 0);
    EXPECT_TRUE(d.wait_ping("127.0.0.2", "dead", 5s)) << d.log_text();
}

}  // namespace
}  // namespace ha::ipfail
