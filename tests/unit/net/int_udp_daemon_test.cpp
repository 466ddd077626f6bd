// Integration: the real heartbeatd-net binary on loopback (127.0.0.2 ↔ 127.0.0.3), driven through
// its stdio test bus. Only 127.0.0.0/8 is used; ports come from the kernel.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ipc/media/drop_reason.hpp"
#include "ipc/auth.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/counters_segment.hpp"
#include "net_daemon_process.hpp"
#include "media/media_test_util.hpp"

namespace ha::net {
namespace {

using namespace std::chrono_literals;
using media::testing::cluster_message;
using media::testing::md5_keys;
using testing::NetDaemonProcess;
using media::testing::signed_wire;
using media::testing::status_wire;

// The peer "web2" on 127.0.0.3: a plain UDP socket bound to an ephemeral port, which is also the
// udpport of the test (the daemon on 127.0.0.2 sends there).
class PeerSocket {
public:
    PeerSocket() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(0x7f000003);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
        socklen_t len = sizeof(a);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        timeval tv{0, 100000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    ~PeerSocket() { ::close(fd_); }
    std::uint16_t port() const { return port_; }

    void send(std::string_view bytes) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(0x7f000002);
        to.sin_port = htons(port_);
        ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    }
    // One datagram, or nullopt after `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string buf(70000, '\0');
        while (std::chrono::steady_clock::now() < deadline) {
            const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n >= 0) return buf.substr(0, static_cast<std::size_t>(n));
        }
        return std::nullopt;
    }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

class HeartbeatdNet : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(daemon_.start("web1", {"--udpport", std::to_string(peer_.port()), "--bind", "127.0.0.2", "--ucast",
                                           "lo:127.0.0.3", "--nodes", "web1,web2", "-v"}));
        // Ready once it answers on the bus.
        ASSERT_TRUE(daemon_.stats("lo").has_value()) << log();
    }
    std::string log() {
        std::ifstream in(daemon_.log_path());
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    // Log lines go through the daemon's writer thread, so a line may reach the file a moment after
    // the bus message that followed it: wait for it rather than read once.
    bool log_has(std::string_view text, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (log().find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            ::usleep(10000);
        }
        return true;
    }
    std::uint64_t counter(const ipc::Message& stats, std::string_view name) {
        return std::stoull(stats.get_or(name, "0"));
    }
    bool forwarded(std::string_view seq) {
        return daemon_.wait_for([&](const ipc::Message& m) { return m.type() == "status" && m.get_or("seq", "") == seq; }, 5s)
            .has_value();
    }

    ipc::AuthKeys keys_ = md5_keys();
    PeerSocket peer_;
    NetDaemonProcess daemon_;
};

TEST_F(HeartbeatdNet, ForwardsAuthenticStatusTaggedWithLinkAndSource) {
    peer_.send(status_wire("web2", "1", "5", keys_));
    auto m = daemon_.wait_for([](const ipc::Message& x) { return x.type() == "status"; });
    ASSERT_TRUE(m.has_value()) << log();
    EXPECT_EQ(m->get_or("src", ""), "web2");
    EXPECT_EQ(m->get_or("_link", ""), "lo");
    EXPECT_EQ(m->get_or("_from", ""), "127.0.0.3:" + std::to_string(peer_.port()));
    EXPECT_FALSE(m->has("auth"));
}

TEST_F(HeartbeatdNet, SignsAndSendsWhatTheMasterGivesIt) {
    ipc::Message out = cluster_message("status", "web1", "7", "3");
    out.add("_link", "lo");
    daemon_.write(out);
    auto wire = peer_.receive(5s);
    ASSERT_TRUE(wire.has_value()) << log();
    auto decoded = ipc::verify_and_decode(*wire, keys_);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, cluster_message("status", "web1", "7", "3"));
    auto stats = daemon_.stats("lo");
    ASSERT_TRUE(stats);
    EXPECT_EQ(counter(*stats, "tx"), 1u);
}

