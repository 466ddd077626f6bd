// SerialBus — heartbeatd-serial's one way to the master: the zmq bus, or the stdio test bus.
//
// Normally an ipc::BusClient (DEALER, identity "heartbeatd-serial") connected to
// ipc://<run-dir>/bus; with `--stdio-bus` heartbeatd-net's StdioBus (test aid). The same shape as
// heartbeatd-net/bus_port.hpp, whose identity is fixed to "heartbeatd-net".
// TODO(serial): fold into one ipc/ class with the identity as a parameter (proposed to the lead).
//
// Time and blocking: nothing blocks on the loop (BusClient never; StdioBus see its header).
// Diagnostics: open() errors name the endpoint; failed sends are counted and logged by the bus.
// See also: ipc/bus.hpp, heartbeatd-net/stdio_bus.hpp.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>

#include "heartbeatd-net/stdio_bus.hpp"
#include "ipc/bus.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace zmq {
class context_t;
}

namespace ha::serial {

class SerialBus {
public:
    using Handler = std::function<void(ipc::Message)>;

    static Result<std::unique_ptr<SerialBus>> open(boost::asio::io_context& io, bool stdio, const std::string& run_dir,
                                                   ipc::Log& log);
    ~SerialBus();

    // `on_eof`: end of stdin (stdio bus only).
    void start(Handler on_message, std::function<void()> on_eof);
    void send(const ipc::Message& message);
    // The zmq client for the liveness beat (ipc::DaemonLoop::attach_bus); nullptr on the stdio bus.
    ipc::BusClient* client() { return bus_.get(); }

private:
    SerialBus() = default;
    std::unique_ptr<zmq::context_t> zmq_;
    std::unique_ptr<ipc::BusClient> bus_;
    std::unique_ptr<net::StdioBus> stdio_;
};

}  // namespace ha::serial
