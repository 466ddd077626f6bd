// Bus, ControlServer and control_request over real zmq ipc:// sockets in a temp dir.
#include "ipc/bus.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "ipc/codec.hpp"
#include "tests/unit/bus_test_util.hpp"
#include "tests/unit/ipc_test_util.hpp"

using namespace ha::ipc;
using ha::ipc::testing::msg;
using ha::ipc::testing::Received;
using ha::ipc::testing::run_until;
using ha::ipc::testing::TempDir;
using namespace std::chrono_literals;

namespace {

// A raw zmq DEALER that bypasses BusClient, to send what BusClient never would.
struct RawPeer {
    RawPeer(zmq::context_t& ctx, const std::string& endpoint, std::string_view name) : socket(ctx, zmq::socket_type::dealer) {
        socket.set(zmq::sockopt::linger, 0);
        socket.set(zmq::sockopt::routing_id, zmq::buffer(name));
        socket.connect(endpoint);
    }
    zmq::socket_t socket;
};

}  // namespace

TEST(BusRouter, RoundTripWithTwoClients) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    BusClient alpha(io, ctx, bus_endpoint(dir.path()), "alpha", log);
    BusClient beta(io, ctx, bus_endpoint(dir.path()), "beta", log);

    std::vector<Received> at_router;
    router.on_message([&](std::string_view id, Message m) {
        at_router.push_back({std::string(id), m});
        Message reply = msg("reply", m.get_or("n", ""));
        EXPECT_TRUE(router.send(id, reply));
    });
    std::vector<Message> at_alpha, at_beta;
    alpha.on_message([&](Message m) { at_alpha.push_back(std::move(m)); });
    beta.on_message([&](Message m) { at_beta.push_back(std::move(m)); });

    ASSERT_TRUE(alpha.send(msg("hello", "a1")));
    ASSERT_TRUE(beta.send(msg("hello", "b1")));
    ASSERT_TRUE(run_until(io, [&] { return at_alpha.size() == 1 && at_beta.size() == 1; })) << log.dump();

    ASSERT_EQ(at_router.size(), 2u);
    std::map<std::string, std::string> by_id;
    for (const auto& r : at_router) by_id[r.identity] = r.message.get_or("n", "");
    EXPECT_EQ(by_id["alpha"], "a1");
    EXPECT_EQ(by_id["beta"], "b1");
    EXPECT_EQ(at_alpha[0], msg("reply", "a1"));
    EXPECT_EQ(at_beta[0], msg("reply", "b1"));
    EXPECT_EQ(router.counters().received, 2u);
    EXPECT_EQ(router.counters().sent, 2u);
    EXPECT_EQ(router.counters().dropped_total(), 0u);
}

TEST(BusRouter, SendToUnknownIdentityReturnsFalse) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    EXPECT_FALSE(router.send("heartbeatd-nobody", msg("status")));
    EXPECT_EQ(router.counters().send_failed_for("unknown_peer"), 1u);
    EXPECT_EQ(router.counters().sent, 0u);
    EXPECT_EQ(log.count(LogLevel::warn, "heartbeatd-nobody"), 1) << log.dump();
}

TEST(BusRouter, GarbageFramesAreDroppedCountedAndLogged) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    std::vector<Received> got;
    router.on_message([&](std::string_view id, Message m) { got.push_back({std::string(id), std::move(m)}); });

    RawPeer raw(ctx, bus_endpoint(dir.path()), "raw");
    raw.socket.send(zmq::str_buffer("this is not a message"), zmq::send_flags::none);
    for (int i = 0; i < 20; ++i) raw.socket.send(zmq::str_buffer("###\ngarbage"), zmq::send_flags::none);
    raw.socket.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);  // 3 frames at the router
    raw.socket.send(zmq::str_buffer("b"), zmq::send_flags::none);
    RawPeer anonymous(ctx, bus_endpoint(dir.path()), std::string_view("\0anon", 5));
    anonymous.socket.send(zmq::buffer(encode_netstring(msg("hello"))), zmq::send_flags::none);
    // Then a good message on the same raw peer: the loop survived and kept going.
    raw.socket.send(zmq::buffer(encode_netstring(msg("after"))), zmq::send_flags::none);

    ASSERT_TRUE(run_until(io, [&] { return !got.empty(); })) << log.dump();
    EXPECT_EQ(got[0].identity, "raw");
    EXPECT_EQ(got[0].message.type(), "after");
    const auto& c = router.counters();
    EXPECT_EQ(c.dropped_for("bad_framing") + c.dropped_for("truncated") + c.dropped_for("bad_length"), 21u);
    EXPECT_EQ(c.dropped_for("bad_frames"), 1u);
    EXPECT_EQ(c.dropped_for("no_identity"), 1u);
    EXPECT_EQ(c.dropped_total(), 23u);
    EXPECT_EQ(c.received, 1u);
    // 21 decode failures, rate-limited: not one line each.
    EXPECT_LE(log.count(LogLevel::warn, "dropped message from raw"), 12) << log.dump();
    EXPECT_GE(log.count(LogLevel::warn, "dropped message from raw"), 2);
}

