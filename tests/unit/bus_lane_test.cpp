// The media lane (ipc/bus.hpp, ipc/bus_lane.hpp): BusRouter::attach_lane and BusClient's lane
// constructor over a real AF_UNIX SOCK_SEQPACKET socketpair, and the raw datagrams a misbehaving
// child could write to it.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/codec.hpp"
#include "tests/unit/bus_test_util.hpp"
#include "tests/unit/ipc_test_util.hpp"

using namespace ha::ipc;
using ha::ipc::testing::msg;
using ha::ipc::testing::Received;
using ha::ipc::testing::run_until;
using ha::ipc::testing::TempDir;

namespace {

constexpr const char* kNet = "heartbeatd-net";

// One socketpair: [0] for the router, [1] for the child (a BusClient or raw writes).
struct Pair {
    Pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fd), 0); }
    ~Pair() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    int take(int i) { return std::exchange(fd[i], -1); }
    int fd[2] = {-1, -1};
};

// A raw datagram, as a child that does not use BusClient could write it.
void raw_send(int fd, std::string_view bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT), static_cast<ssize_t>(bytes.size()))
        << std::strerror(errno);
}

// Room for a datagram of `bytes` in `fd`'s send buffer; false without CAP_NET_ADMIN past wmem_max.
bool room_for(int fd, std::size_t bytes) {
    int want = static_cast<int>(2 * bytes);
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0)
        (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
    int got = 0;
    socklen_t len = sizeof got;
    ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &len);
    return static_cast<std::size_t>(got) > bytes + 64;
}

// A message whose encoded form is exactly `size` bytes.
Message message_of_size(std::size_t size) {
    auto with = [](std::size_t n) {
        Message m = msg("big");
        m.add("x", std::string(n, 'a'));
        return m;
    };
    std::size_t n = size - encode_netstring(with(0)).size();
    while (encode_netstring(with(n)).size() > size) --n;  // the length's own digits
    return with(n);
}

struct Fixture {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router{io, ctx, bus_endpoint(dir.path()), log};
    std::vector<Received> at_router;
    Fixture() {
        router.on_message([this](std::string_view id, Message m) { at_router.push_back({std::string(id), std::move(m)}); });
    }
    // `impostor` (on zmq, named like a media daemon) and rscd each send one message: only rscd's
    // arrives, the impostor's is counted `lane_identity`.
    ::testing::AssertionResult only_rscd_gets_through(BusClient& impostor, BusClient& rscd) {
        if (!impostor.send(msg("status")) || !rscd.send(msg("hello")))
            return ::testing::AssertionFailure() << "send failed";
        if (!run_until(io, [&] { return router.counters().dropped_for("lane_identity") == 1 && at_router.size() == 1; }))
            return ::testing::AssertionFailure() << log.dump();
        if (at_router[0].identity != "rscd") return ::testing::AssertionFailure() << "from " << at_router[0].identity;
        return ::testing::AssertionSuccess();
    }
};

}  // namespace

TEST(BusLane, RoundTripBothWaysWithTheLanesIdentity) {
    Fixture f;
    Pair pair;
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    BusClient client(f.io, pair.take(1), kNet, f.log);
    EXPECT_TRUE(client.on_lane());
    std::vector<Message> at_client;
    client.on_message([&](Message m) { at_client.push_back(std::move(m)); });
    f.router.on_message([&](std::string_view id, Message m) {
        f.at_router.push_back({std::string(id), m});
        EXPECT_TRUE(f.router.send(id, msg("reply", m.get_or("n", ""))));
    });

    ASSERT_TRUE(client.send(msg("hello", "1")));
    ASSERT_TRUE(client.send(msg("hello", "2")));
    ASSERT_TRUE(run_until(f.io, [&] { return at_client.size() == 2; })) << f.log.dump();
    ASSERT_EQ(f.at_router.size(), 2u);
    EXPECT_EQ(f.at_router[0].identity, kNet);
    EXPECT_EQ(f.at_router[0].message, msg("hello", "1"));
    EXPECT_EQ(f.at_router[1].message, msg("hello", "2"));
    EXPECT_EQ(at_client[0], msg("reply", "1"));
    EXPECT_EQ(at_client[1], msg("reply", "2"));
    EXPECT_EQ(f.router.counters().received, 2u);
    EXPECT_EQ(f.router.counters().sent, 2u);
    EXPECT_EQ(client.counters().received, 2u);
    EXPECT_EQ(client.counters().sent, 2u);
    EXPECT_EQ(f.router.counters().dropped_total() + f.router.counters().send_failed.size(), 0u) << f.log.dump();
}

