#include "heartbeatd-serial/serial_bus.hpp"

#include <zmq.hpp>

#include "heartbeatd-serial/serial_options.hpp"

namespace ha::serial {

Result<std::unique_ptr<SerialBus>> SerialBus::open(boost::asio::io_context& io, bool stdio, const std::string& run_dir,
                                                   ipc::Log& log) {
    std::unique_ptr<SerialBus> bus(new SerialBus());
    if (stdio) {
        bus->stdio_ = std::make_unique<net::StdioBus>(io, log);
        return bus;
    }
    bus->zmq_ = std::make_unique<zmq::context_t>(1);
    auto client = ipc::BusClient::open(io, *bus->zmq_, ipc::bus_endpoint(run_dir), kProgram, log);
    if (!client) return client.error();
    bus->bus_ = std::move(client.value());
    return bus;
}

SerialBus::~SerialBus() {
    bus_.reset();  // the socket before its context
    zmq_.reset();
}

void SerialBus::start(Handler on_message, std::function<void()> on_eof) {
    if (stdio_) {
        stdio_->start(std::move(on_message), std::move(on_eof));
    } else {
        bus_->on_message(std::move(on_message));
    }
}

void SerialBus::send(const ipc::Message& message) {
    if (stdio_) {
        stdio_->send(message);
    } else {
        bus_->send(message);
    }
}

}  // namespace ha::serial
