// sec (issue 20, High): recorded datagrams replayed after the peer died must not keep it alive.
//
// Two real nodes on loopback with ipfaild pinging 127.0.0.1. The test records, with a packet
// socket on `lo` inside its private network namespace, what a LAN observer sees: a real
// NS_ackmsg that web1's hamaster sent to web2, and a real ICMP echo payload of an ipfaild. It adds
// the payload Heartbeat 3.0.6's ping (and ipfaild before the fix) puts into every echo: a signed
// `t=NS_st st=ping src=web1` (made here with the cluster key, as a capture of such a node would
// hold it). Then web1 is killed and all three are replayed to web2's udpport every 50 ms, from
// web1's address, for much longer than the deadtime. web2 must declare web1 dead while the
// replay still runs (before the fix it stayed `active` for as long as the replay lasted), and
// web2's heartbeatd-net must have dropped and logged the replays.
// A second test (Medium 1) sends web1's recorded status re-signed with a crc key that authkeys
// lists beside the active sha1 one, with a huge seq: dropped and counted, and web1's real
// heartbeats keep flowing (before the fix they all became "replays" and web1 was declared dead).
//
// Network safety: loopback only, inside the test's own network namespace (REQUIRE_NETNS).
// Deadlines only: "on time" means "while the replay is still running", not a measured duration.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <utility>

#include "ipc/auth.hpp"
#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

// What a sniffer on `lo` recorded.
struct Recording {
    std::string ns_ackmsg;  // UDP payload from 127.0.0.2 to the udpport, t=NS_ackmsg
    std::string status;     // UDP payload from 127.0.0.2 to the udpport, t=status
    std::string ping;       // ICMP echo request payload
    bool complete() const { return !ns_ackmsg.empty() && !status.empty() && !ping.empty(); }
};

// Reads IPv4 packets from a packet socket on lo until all are recorded or the deadline passes.
// `want_ping`: false when no ipfaild runs (then `ping` stays empty and is not waited for).
bool record(int port, Recording& out, std::chrono::milliseconds deadline, bool want_ping = true) {
    const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
    if (fd < 0) return false;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_IP);
    sll.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0) {
        ::close(fd);
        return false;
    }
    if (!want_ping) out.ping = "-";
    const auto end = Clock::now() + deadline;
    char buf[65536];
    while (!out.complete() && Clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        sockaddr_ll from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 28 || from.sll_pkttype == PACKET_OUTGOING) continue;  // lo shows each packet twice
        const std::string_view ip(buf, static_cast<std::size_t>(n));
        const std::size_t ihl = (static_cast<unsigned char>(ip[0]) & 0x0f) * 4u;
        if (ip.size() < ihl + 8) continue;
        const std::string_view l4 = ip.substr(ihl);
        const bool from_web1 = static_cast<unsigned char>(ip[12]) == 127 && ip[13] == 0 && ip[14] == 0 && ip[15] == 2;
        if (ip[9] == IPPROTO_UDP && from_web1) {
            const int dport = (static_cast<unsigned char>(l4[2]) << 8) | static_cast<unsigned char>(l4[3]);
            const std::string_view payload = l4.substr(8);
            if (dport != port) continue;
            if (out.ns_ackmsg.empty() && payload.find("(0)t=NS_ackmsg,") != std::string_view::npos) out.ns_ackmsg = payload;
            if (out.status.empty() && payload.find("(0)t=status,") != std::string_view::npos) out.status = payload;
        } else if (ip[9] == IPPROTO_ICMP && l4[0] == 8 && out.ping.empty()) {
            out.ping = l4.substr(8);
        }
    }
    ::close(fd);
    if (!want_ping) out.ping.clear();
    return !out.ns_ackmsg.empty() && !out.status.empty() && (!want_ping || !out.ping.empty());
}

ipc::AuthKeys fixture_sha1_key() {
    ipc::AuthKeys keys;
    keys.active = 1;
    keys.keys[1] = ipc::AuthKey{ipc::AuthMethod::sha1, "integration-test-secret"};  // the fixture's authkeys
    return keys;
}

// Heartbeat's ping payload (and ipfaild's before issue 20): signed, names the node, no seq, no hg.
std::string heartbeat_style_ping_payload() {
    const ipc::AuthKeys keys = fixture_sha1_key();
    ipc::Message m;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    m.add("t", "NS_st").add("st", "ping").add("src", "web1").add("ts", fmt::format("{:x}", now.count())).add("nonce", "5eed0001");
    return ipc::sign_netstring(m, keys);
}