// What the child wrote before the master's loop ever ran is all read, synchronously, by
// read_pending() (no I/O thread between the kernel and us); from inside the handler it reads nothing.
TEST(BusLane, RouterReadPendingReadsEverythingTheKernelHoldsWithoutTheLoop) {
    Fixture f;
    Pair pair;
    if (!room_for(pair.fd[1], 1 << 20)) GTEST_SKIP() << "needs CAP_NET_ADMIN for a send buffer over wmem_max";
    for (int i = 0; i < 300; ++i) raw_send(pair.fd[1], encode_netstring(msg("status", std::to_string(i))));
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    bool nested = true;
    f.router.on_message([&](std::string_view id, Message m) {
        f.at_router.push_back({std::string(id), std::move(m)});
        nested = f.router.read_pending();
    });
    EXPECT_TRUE(f.router.read_pending());
    ASSERT_EQ(f.at_router.size(), 300u) << "more than one drain batch, all of it, now";
    for (int i = 0; i < 300; ++i) EXPECT_EQ(f.at_router[static_cast<std::size_t>(i)].message.get_or("n", ""), std::to_string(i));
    EXPECT_EQ(f.at_router[0].identity, kNet);
    EXPECT_FALSE(nested) << "read_pending from inside the handler must not re-enter";
}

TEST(BusLane, OversizedDatagramIsDroppedAsTooBigAndTheLaneGoesOn) {
    Fixture f;
    Pair pair;
    if (!room_for(pair.fd[1], kMaxMessageBytes + 1)) GTEST_SKIP() << "needs CAP_NET_ADMIN for a send buffer over wmem_max";
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    raw_send(pair.fd[1], std::string(kMaxMessageBytes + 1, 'x'));
    raw_send(pair.fd[1], encode_netstring(msg("after")));
    ASSERT_TRUE(run_until(f.io, [&] { return !f.at_router.empty(); })) << f.log.dump();
    EXPECT_EQ(f.at_router[0].message.type(), "after");
    EXPECT_EQ(f.router.counters().dropped_for("too_big"), 1u);
    EXPECT_EQ(f.router.counters().dropped_total(), 1u);
    EXPECT_EQ(f.log.count(LogLevel::warn, "bus: dropped message from heartbeatd-net"), 1) << f.log.dump();
}

TEST(BusLane, GarbageAndEmptyDatagramsAreDroppedAndCounted) {
    Fixture f;
    Pair pair;
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    raw_send(pair.fd[1], "this is not a message");
    raw_send(pair.fd[1], "");  // an empty datagram is not the end of the lane
    raw_send(pair.fd[1], "###\ngarbage");
    raw_send(pair.fd[1], encode_netstring(msg("after")));
    ASSERT_TRUE(run_until(f.io, [&] { return !f.at_router.empty(); })) << f.log.dump();
    EXPECT_EQ(f.at_router.size(), 1u);
    EXPECT_EQ(f.at_router[0].message.type(), "after");
    const auto& c = f.router.counters();
    EXPECT_EQ(c.dropped_total(), 3u) << f.log.dump();
    EXPECT_EQ(c.dropped_for("empty"), 1u);
    EXPECT_EQ(c.dropped_for("bad_framing") + c.dropped_for("truncated") + c.dropped_for("bad_length"), 2u);
    EXPECT_GE(f.log.count(LogLevel::warn, "bus: dropped message from heartbeatd-net"), 1);
    EXPECT_TRUE(f.router.send(kNet, msg("still", "there")));
}

