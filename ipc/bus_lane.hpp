// bus_lane — the media lane: one AF_UNIX SOCK_SEQPACKET socket on the Asio loop, one bus Message
// per datagram. Internal to ipc/bus.cpp (BusRouter::attach_lane, BusClient::open_lane); nothing
// else includes it.
//
// Why: the two media daemons exchange a message with the master for every heartbeat sent and
// received. Over zmq each costs four thread wake-ups per node (caller → libzmq I/O thread → the
// peer's I/O thread → the peer); over a socketpair the master made at spawn it costs two, the
// kernel queue is the only queue, so read_pending() sees exactly what was sent, and the sender's
// name is fixed by who holds the other end instead of claimed in a routing id.
//
// A datagram is checked in the order of docs/conventions.md §8 with the zmq bus's limits: size
// (received with MSG_TRUNC into kMaxMessageBytes + 1 bytes, so an oversized one is seen, dropped and
// counted "too_big"), then decode() with its default limits (dropped, counted by its error code).
// A drain reads at most kDrainBatch datagrams and re-posts itself; read_pending() reads all the
// kernel holds. The end of file (after an ECONNRESET, if the peer left our datagrams unread, and
// after what it sent last) closes the lane and calls `on_closed` once.
// Sending never blocks: a datagram the socket cannot take now (EAGAIN) waits in a queue of at most
// kBusHighWaterMark, flushed in order when the socket is writable; past that send() fails
// "would_block". MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE.
// Buffers: SO_SNDBUF/SO_RCVBUF (the FORCE variants first, which need CAP_NET_ADMIN) are asked for
// kLaneBufferBytes so a kMaxMessageBytes datagram fits; without the capability the kernel caps them
// at net.core.wmem_max/rmem_max and a larger datagram fails "too_big" at send().
//
// Time and blocking: no call blocks (MSG_DONTWAIT on a non-blocking fd); callbacks run on the loop
// thread, never inside send().
// Diagnostics (through BusDiag, shared with the zmq path and counted in the same BusCounters):
//   WARN (rate-limited per reason) `bus: dropped message from <peer>: <why>`,
//   WARN (rate-limited) `bus: cannot send to <peer>: <why>`.
// See also: ipc/bus.hpp (the contract callers see), docs/architecture.md "How the processes talk".
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "ipc/bus.hpp"
#include "ipc/clock.hpp"
#include "ipc/codec.hpp"
#include "ipc/rate_limit.hpp"

namespace ha::ipc::detail {

// What the lane asks the kernel for as send and receive buffer (the kernel doubles it): room for
// a few full-size messages in flight.
inline constexpr int kLaneBufferBytes = 4 * static_cast<int>(kMaxMessageBytes);

// `s` cut to 64 bytes with bytes outside printable ASCII escaped (peer names in log lines).
std::string printable(std::string_view s);

// The counters and the rate-limited log of one bus end; shared by its zmq socket and its lanes.
class BusDiag {
public:
    explicit BusDiag(Log& log) : log_(log), rate_limited_(log, clock_) {}
    // Counts a failed send under `reason` and logs it (rate-limited); returns false.
    bool fail(const std::string& reason, std::string_view peer, std::string_view why);
    // Counts a dropped incoming message under `reason` and logs it (rate-limited).
    void drop(const std::string& reason, std::string_view peer, std::string_view why);
    BusCounters& counters() { return counters_; }
    Log& log() { return log_; }

private:
    Log& log_;
    SystemClock clock_;
    RateLimitedLog rate_limited_;
    BusCounters counters_;
};

// Takes `fd` as the lane to `name` (the child at the other end, or "master"): sets it non-blocking
// and close-on-exec and asks for kLaneBufferBytes buffers. On any error `fd` is closed. Error
// codes: "bad_name" (an empty name), "bad_lane" (`fd` is not an open SOCK_SEQPACKET socket).
Result<void> adopt_lane_fd(std::string_view name, int fd);

class LaneEndpoint : public std::enable_shared_from_this<LaneEndpoint> {
public:
    using MessageHandler = std::function<void(Message message)>;

    // Takes ownership of `fd` (closed by close() or the destructor). `peer` names the other end in
    // log lines ("heartbeatd-net" at the master, "master" in a child).
    LaneEndpoint(boost::asio::io_context& io, int fd, std::string peer, std::shared_ptr<BusDiag> diag);
    ~LaneEndpoint();
    LaneEndpoint(const LaneEndpoint&) = delete;
    LaneEndpoint& operator=(const LaneEndpoint&) = delete;

    // Starts reading; must be called once. `on_message` gets every datagram that decoded;
    // `on_closed` runs once when the peer closed its end (not after close()).
    void start(MessageHandler on_message, std::function<void()> on_closed);
    // Sends one encoded message (at most kMaxMessageBytes) or queues it; false (counted) when the
    // lane is closed, the queue is full, or the kernel refuses it.
    bool send(std::string_view payload);
    // Reads everything the kernel holds now, synchronously. False when called from inside this
    // lane's own handler or after close.
    bool read_pending();
    bool draining() const { return draining_; }
    bool closed() const { return closed_; }
    // Stops reading and writing and closes the fd; queued messages are dropped. Idempotent.
    void close();
    std::size_t queued() const { return queue_.size(); }

private:
    void arm_read();
    void arm_write();
    void post_drain();
    void drain(bool batched);
    void flush_queue();
    void peer_closed(std::string_view why);

    boost::asio::io_context& io_;
    boost::asio::posix::stream_descriptor descriptor_;
    std::string peer_;
    std::shared_ptr<BusDiag> diag_;
    MessageHandler on_message_;
    std::function<void()> on_closed_;
    std::vector<char> buffer_;            // kMaxMessageBytes + 1: one more byte tells "too big"
    std::deque<std::string> queue_;       // what the socket could not take yet, oldest first
    bool closed_ = false;
    bool draining_ = false;
    bool drain_posted_ = false;
    bool write_armed_ = false;
};

}  // namespace ha::ipc::detail
