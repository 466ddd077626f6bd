#include "ipc/media/bus_port.hpp"

#include <zmq.hpp>

namespace ha::media {

Result<std::unique_ptr<BusPort>> BusPort::open(boost::asio::io_context& io, bool stdio, const std::string& run_dir,
                                               ipc::Log& log, const std::string& name) {
    std::unique_ptr<BusPort> port(new BusPort());
    if (stdio) {
        port->stdio_ = std::make_unique<StdioBus>(io, log);
        return port;
    }
    port->zmq_ = std::make_unique<zmq::context_t>(1);
    auto bus = ipc::BusClient::open(io, *port->zmq_, ipc::bus_endpoint(run_dir), name, log);
    if (!bus) return bus.error();
    port->bus_ = std::move(bus.value());
    return port;
}

BusPort::~BusPort() {
    bus_.reset();  // sockets before their context
    zmq_.reset();
}

void BusPort::start(Handler on_message, std::function<void()> on_eof) {
    if (stdio_) {
        stdio_->start(std::move(on_message), std::move(on_eof));
    } else {
        bus_->on_message(std::move(on_message));
    }
}

void BusPort::send(const ipc::Message& message) {
    if (stdio_) {
        stdio_->send(message);
    } else {
        bus_->send(message);
    }
}

}  // namespace ha::media