TEST(BusLane, AMessageOfExactlyTheLimitPassesBothWays) {
    Fixture f;
    Pair pair;
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    BusClient client(f.io, pair.take(1), kNet, f.log);
    std::vector<Message> at_client;
    client.on_message([&](Message m) { at_client.push_back(std::move(m)); });
    const Message big = message_of_size(kMaxMessageBytes);
    ASSERT_EQ(encode_netstring(big).size(), kMaxMessageBytes);
    ASSERT_TRUE(client.send(big)) << f.log.dump();
    ASSERT_TRUE(f.router.send(kNet, big)) << f.log.dump();
    ASSERT_TRUE(run_until(f.io, [&] { return f.at_router.size() == 1 && at_client.size() == 1; })) << f.log.dump();
    EXPECT_EQ(f.at_router[0].message, big);
    EXPECT_EQ(at_client[0], big);
    // One byte more is refused at the sender, before the lane.
    EXPECT_FALSE(client.send(message_of_size(kMaxMessageBytes + 1)));
    EXPECT_EQ(client.counters().send_failed_for("too_big"), 1u);
}

TEST(BusLane, ChildEndClosedDetachesTheLane) {
    Fixture f;
    Pair pair;
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    ASSERT_TRUE(f.router.send(kNet, msg("status")));
    raw_send(pair.fd[1], encode_netstring(msg("last")));
    ::close(pair.take(1));  // the child exits
    ASSERT_TRUE(run_until(f.io, [&] { return f.log.count("bus: lane of heartbeatd-net closed") > 0; })) << f.log.dump();
    ASSERT_EQ(f.at_router.size(), 1u) << "what it sent before it went is read first";
    EXPECT_EQ(f.log.count(LogLevel::info, "bus: lane of heartbeatd-net closed"), 1);
    EXPECT_FALSE(f.router.send(kNet, msg("status")));
    EXPECT_EQ(f.router.counters().send_failed_for("unknown_peer"), 1u);
    EXPECT_TRUE(f.router.read_pending());
}

TEST(BusLane, ClientOnClosedRunsWhenTheMastersEndCloses) {
    boost::asio::io_context io;
    CaptureLog log;
    Pair pair;
    BusClient client(io, pair.take(1), kNet, log);
    int closed = 0;
    client.on_closed([&] { ++closed; });
    ::close(pair.take(0));  // the master is gone
    ASSERT_TRUE(run_until(io, [&] { return closed > 0; })) << log.dump();
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
    EXPECT_EQ(closed, 1);
    EXPECT_FALSE(client.send(msg("liveness")));
    EXPECT_EQ(client.counters().send_failed_for("closed"), 1u);
}

// A respawned child brings a new socketpair: the old lane is closed and replaced.
TEST(BusLane, AttachingAgainReplacesTheOldLane) {
    Fixture f;
    Pair first, second;
    ASSERT_TRUE(f.router.attach_lane(kNet, first.take(0)));
    BusClient old_client(f.io, first.take(1), kNet, f.log);
    bool old_closed = false;
    old_client.on_closed([&] { old_closed = true; });
    ASSERT_TRUE(old_client.send(msg("last", "words")));
    ASSERT_TRUE(f.router.attach_lane(kNet, second.take(0)));
    ASSERT_EQ(f.at_router.size(), 1u) << "what the old lane held is read before it is replaced";
    EXPECT_EQ(f.at_router[0].message.type(), "last");
    EXPECT_EQ(f.log.count(LogLevel::info, "bus: lane of heartbeatd-net closed (a new one replaces it)"), 1) << f.log.dump();
    BusClient new_client(f.io, second.take(1), kNet, f.log);
    std::vector<Message> at_new;
    new_client.on_message([&](Message m) { at_new.push_back(std::move(m)); });
    ASSERT_TRUE(f.router.send(kNet, msg("status")));
    ASSERT_TRUE(run_until(f.io, [&] { return old_closed && at_new.size() == 1; })) << f.log.dump();
    ASSERT_TRUE(new_client.send(msg("hello")));
    ASSERT_TRUE(run_until(f.io, [&] { return f.at_router.size() == 2; }));
    EXPECT_FALSE(f.router.attach_lane(kNet, ::dup(STDERR_FILENO))) << "not a SOCK_SEQPACKET socket";
}

