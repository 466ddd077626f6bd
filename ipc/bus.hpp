// Bus — the master↔children message bus and the control socket: ZeroMQ over ipc:// on one Asio
// loop, plus the media lane for the two media daemons.
//
// BusRouter is the master's end (ROUTER, binds `ipc://<run>/bus`); BusClient is a child's end
// (DEALER whose routing id is its name, e.g. "rscd", connects). Every payload is one Message in
// netstring form (ipc/codec.hpp); a frame is checked in the order of docs/conventions.md §8: size
// (ZMQ_MAXMSGSIZE = kMaxMessageBytes, zmq drops the peer that exceeds it), frame count, then
// decode() with the default limits. A frame that fails is dropped, counted per reason and logged
// through a RateLimitedLog. ControlServer (ROUTER at `ipc://<run>/control`) answers one request
// with one reply, synchronously, for cl_status / hb_standby; control_request() is their blocking
// client. Nobody else in the project touches a zmq socket or zmq_poll.
//
// The media lane (ipc/bus_lane.hpp): heartbeatd-net and heartbeatd-serial pass a message for every
// heartbeat, so they do not use zmq but an AF_UNIX SOCK_SEQPACKET socketpair the master makes at
// each spawn (the child's end is its fd 3, `--bus-fd 3`): one datagram = one Message, encoded and
// checked as on zmq (size first, then decode()). It halves the thread wake-ups per message (no
// libzmq I/O thread on either side), makes read_pending() exact (the kernel queue is the only
// queue), and binds the name to the socket by construction. The lane sits inside BusRouter
// (attach_lane) and BusClient (open_lane), so callers see the same on_message / send /
// read_pending / counters either way. Once an identity has had a lane, the router refuses zmq
// messages that claim it ("lane_identity") and never sends to it over zmq, even after the lane
// closed: any local process can connect to ipc:// and claim a name, nobody else holds the lane.
//
// Loop integration: the socket's ZMQ_FD is wrapped in an asio::posix::stream_descriptor (released,
// never closed, by us) and waited on with async_wait(wait_read). The fd is edge-triggered, so after
// every wait and after every send we drain while ZMQ_EVENTS has ZMQ_POLLIN (a send may consume the
// edge); a drain handles at most kDrainBatch messages and then re-posts itself, so one busy peer
// cannot starve the loop. A lane is a plain non-blocking fd waited on the same way, drained until
// EAGAIN, at most kDrainBatch per drain. Callbacks run on the loop thread, never inside send().
//
// Time and blocking: nothing blocks on the loop (all zmq calls use ZMQ_DONTWAIT; lane calls
// MSG_DONTWAIT, a lane send the kernel cannot take now waits in a queue of at most
// kBusHighWaterMark). control_request() blocks its caller up to the timeout: use it from tools,
// never from a loop.
// Errors: the constructors throw BusError (startup, docs/conventions.md §3) — bind failure, an ipc:// path
// of 108 bytes or more, a lane fd that is not a SOCK_SEQPACKET socket ("bad_lane"); open() and
// open_lane() are the same as a Result. send() returns false and never throws.
// Diagnostics: WARN (rate-limited per reason) `bus: dropped message from <peer>: <why>`; drop
// counters by reason: decode error codes (bad_framing, truncated, ...), "bad_frames",
// "no_identity", "lane_identity" (zmq message claiming a laned name), "too_big" (a lane datagram
// over kMaxMessageBytes); send failures counted as "unknown_peer", "would_block", "too_big",
// "send_error", "closed". INFO `bus: lane of <name> closed` when a child's end of its lane closes
// (it exited). A lane's counts go into the same BusCounters as the zmq socket's.
// See also: docs/architecture.md "How the processes talk", docs/conventions.md §5 and §8, ipc/codec.hpp,
// ipc/bus_lane.hpp, ipc/rate_limit.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "ipc/bus/supervision.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace zmq {
class context_t;
}

