// BusPort — a media daemon's one way to the master: the zmq bus, or the stdio test bus.
//
// Normally a BusClient (DEALER, identity the daemon's name: "heartbeatd-net", "heartbeatd-serial")
// connected to ipc://<run-dir>/bus; with `--stdio-bus` a StdioBus (test aid, see stdio_bus.hpp).
// Either way the daemon's bridge sees the same two calls: messages in through the handler, messages
// out through send().
//
// Time and blocking: nothing blocks on the loop (BusClient never; StdioBus see its header).
// Diagnostics: open() errors name the endpoint; a failed send is counted by the bus and logged by
// it (rate-limited); end of stdin (stdio bus only) calls on_eof.
// See also: ipc/bus.hpp, stdio_bus.hpp, heartbeatd-net/media_bridge.hpp, heartbeatd-serial/serial_bridge.hpp.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "ipc/bus.hpp"
#include "ipc/log.hpp"
#include "ipc/media/stdio_bus.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace zmq {
class context_t;
}

namespace ha::media {

class BusPort {
public:
    using Handler = std::function<void(ipc::Message)>;

    // `stdio`: the test bus; otherwise connects to ipc://<run_dir>/bus with `name` (the daemon's
    // program name) as its identity.
    static Result<std::unique_ptr<BusPort>> open(boost::asio::io_context& io, bool stdio, const std::string& run_dir,
                                                 ipc::Log& log, const std::string& name);
    ~BusPort();

    void start(Handler on_message, std::function<void()> on_eof);
    void send(const ipc::Message& message);
    // The zmq client (for DaemonLoop's liveness beat); nullptr on the stdio test bus.
    ipc::BusClient* client() { return bus_.get(); }

private:
    BusPort() = default;
    std::unique_ptr<zmq::context_t> zmq_;
    std::unique_ptr<ipc::BusClient> bus_;
    std::unique_ptr<StdioBus> stdio_;
};

}  // namespace ha::media