TEST_F(HeartbeatdNet, DropsAndCountsForgedReplayedGarbledOversizedOwnAndEmpty) {
    const std::string valid = status_wire("web2", "10", "5", keys_);
    peer_.send(valid);
    ASSERT_TRUE(forwarded("10")) << log();

    peer_.send(status_wire("web2", "11", "5", md5_keys(1, "forged")));  // bad_auth
    peer_.send(valid);                                                 // duplicate
    peer_.send(status_wire("web2", "12", "4", keys_));                 // replay (old generation)
    std::string garbled = status_wire("web2", "13", "5", keys_);
    garbled[garbled.size() / 2] ^= 0x20;
    peer_.send(garbled);                                               // bad_auth or bad_framing
    peer_.send(valid.substr(0, valid.size() - 20));                    // truncated: bad_framing
    peer_.send(std::string(65000, 'x'));                               // 65 KB garbage: bad_framing
    peer_.send(status_wire("web1", "1", "5", keys_));                  // own
    peer_.send("");                                                    // empty
    peer_.send(status_wire("web3", "1", "5", keys_));                  // unknown_node
    peer_.send(status_wire("web2", "14", "5", keys_));                 // valid: marks the end
    ASSERT_TRUE(forwarded("14")) << log();

    auto stats = daemon_.stats("lo");
    ASSERT_TRUE(stats.has_value());
    EXPECT_EQ(counter(*stats, "rx"), 11u);
    EXPECT_EQ(counter(*stats, "forwarded"), 2u);
    EXPECT_EQ(counter(*stats, "drop_duplicate"), 1u);
    EXPECT_EQ(counter(*stats, "drop_replay"), 1u);
    EXPECT_EQ(counter(*stats, "drop_own"), 1u);
    EXPECT_EQ(counter(*stats, "drop_empty"), 1u);
    EXPECT_EQ(counter(*stats, "drop_unknown_node"), 1u);
    EXPECT_EQ(counter(*stats, "drop_bad_auth") + counter(*stats, "drop_bad_framing"), 4u);
    EXPECT_GE(counter(*stats, "drop_bad_auth"), 1u);
    EXPECT_GE(counter(*stats, "drop_bad_framing"), 2u);
    EXPECT_TRUE(log_has("dropped packet from 127.0.0.3 via lo: bad_auth: ")) << log();
}

TEST_F(HeartbeatdNet, SurvivesAGarbageFloodAndStillForwards) {
    const std::string junk(200, 'j');
    for (int i = 0; i < 100000; ++i) peer_.send(junk);
    // The kernel may drop part of the flood (and a datagram right after it) when the socket buffer
    // is full, so the valid heartbeat is repeated with fresh seqs until one is forwarded.
    bool got = false;
    for (int seq = 1; seq <= 50 && !got; ++seq) {
        peer_.send(status_wire("web2", fmt::format("{:x}", seq), "5", keys_));
        got = daemon_.wait_for([](const ipc::Message& m) { return m.type() == "status"; }, 200ms).has_value();
    }
    EXPECT_TRUE(got) << log();
    EXPECT_TRUE(daemon_.alive());
    auto stats = daemon_.stats("lo");
    ASSERT_TRUE(stats.has_value());
    EXPECT_GT(counter(*stats, "drop_bad_framing"), 1000u);
    EXPECT_EQ(counter(*stats, "rx"), counter(*stats, "forwarded") + counter(*stats, "drop_bad_framing") +
                                         counter(*stats, "drop_duplicate"));
    // Rate-limited: a handful of lines, not one per datagram.
    std::size_t lines = 0;
    const std::string text = log();
    for (std::size_t p = 0; (p = text.find("bad_framing", p)) != std::string::npos; ++p) ++lines;
    EXPECT_LT(lines, 20u);
}