namespace ha::ipc {

// kBusFlush / kBusFlushed, the last-words handshake, are in ipc/bus/supervision.hpp with the
// other bus messages.

// Unix socket paths (sun_path) hold at most 107 bytes plus the NUL.
inline constexpr std::size_t kMaxIpcPathBytes = 107;
// Per-peer send/receive high-water mark, in messages.
inline constexpr int kBusHighWaterMark = 4096;
// Messages handled per drain before the drain re-posts itself.
inline constexpr int kDrainBatch = 256;

// `ipc://<run_dir>/bus` and `ipc://<run_dir>/control`. The length is checked where they are used
// (check_ipc_endpoint); these never fail.
std::string bus_endpoint(std::string_view run_dir);
std::string control_endpoint(std::string_view run_dir);

// Ok when `endpoint` is `ipc://PATH` with PATH no longer than kMaxIpcPathBytes; error codes
// "bad_endpoint", "path_too_long".
Result<void> check_ipc_endpoint(std::string_view endpoint);

// Creates `path` (and its parents) with mode 0700 if absent. An existing directory is kept as it
// is (we do not fight an administrator's chmod); an existing non-directory is an error.
// Error codes: "mkdir", "not_a_dir".
Result<void> ensure_private_dir(const std::string& path);

class BusError : public std::runtime_error {
public:
    BusError(std::string code, const std::string& what) : std::runtime_error(what), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

// Counters shared by all bus sockets.
struct BusCounters {
    std::uint64_t received = 0;  // messages delivered to the callback
    std::uint64_t sent = 0;
    std::map<std::string, std::uint64_t> dropped;       // incoming, by reason
    std::map<std::string, std::uint64_t> send_failed;   // outgoing, by reason
    std::uint64_t dropped_total() const;
    std::uint64_t dropped_for(std::string_view reason) const;
    std::uint64_t send_failed_for(std::string_view reason) const;
};

namespace detail {
class ZmqEndpoint;
class LaneEndpoint;
class BusDiag;
struct LaneSet;
}  // namespace detail

// Ok when `fd` is open and an AF_UNIX SOCK_SEQPACKET socket (what `--bus-fd` must name); error
// code "bad_lane" saying what it is instead.
Result<void> check_lane_fd(int fd);

// The master's end of the bus.
class BusRouter {
public:
    using Handler = std::function<void(std::string_view identity, Message message)>;

    // Creates the run dir if absent (0700) and binds `endpoint` (a stale socket file is replaced).
    // Throws BusError. `io`, `zmq_context` and `log` must outlive this object.
    BusRouter(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint, Log& log);
    static Result<std::unique_ptr<BusRouter>> open(boost::asio::io_context& io, zmq::context_t& zmq_context,
                                                   const std::string& endpoint, Log& log);
    ~BusRouter();
    BusRouter(const BusRouter&) = delete;
    BusRouter& operator=(const BusRouter&) = delete;

    // Called on the loop for every well-formed message; `identity` is the sender's name.
    void on_message(Handler handler);
    // Makes `fd` (one end of an AF_UNIX SOCK_SEQPACKET socketpair; taken over, closed on any error)
    // the lane of the child called `identity`: what arrives on it goes to the handler with that
    // identity, send(identity, ...) goes through it. A lane already attached for `identity` is
    // read (what waits there is delivered), closed and replaced (a respawned child). When the
    // child's end closes the lane is detached.
    // Error codes: "bad_name", "bad_lane".
    Result<void> attach_lane(std::string identity, int fd);
    // Declares that `identity` speaks on a lane only, before its first lane exists (the master
    // reserves its media daemons' names when it is built): a zmq message claiming it is refused
    // (`lane_identity`) even if the child's first start failed.
    void reserve_lane(std::string identity);
    // Queues `message` for the child called `identity`, on its lane if it has one, else on zmq.
    // False (and counted) when no such peer is connected (or its lane closed), its queue is full,
    // or the message is over kMaxMessageBytes.
    bool send(std::string_view identity, const Message& message);
    // Reads, now and synchronously, every message already waiting and hands each to the handler
    // before returning. Call it before any silence verdict ("no message from X for T"): after the
    // process was frozen or the loop was late, a timer and the socket are ready at once and the
    // timer may run first (design rule: read what waits on a socket before any silence verdict).
    // Every lane is read exactly: all the kernel holds. On zmq, messages still in the kernel
    // buffer that zmq's I/O thread has not picked up yet are not seen: a verdict about a zmq
    // child after a late wake-up needs a grace as well (see rscd/rsc_service.hpp).
    // False (nothing read) when called from inside a handler of this router (zmq or a lane).
    bool read_pending();
    const BusCounters& counters() const;

private:
    boost::asio::io_context& io_;
    std::shared_ptr<Handler> handler_;
    std::shared_ptr<detail::BusDiag> diag_;
    std::shared_ptr<detail::ZmqEndpoint> ep_;
    std::shared_ptr<detail::LaneSet> lanes_;
};

// A child's end of the bus.
class BusClient {
public:
    using Handler = std::function<void(Message message)>;

