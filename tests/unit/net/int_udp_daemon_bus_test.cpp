// Integration: the real heartbeatd-net binary talking to a real BusRouter (ipc/bus.hpp) in the test
// process, as it does to hamaster. Loopback only (127.0.0.2 ↔ 127.0.0.3).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <zmq.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "ipc/auth.hpp"
#include "ipc/bus.hpp"
#include "net_daemon_process.hpp"
#include "media/media_test_util.hpp"

namespace ha::net {
namespace {

using namespace std::chrono_literals;
using media::testing::cluster_message;
using media::testing::md5_keys;
using testing::NetDaemonProcess;
using media::testing::status_wire;

// A UDP socket bound to `address` (host order) on a port the kernel picks; -1 on failure.
int udp_socket_on(std::uint32_t address, std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(address);
    socklen_t len = sizeof(a);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    port = ntohs(a.sin_port);
    return fd;
}

TEST(HeartbeatdNetBus, StatsForwardAndSendThroughTheMastersRouter) {
    // The peer socket on 127.0.0.3; its port is the test's udpport.
    std::uint16_t port = 0;
    const int peer = udp_socket_on(0x7f000003, port);
    ASSERT_GE(peer, 0);
    timeval tv{0, 100000};
    ::setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

    NetDaemonProcess daemon;
    boost::asio::io_context io;
    zmq::context_t ctx(1);
    ipc::CaptureLog log;
    ipc::BusRouter router(io, ctx, ipc::bus_endpoint(daemon.run_dir()), log);
    std::deque<std::pair<std::string, ipc::Message>> inbox;
    router.on_message([&](std::string_view id, ipc::Message m) { inbox.emplace_back(std::string(id), std::move(m)); });
    auto wait_for = [&](const std::function<bool(const ipc::Message&)>& pred, const std::function<void()>& poke) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (poke) poke();
            io.run_for(100ms);
            while (!inbox.empty()) {
                auto [id, m] = std::move(inbox.front());
                inbox.pop_front();
                if (id == "heartbeatd-net" && pred(m)) return std::optional<ipc::Message>(std::move(m));
            }
        }
        return std::optional<ipc::Message>();
    };

    ASSERT_TRUE(daemon.start("web1", {"--udpport", std::to_string(port), "--bind", "127.0.0.2", "--ucast", "lo:127.0.0.3",
                                      "--nodes", "web1,web2"},
                             /*stdio_bus=*/false));
    ipc::Message query;
    query.add("t", "_stats");
    auto stats = wait_for([](const ipc::Message& m) { return m.type() == "_stats"; },
                          [&] { (void)router.send("heartbeatd-net", query); });
    ASSERT_TRUE(stats.has_value()) << log.dump();
    EXPECT_EQ(stats->get_or("link", ""), "lo");

    // The skeleton's liveness beat reaches the master too.
    EXPECT_TRUE(wait_for([](const ipc::Message& m) { return m.type() == "liveness"; }, nullptr).has_value());

    // Wire → master.
    const std::string wire = status_wire("web2", "1", "5", md5_keys());
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(0x7f000002);
    to.sin_port = htons(port);
    ::sendto(peer, wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    auto fwd = wait_for([](const ipc::Message& m) { return m.type() == "status"; }, nullptr);
    ASSERT_TRUE(fwd.has_value());
    EXPECT_EQ(fwd->get_or("src", ""), "web2");
    EXPECT_EQ(fwd->get_or("_link", ""), "lo");

    // Master → wire.
    ASSERT_TRUE(router.send("heartbeatd-net", cluster_message("status", "web1", "1", "2")));
    std::string buf(70000, '\0');
    ssize_t n = -1;
    for (int i = 0; i < 100 && n < 0; ++i) {
        io.run_for(10ms);
        n = ::recv(peer, buf.data(), buf.size(), 0);
    }
    ASSERT_GT(n, 0);
    auto decoded = ipc::verify_and_decode(std::string_view(buf.data(), static_cast<std::size_t>(n)), md5_keys());
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->get_or("src", ""), "web1");

    daemon.signal(SIGTERM);
    for (int i = 0; i < 250 && daemon.alive(); ++i) ::usleep(20000);
    const int status = daemon.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    ::close(peer);
}

// As hamaster starts it: the bus is the media lane on fd 3. It talks without any zmq thread, and
// when the master's end closes (the master is gone) it logs that and exits 0.
TEST(HeartbeatdNetBus, OnItsLaneItTalksWithoutZmqAndStopsWhenTheMasterGoes) {
    NetDaemonProcess daemon;
    boost::asio::io_context io;
    zmq::context_t ctx(1);
    ipc::CaptureLog log;
    auto router = std::make_unique<ipc::BusRouter>(io, ctx, ipc::bus_endpoint(daemon.run_dir()), log);
    std::deque<std::pair<std::string, ipc::Message>> inbox;
    router->on_message([&](std::string_view id, ipc::Message m) { inbox.emplace_back(std::string(id), std::move(m)); });
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    ASSERT_TRUE(router->attach_lane("heartbeatd-net", pair[0]));
    // A port the kernel hands out (then frees), not 694.
    std::uint16_t port = 0;
    const int probe = udp_socket_on(0x7f000002, port);
    ASSERT_GE(probe, 0);
    ::close(probe);
    ASSERT_TRUE(daemon.start("web1", {"--udpport", std::to_string(port), "--bind", "127.0.0.2", "--ucast",
                                      "lo:127.0.0.3", "--nodes", "web1,web2"},
                             /*stdio_bus=*/false, pair[1]));
    ::close(pair[1]);

    ipc::Message query;
    query.add("t", "_stats");
    std::optional<ipc::Message> stats;
    bool beat = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((!stats || !beat) && std::chrono::steady_clock::now() < deadline) {
        if (!stats) (void)router->send("heartbeatd-net", query);
        io.run_for(100ms);
        for (auto& [id, m] : inbox) {
            EXPECT_EQ(id, "heartbeatd-net");
            if (m.type() == "_stats") stats = m;
            if (m.type() == "liveness") beat = true;
        }
        inbox.clear();
    }
    ASSERT_TRUE(stats.has_value()) << log.dump();
    EXPECT_EQ(stats->get_or("link", ""), "lo");
    EXPECT_TRUE(beat);
    EXPECT_EQ(router->counters().dropped_total(), 0u) << log.dump();
    for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", daemon.pid()))) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        EXPECT_NE(name.rfind("ZMQbg", 0), 0u) << "a zmq thread runs in the daemon: " << name;
    }

    router.reset();  // the master is gone
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {
        gone = !daemon.alive();
        if (!gone) ::usleep(20000);
    }
    ASSERT_TRUE(gone) << "heartbeatd-net kept running after its master's end of the lane closed";
    const int status = daemon.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    std::ifstream in(daemon.log_path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("the master is gone"), std::string::npos) << text;
}

}  // namespace
}  // namespace ha::net