TEST_F(HeartbeatdNet, RereadsAuthkeysOnSighupAndStopsCleanlyOnSigterm) {
    {
        std::ofstream(daemon_.dir() + "/authkeys") << "auth 2\n2 sha1 rotated\n";
    }
    daemon_.signal(SIGHUP);
    ipc::AuthKeys rotated;
    rotated.active = 2;
    rotated.keys[2] = ipc::AuthKey{ipc::AuthMethod::sha1, "rotated"};
    bool got = false;
    for (int seq = 1; seq <= 50 && !got; ++seq) {  // until the daemon has re-read the file
        peer_.send(status_wire("web2", fmt::format("{:x}", seq), "5", rotated));
        got = daemon_.wait_for([](const ipc::Message& m) { return m.type() == "status"; }, 100ms).has_value();
    }
    EXPECT_TRUE(got) << log();
    EXPECT_TRUE(log_has("authkeys re-read: signing with key 2")) << log();

    daemon_.signal(SIGTERM);
    for (int i = 0; i < 250 && daemon_.alive(); ++i) ::usleep(20000);
    const int status = daemon_.stop();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The master reads `sent` and the drops from the daemon's counters segment, not from `_stats`: the
// segment follows every datagram sent and received, and says what `_stats` says.
TEST_F(HeartbeatdNet, PublishesItsCountersInItsSegmentAsTheyChange) {
    const std::string path = ipc::counters_segment_path(daemon_.run_dir(), "heartbeatd-net");
    auto reader = ipc::CountersReader::open(path);
    ASSERT_TRUE(reader) << reader.error().message << log();
    auto link = [&]() -> ipc::bus::MediaStats {
        auto got = reader->read();
        if (!got || got->size() != 1) return {};
        return got->front();
    };
    EXPECT_EQ(link().link, "lo");
    EXPECT_EQ(link().tx, 0u);
    EXPECT_EQ(link().rx, 0u);

    for (int i = 1; i <= 3; ++i) {
        daemon_.write(cluster_message("status", "web1", std::to_string(i), "3"));
        ASSERT_TRUE(peer_.receive(5s).has_value()) << log();
    }
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (link().tx < 3 && std::chrono::steady_clock::now() < deadline) ::usleep(1000);
    EXPECT_EQ(link().tx, 3u);

    const std::string valid = status_wire("web2", "10", "5", keys_);
    peer_.send(valid);
    peer_.send(valid);  // duplicate
    peer_.send(status_wire("web2", "11", "5", keys_));
    ASSERT_TRUE(forwarded("11")) << log();
    // Published before the datagram went up: what the master reads after it is already counted.
    const auto now = link();
    EXPECT_EQ(now.rx, 3u);
    EXPECT_EQ(now.forwarded, 2u);
    EXPECT_EQ(now.tx, 3u);
    EXPECT_EQ(now.tx_errors, 0u);
    auto stats = daemon_.stats("lo");
    ASSERT_TRUE(stats);
    EXPECT_EQ(now.encode(), ipc::bus::MediaStats::decode(*stats).value().encode()) << "the segment and `_stats` differ";
    for (const auto& [reason, n] : now.drops) EXPECT_EQ(n, reason == "duplicate" ? 1u : 0u) << reason;

    // Gone once the daemon stopped.
    daemon_.signal(SIGTERM);
    for (int i = 0; i < 250 && daemon_.alive(); ++i) ::usleep(20000);
    daemon_.stop();
    EXPECT_FALSE(std::filesystem::exists(path)) << "counters segment left behind";
}

TEST(HeartbeatdNetStart, ExitsWithConfigErrorWithoutMediumOrAuthkeys) {
    NetDaemonProcess no_medium;
    ASSERT_TRUE(no_medium.start("web1", {"--nodes", "web1,web2"}));
    int status = 0;
    for (int i = 0; i < 250 && no_medium.alive(); ++i) ::usleep(20000);
    status = no_medium.stop();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 78);

    NetDaemonProcess no_keys("");
    std::filesystem::remove(no_keys.dir() + "/authkeys");
    ASSERT_TRUE(no_keys.start("web1", {"--nodes", "web1,web2", "--ucast", "lo:127.0.0.3", "--bind", "127.0.0.2",
                                       "--udpport", "1"}));
    for (int i = 0; i < 250 && no_keys.alive(); ++i) ::usleep(20000);
    status = no_keys.stop();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 78);
}

}  // namespace
}  // namespace ha::net
