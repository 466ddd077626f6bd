// BusPort — a media daemon's one way to the master: its lane, the zmq bus, or the stdio test bus.
//
// Started by the master, a media daemon gets `--bus-fd 3`: its end of the media lane, an AF_UNIX
// SOCK_SEQPACKET socketpair the master made for this start (ipc/bus.hpp, "the media lane"); a
// BusClient on that fd. When the master's end closes the master is gone and the daemon stops
// (on_eof), as PR_SET_PDEATHSIG would make it, but cleanly. Started alone (tests), with neither
// flag, a BusClient (DEALER, identity the daemon's name: "heartbeatd-net", "heartbeatd-serial")
// connected to ipc://<run-dir>/bus; with `--stdio-bus` a StdioBus (test aid, see stdio_bus.hpp).
// Either way the daemon's bridge sees the same two calls: messages in through the handler, messages
// out through send().
//
// Time and blocking: nothing blocks on the loop (BusClient never; StdioBus see its header).
// Diagnostics: open() errors name the endpoint or the fd; a failed send is counted by the bus and
// logged by it (rate-limited); INFO `bus: the master closed the bus lane (the master is gone);
// stopping` when the lane ends; end of stdin (stdio bus only) calls on_eof.
// See also: ipc/bus.hpp, stdio_bus.hpp, heartbeatd-net/media_bridge.hpp, heartbeatd-serial/serial_bridge.hpp.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ipc/bus.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"
#include "ipc/media/stdio_bus.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace zmq {
class context_t;
}

namespace ha::media {

// Which bus, from the command line: `--bus-fd N` (the lane), `--stdio-bus`, or neither (zmq).
struct BusChoice {
    int lane_fd = -1;
    bool stdio = false;
};

// Declares --bus-fd and --stdio-bus on `parser`.
void add_bus_options(ipc::DaemonOptionParser& parser);
// Reads them back after parser.parse(). Error code "usage": both given, or N not a number;
// "config": fd N is not an open SOCK_SEQPACKET socket (ipc::check_lane_fd) — exit 78 either way.
Result<BusChoice> bus_choice_from(const ipc::DaemonOptionParser& parser);

class BusPort {
public:
    using Handler = std::function<void(ipc::Message)>;

    // The lane on `choice.lane_fd`, the stdio test bus, or ipc://<run_dir>/bus with `name` (the
    // daemon's program name) as its identity.
    static Result<std::unique_ptr<BusPort>> open(boost::asio::io_context& io, const BusChoice& choice,
                                                 const std::string& run_dir, ipc::Log& log, const std::string& name);
    ~BusPort();

    // `on_eof`: the stdio bus's stdin ended, or the master closed the lane.
    void start(Handler on_message, std::function<void()> on_eof);
    void send(const ipc::Message& message);
    // The bus client, lane or zmq (for DaemonLoop's liveness beat); nullptr on the stdio test bus.
    ipc::BusClient* client() { return bus_.get(); }

private:
    explicit BusPort(ipc::Log& log);
    ipc::Log& log_;
    std::unique_ptr<zmq::context_t> zmq_;
    std::unique_ptr<ipc::BusClient> bus_;
    std::unique_ptr<StdioBus> stdio_;
};

}  // namespace ha::media