TEST_F(TwoNodes, SecReplayedPingPayloadAndNsAckmsgDoNotKeepADeadPeerAlive) {
    REQUIRE_NETNS();
    c().config().extra_lines = {"ping 127.0.0.1", "respawn nobody /usr/lib/heartbeat/ipfail"};
    ASSERT_TRUE(start_both_active());

    Recording rec;
    ASSERT_TRUE(record(port(), rec, 30s)) << "recorded NS_ackmsg: " << !rec.ns_ackmsg.empty()
                                          << ", ping payload: " << !rec.ping.empty() << c().dump();
    EXPECT_EQ(rec.ping.rfind("hamaster-ping ", 0), 0u) << "ipfaild's payload is no cluster message";
    const std::string forged_style = heartbeat_style_ping_payload();

    // Replay from web1's address once web1 is gone, every 50 ms, for 15 × deadtime.
    const int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(tx, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port()));
    dst.sin_addr.s_addr = htonl(0x7f000003);

    LogTail web2_log(c().log_path("web2"));
    kill_node("web1", SIGKILL);
    ASSERT_EQ(::bind(tx, reinterpret_cast<sockaddr*>(&src), sizeof src), 0) << "web1's address is free once it is gone";
    std::atomic<bool> replaying{true};
    std::atomic<int> sent{0};
    std::thread replay([&] {
        const auto end = Clock::now() + std::chrono::milliseconds(15 * kDeadtimeMs);
        while (Clock::now() < end) {
            for (const std::string* p : {&std::as_const(rec.ns_ackmsg), &std::as_const(rec.ping), &forged_style}) {
                if (::sendto(tx, p->data(), p->size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) > 0) ++sent;
            }
            std::this_thread::sleep_for(50ms);
        }
        replaying = false;
    });
    const auto dead_at = web2_log.wait_for("node web1: is dead", std::chrono::milliseconds(15 * kDeadtimeMs));
    const bool during_replay = replaying.load();
    replay.join();
    ::close(tx);

    ASSERT_TRUE(dead_at.has_value()) << "web1 was never declared dead while its datagrams were replayed" << c().dump();
    EXPECT_TRUE(during_replay) << "declared dead only after the replay stopped" << c().dump();
    EXPECT_GT(sent.load(), 30);
    EXPECT_EQ(c().nodestatus("web2", "web1"), "dead");
    // The media daemon said why: the old-style ping payload is a local-only type, the NS_ackmsg is
    // stale once web1's clock (as its last status showed it) is past, our own payload no message.
    const std::string net_log = c().log("web2", "heartbeatd-net.log");
    EXPECT_GE(count_in_file(c().log_path("web2", "heartbeatd-net.log"), "not_wire: t=NS_st src=web1"), 1) << net_log;
    EXPECT_GE(count_in_file(c().log_path("web2", "heartbeatd-net.log"), "stale: t=NS_ackmsg src=web1"), 1) << net_log;
    EXPECT_GE(count_in_file(c().log_path("web2", "heartbeatd-net.log"), ": bad_framing: "), 1) << net_log;
    // web2 took over once, as for any death.
    EXPECT_EQ(log_count("web2", "hamaster.log", "node web1: is dead"), 1) << c().dump();
}

// sec (issue 20, Medium 1): authkeys lists `2 crc` beside the active sha1 key. A packet "signed"
// with crc — anyone can compute that — claiming to be web1 with a huge seq must not make web1's
// real heartbeats look like replays (before the fix web2 accepted it, then dropped every real one
// and declared web1 dead while it was talking).
TEST_F(TwoNodes, SecForgedCrcPacketWithAHugeSeqDoesNotPoisonTheRealPeer) {
    REQUIRE_NETNS();
    c().config().authkeys = "auth 1\n1 sha1 integration-test-secret\n2 crc\n";
    ASSERT_TRUE(start_both_active());
    Recording rec;
    ASSERT_TRUE(record(port(), rec, 30s, false)) << c().dump();

    // web1's real status, with its seq pushed far ahead and re-signed with the crc key.
    auto real = ipc::verify_and_decode(rec.status, fixture_sha1_key());
    ASSERT_TRUE(real) << real.error().message;
    ipc::Message forged = *real;
    forged.remove("seq");
    forged.add("seq", "fffffffffff0");
    ipc::AuthKeys crc;
    crc.active = 2;
    crc.keys[2] = ipc::AuthKey{ipc::AuthMethod::crc, ""};
    const std::string wire = ipc::sign_netstring(forged, crc);

    const int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(tx, 0);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(port()));
    dst.sin_addr.s_addr = htonl(0x7f000003);
    for (int i = 0; i < 5; ++i)
        ASSERT_GT(::sendto(tx, wire.data(), wire.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst), 0);
    ::close(tx);

    // Counted and logged as a key that is listed but not accepted...
    const std::string net_log = c().log_path("web2", "heartbeatd-net.log");
    EXPECT_TRUE(wait_until([&] { return count_in_file(net_log, "key index 2 is listed in authkeys but not accepted") >= 1; }, 10s))
        << read_file(net_log);
    // ...and web1's real heartbeats go on being accepted: for 5 × deadtime web2 never declares it dead.
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * kDeadtimeMs));
    EXPECT_EQ(log_count("web2", "hamaster.log", "node web1: is dead"), 0) << c().dump();
    EXPECT_EQ(c().nodestatus("web2", "web1"), "active") << c().dump();
    EXPECT_EQ(count_in_file(net_log, "replay"), 0) << read_file(net_log);
}

}  // namespace
}  // namespace ha::it