    // Connects `endpoint` as `name` (the master sees it as the identity). zmq reconnects by
    // itself if the master is not there yet or restarts. Throws BusError.
    BusClient(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint,
              std::string name, Log& log);
    static Result<std::unique_ptr<BusClient>> open(boost::asio::io_context& io, zmq::context_t& zmq_context,
                                                   const std::string& endpoint, std::string name, Log& log);
    // On the media lane instead: `lane_fd` is this child's end of the socketpair the master made
    // (taken over; closed on error). Nothing reconnects: when the master's end closes, the
    // on_closed handler runs once. Throws BusError ("bad_name", "bad_lane").
    BusClient(boost::asio::io_context& io, int lane_fd, std::string name, Log& log);
    static Result<std::unique_ptr<BusClient>> open_lane(boost::asio::io_context& io, int lane_fd, std::string name,
                                                        Log& log);
    ~BusClient();
    BusClient(const BusClient&) = delete;
    BusClient& operator=(const BusClient&) = delete;

    void on_message(Handler handler);
    // Lane only: called on the loop once the master's end is closed (the master is gone). Never
    // called on zmq, which reconnects by itself.
    void on_closed(std::function<void()> handler);
    bool on_lane() const { return lane_ != nullptr; }
    // False (and counted) when the queue is full or the message is over kMaxMessageBytes.
    bool send(const Message& message);
    // As BusRouter::read_pending(): reads, now and synchronously, every message already waiting and hands each to the handler
    // before returning. Call it before any silence verdict ("no message from X for T"): after the
    // process was frozen or the loop was late, a timer and the socket are ready at once and the
    // timer may run first (design rule: read what waits on a socket before any silence verdict).
    // On zmq, messages still in the kernel buffer that zmq's I/O thread has not picked up yet are
    // not seen: a verdict after a late wake-up needs a grace as well (see rscd/rsc_service.hpp).
    // On a lane the read is exact.
    // False (nothing read) when called from inside this socket's own handler.
    bool read_pending();
    const std::string& name() const { return name_; }
    const BusCounters& counters() const;

private:
    std::string name_;
    std::shared_ptr<Handler> handler_;
    std::shared_ptr<std::function<void()>> closed_handler_;
    std::shared_ptr<detail::BusDiag> diag_;
    std::shared_ptr<detail::ZmqEndpoint> ep_;      // zmq, or
    std::shared_ptr<detail::LaneEndpoint> lane_;   // the media lane
};

// The master's control socket: one request in, one reply out, synchronously on the loop.
// Accepts REQ clients ([id, "", payload]) and DEALER clients ([id, payload]) and answers in the
// same envelope. A request that does not decode is answered `t=error reason=<code>`; a handler
// that throws is answered `t=error reason=internal` and logged as ERROR.
class ControlServer {
public:
    using Handler = std::function<Message(const Message& request)>;

    ControlServer(boost::asio::io_context& io, zmq::context_t& zmq_context, const std::string& endpoint, Log& log,
                  Handler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    const BusCounters& counters() const;

private:
    std::shared_ptr<detail::ZmqEndpoint> ep_;
};

// Sends `request` to the control socket of the hamaster whose run dir is `run_dir` and waits up to
// `timeout` for the reply. Blocking; for tools. Error codes: "not_running" (no socket file, or
// nothing accepts on it), "timeout", "path_too_long", "bad_reply" (the reply does not decode),
// "too_big", "zmq" (any other zmq failure).
Result<Message> control_request(const std::string& run_dir, const Message& request,
                                std::chrono::milliseconds timeout);

}  // namespace ha::ipc
