// MediaFlush — the stopping master's last words reach the wire before its media daemons stop.
//
// After the master's final cluster messages (`t=resource info=shutdown`, `t=shutdone`), it sends
// `t=_flush seq=N` to every connected media daemon and stops them only once each has answered
// `t=_flushed seq=N` (the bus is ordered, so the answer proves everything before it went out on
// every link: ipc/bus.hpp kBusFlush), or after `limit`. Without it, SIGTERM could reach
// heartbeatd-net in the same loop turn as the `shutdone` was queued for it, and the peer would
// see a death instead of a graceful stop (issue 19 item 5).
//
// Owns one steady_timer; sends through the caller's function; the master feeds it `_flushed`.
// Time and blocking: nothing blocks; the limit is a steady_timer.
// Diagnostics: debug `Last messages sent by <child>`; WARN `<child> did not confirm that the last
// messages were sent within N ms; stopping it anyway`.
// See also: master/master_run.cpp (finish), heartbeatd-net/media_bridge.hpp,
// heartbeatd-serial/serial_bridge.hpp, docs/processes.md "Stopping".
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::master {

class MediaFlush {
public:
    // False when the message could not be queued for that child (not connected).
    using Send = std::function<bool(const std::string& child, const ipc::Message& message)>;

    MediaFlush(boost::asio::io_context& io, ipc::Log& log) : timer_(io), log_(log) {}

    // Sends `_flush` to each child; `done` runs once every child it reached has answered, or
    // after `limit` (at once when none was reached). A start while one runs ends that one first.
    void start(const std::vector<std::string>& children, const Send& send, std::chrono::milliseconds limit,
               std::function<void()> done);
    // A `t=_flushed` from `child`; one with another seq (an older flush) is ignored.
    void on_flushed(const std::string& child, const ipc::Message& message);
    // The same, with the seq of a `_flushed` the bus table already decoded (ipc/bus/supervision.hpp).
    void on_flushed(const std::string& child, std::string_view seq);
    // Stops waiting: `done` runs now (a second stop signal).
    void finish_now();
    bool active() const { return static_cast<bool>(done_); }

private:
    void maybe_done();

    boost::asio::steady_timer timer_;
    ipc::Log& log_;
    std::set<std::string> waiting_;
    std::string seq_;
    unsigned next_seq_ = 1;
    std::function<void()> done_;
};

}  // namespace ha::master