// A reserved name is refused on zmq before its first lane exists (the child's start failed).
TEST(BusLane, AReservedNameIsRefusedOnZmqBeforeItsFirstLane) {
    Fixture f;
    f.router.reserve_lane(kNet);
    BusClient impostor(f.io, f.ctx, bus_endpoint(f.dir.path()), kNet, f.log);
    BusClient rscd(f.io, f.ctx, bus_endpoint(f.dir.path()), "rscd", f.log);
    ASSERT_TRUE(f.only_rscd_gets_through(impostor, rscd));
    EXPECT_FALSE(f.router.send(kNet, msg("status"))) << "no lane yet, and never zmq for a reserved name";
}

// An impostor on the ipc:// socket cannot speak for a child that has a lane.
TEST(BusLane, ZmqMessageClaimingALanedIdentityIsRefused) {
    Fixture f;
    Pair pair;
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    BusClient impostor(f.io, f.ctx, bus_endpoint(f.dir.path()), kNet, f.log);
    BusClient rscd(f.io, f.ctx, bus_endpoint(f.dir.path()), "rscd", f.log);
    ASSERT_TRUE(f.only_rscd_gets_through(impostor, rscd));
    EXPECT_GE(f.log.count(LogLevel::warn, "dropped message from heartbeatd-net"), 1);
    // The router does not answer the impostor on zmq either.
    std::vector<Message> at_impostor;
    impostor.on_message([&](Message m) { at_impostor.push_back(std::move(m)); });
    ASSERT_TRUE(f.router.send(kNet, msg("status")));  // goes on the lane
    f.io.restart();
    f.io.run_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(at_impostor.empty());
}

// A child that never reads: send() never blocks, queues up to kBusHighWaterMark, then fails
// "would_block"; once the child reads, every accepted message arrives, in order.
TEST(BusLane, AReaderThatNeverReadsNeverBlocksTheSender) {
    Fixture f;
    Pair pair;
    const int router_fd = pair.fd[0];
    ASSERT_TRUE(f.router.attach_lane(kNet, pair.take(0)));
    int small = 4096;  // a few datagrams fill it
    ASSERT_EQ(::setsockopt(router_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    int accepted = 0;
    const int tries = kBusHighWaterMark + 500;
    for (int i = 0; i < tries; ++i)
        if (f.router.send(kNet, msg("status", std::to_string(i)))) ++accepted;
    EXPECT_GE(accepted, kBusHighWaterMark);
    EXPECT_LT(accepted, tries);
    EXPECT_EQ(f.router.counters().send_failed_for("would_block"), static_cast<std::uint64_t>(tries - accepted));
    EXPECT_GE(f.log.count(LogLevel::warn, "send queue full"), 1);

    BusClient child(f.io, pair.take(1), kNet, f.log);
    std::vector<std::string> got;
    child.on_message([&](Message m) { got.push_back(m.get_or("n", "")); });
    ASSERT_TRUE(run_until(f.io, [&] { return got.size() == static_cast<std::size_t>(accepted); })) << f.log.dump();
    for (int i = 0; i < accepted; ++i) ASSERT_EQ(got[static_cast<std::size_t>(i)], std::to_string(i));
    EXPECT_TRUE(f.router.send(kNet, msg("status", "again")));
    ASSERT_TRUE(run_until(f.io, [&] { return got.size() == static_cast<std::size_t>(accepted) + 1; }));
}

TEST(BusLane, CheckLaneFdTellsWhatAnFdIs) {
    Pair pair;
    EXPECT_TRUE(check_lane_fd(pair.fd[0]));
    EXPECT_EQ(check_lane_fd(STDERR_FILENO).error().code, "bad_lane");
    EXPECT_EQ(check_lane_fd(1000).error().code, "bad_lane");
    int dgram[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, dgram), 0);
    EXPECT_FALSE(check_lane_fd(dgram[0]));
    ::close(dgram[0]);
    ::close(dgram[1]);
}