TEST(BusRouter, OversizeFrameIsRefusedByMaxMsgSize) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    std::vector<Received> got;
    router.on_message([&](std::string_view id, Message m) { got.push_back({std::string(id), std::move(m)}); });

    // A well-formed message just over the limit: zmq must refuse it before our decoder runs.
    Message big = msg("big");
    big.add("blob", std::string(kMaxMessageBytes, 'x'));
    std::string wire = encode_netstring(big);
    ASSERT_GT(wire.size(), kMaxMessageBytes);
    RawPeer raw(ctx, bus_endpoint(dir.path()), "raw-big");
    raw.socket.send(zmq::buffer(wire), zmq::send_flags::none);

    BusClient good(io, ctx, bus_endpoint(dir.path()), "good", log);
    ASSERT_TRUE(good.send(msg("small")));
    ASSERT_TRUE(run_until(io, [&] { return !got.empty(); }));
    // Give the big one every chance to (wrongly) arrive.
    run_until(io, [] { return false; }, 200ms);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].identity, "good");
    EXPECT_EQ(router.counters().dropped_total(), 0u);

    // And our own senders refuse to produce it.
    EXPECT_FALSE(good.send(big));
    EXPECT_EQ(good.counters().send_failed_for("too_big"), 1u);
    EXPECT_FALSE(router.send("good", big));
    EXPECT_EQ(router.counters().send_failed_for("too_big"), 1u);
}

TEST(BusRouter, DrainsAThousandMessagesBothWays) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    BusClient client(io, ctx, bus_endpoint(dir.path()), "heartbeatd-net", log);
    constexpr int kCount = 1000;
    int at_router = 0;
    int at_client = 0;
    int in_order = 0;
    router.on_message([&](std::string_view id, Message m) {
        in_order += m.get_or("n", "") == std::to_string(at_router);
        ++at_router;
        router.send(id, m);  // echo: sends from inside the drain
    });
    client.on_message([&](Message) { ++at_client; });
    for (int i = 0; i < kCount; ++i) ASSERT_TRUE(client.send(msg("status", std::to_string(i))));
    ASSERT_TRUE(run_until(io, [&] { return at_router == kCount && at_client == kCount; }))
        << "router " << at_router << " client " << at_client;
    EXPECT_EQ(in_order, kCount);
    // Nothing more turns up.
    run_until(io, [] { return false; }, 50ms);
    EXPECT_EQ(at_router, kCount);
    EXPECT_EQ(at_client, kCount);
}

TEST(BusRouter, HandlerExceptionIsLoggedAndTheLoopGoesOn) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    BusClient client(io, ctx, bus_endpoint(dir.path()), "rscd", log);
    int seen = 0;
    router.on_message([&](std::string_view, Message m) {
        ++seen;
        if (m.type() == "boom") throw std::runtime_error("kaboom");
    });
    client.send(msg("boom"));
    client.send(msg("fine"));
    ASSERT_TRUE(run_until(io, [&] { return seen == 2; }));
    EXPECT_EQ(log.count(LogLevel::error, "kaboom"), 1) << log.dump();
}

TEST(BusRouter, PathOver107BytesIsAnError) {
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    std::string run_dir = "/tmp/" + std::string(110, 'd');
    auto router = BusRouter::open(io, ctx, bus_endpoint(run_dir), log);
    ASSERT_FALSE(router);
    EXPECT_EQ(router.error().code, "path_too_long");
    EXPECT_FALSE(check_ipc_endpoint("tcp://127.0.0.1:5555"));
    EXPECT_TRUE(check_ipc_endpoint(bus_endpoint("/run/hamaster")));
    EXPECT_EQ(bus_endpoint("/run/hamaster"), "ipc:///run/hamaster/bus");
    EXPECT_EQ(control_endpoint("/run/hamaster"), "ipc:///run/hamaster/control");
}

