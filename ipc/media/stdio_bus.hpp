// StdioBus — test aid: stands in for the zmq bus when a media daemon runs alone (`--stdio-bus`).
//
// Reads bus messages from stdin, each in classic form (`>>>` LF, `name=value` LF..., `<<<` LF),
// and writes every message for the master to stdout in the same form. A test (or a shell) can then
// drive a real heartbeatd-net (or heartbeatd-serial) with no master: write `t=status ...` to make
// it send, `t=_stats` to read its counters, and read forwarded datagrams from stdout. End of stdin
// stops the daemon. Not used in production, where the master's ROUTER bus is the only way in or out.
//
// Time and blocking: stdin is read on the loop (non-blocking, Asio stream_descriptor); writes to
// stdout block until the reader takes them, which is acceptable only because this is a test aid.
// Diagnostics: an undecodable frame on stdin is logged at ERROR and skipped; the input buffer is
// capped at 2 × kMaxMessageBytes (a longer unterminated frame is discarded with an ERROR).
// See also: bus_port.hpp, heartbeatd-net/media_bridge.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <functional>
#include <string>

#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::media {

class StdioBus {
public:
    using Handler = std::function<void(ipc::Message)>;

    StdioBus(boost::asio::io_context& io, ipc::Log& log);
    // Starts reading stdin; `on_message` for every frame, `on_eof` once at end of input.
    void start(Handler on_message, std::function<void()> on_eof);
    void send(const ipc::Message& message);

private:
    void read();
    void split_frames();

    boost::asio::posix::stream_descriptor in_;
    ipc::Log& log_;
    std::array<char, 65536> chunk_{};
    std::string pending_;
    Handler on_message_;
    std::function<void()> on_eof_;
};

}  // namespace ha::media