TEST(BusRouter, CreatesTheRunDirPrivate) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    const std::string run = dir / "run";
    BusRouter router(io, ctx, bus_endpoint(run), log);
    struct stat st {};
    ASSERT_EQ(::stat(run.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_TRUE(ensure_private_dir(run));
    ASSERT_EQ(::stat((run + "/bus").c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    // A file in the way is an error.
    EXPECT_EQ(ensure_private_dir(run + "/bus").error().code, "not_a_dir");
}

TEST(ControlRequest, NothingListeningIsNotRunningWithinTheTimeout) {
    TempDir dir;
    const auto start = std::chrono::steady_clock::now();
    auto reply = control_request(dir.path(), msg("cl_status"), 2s);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, "not_running") << reply.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    // A socket file left behind by a dead master: still "not_running", not a timeout.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = dir / "control";
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
    reply = control_request(dir.path(), msg("cl_status"), 2s);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, "not_running") << reply.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST(ControlServer, AnswersRequestsAndRejectsGarbage) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    ControlServer server(io, ctx, control_endpoint(dir.path()), log, [](const Message& req) {
        if (req.get_or("cmd", "") == "throw") throw std::runtime_error("handler bug");
        Message reply;
        reply.add("t", "reply");
        reply.add("out", "Heartbeat is running on this machine.\n");
        reply.add("rc", "0");
        reply.add("echo", req.get_or("cmd", ""));
        return reply;
    });
    // control_request blocks, so the loop runs on a thread of its own for this test.
    std::atomic<bool> stop{false};
    std::thread loop([&] {
        while (!stop) {
            io.restart();
            io.run_for(5ms);
        }
    });
    Message req = msg("cl_status");
    req.add("cmd", "hbstatus");
    auto reply = control_request(dir.path(), req, 5s);
    Message bad = msg("cl_status");
    bad.add("cmd", "throw");
    auto failed = control_request(dir.path(), bad, 5s);
    stop = true;
    loop.join();

    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->get_or("echo", ""), "hbstatus");
    EXPECT_EQ(reply->get_or("rc", ""), "0");
    ASSERT_TRUE(failed) << failed.error().message;
    EXPECT_EQ(failed->type(), "error");
    EXPECT_EQ(failed->get_or("reason", ""), "internal");
    EXPECT_EQ(log.count(LogLevel::error, "handler bug"), 1) << log.dump();
}

TEST(ControlRequest, SilentServerIsATimeout) {
    TempDir dir;
    zmq::context_t ctx;
    zmq::socket_t mute(ctx, zmq::socket_type::router);  // bound, never answers
    mute.set(zmq::sockopt::linger, 0);
    mute.bind(control_endpoint(dir.path()));
    const auto start = std::chrono::steady_clock::now();
    auto reply = control_request(dir.path(), msg("cl_status"), 300ms);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, "timeout");
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

// The ZMQ_FD edge can be consumed by a send (zmq processes its mailbox inside zmq_send): a message
// that arrived just before must still be delivered, by the drain that follows every send.
TEST(BusRouter, MessageArrivingBeforeASendIsNotStranded) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    BusClient client(io, ctx, bus_endpoint(dir.path()), "rscd", log);
    std::vector<std::string> got;
    router.on_message([&](std::string_view, Message m) { got.push_back(std::string(m.type())); });
    ASSERT_TRUE(client.send(msg("first")));
    ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));

    // With the loop idle: a message reaches the router's mailbox, then the router sends.
    ASSERT_TRUE(client.send(msg("second")));
    std::this_thread::sleep_for(50ms);  // not synchronisation: lets zmq's I/O thread deliver first
    ASSERT_TRUE(router.send("rscd", msg("ack")));
    EXPECT_TRUE(run_until(io, [&] { return got.size() == 2; }, 3s)) << "message stranded behind a consumed edge";
}

// Issue 19 item 3: after a freeze, a silence timer and the socket are ready in the same loop turn.
// read_pending() hands what already waits to the handler before the timer's verdict, without
// running the loop; called from inside the handler it reads nothing (no re-entry).
TEST(BusClient, ReadPendingDeliversWhatWaitsBeforeTheLoopRuns) {
    TempDir dir;
    CaptureLog log;
    boost::asio::io_context io;
    zmq::context_t ctx;
    BusRouter router(io, ctx, bus_endpoint(dir.path()), log);
    BusClient client(io, ctx, bus_endpoint(dir.path()), "rscd", log);
    std::vector<std::string> got;
    bool nested = true;
    client.on_message([&](Message m) {
        got.push_back(std::string(m.type()));
        nested = client.read_pending();
    });
    router.on_message([](std::string_view, Message) {});
    ASSERT_TRUE(client.send(msg("liveness")));  // the router learns the client's identity
    ASSERT_TRUE(run_until(io, [&] { return router.counters().received == 1; }));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(router.send("rscd", msg("master_alive")));
    std::this_thread::sleep_for(100ms);  // not synchronisation: lets zmq's I/O thread deliver
    EXPECT_TRUE(got.empty());
    EXPECT_TRUE(client.read_pending());
    EXPECT_EQ(got.size(), 3u) << "the waiting messages were not read";
    EXPECT_FALSE(nested) << "read_pending from inside the handler must not re-enter";
}
