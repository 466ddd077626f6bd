#include "ipc/media/bus_port.hpp"

#include <charconv>

#include <fmt/format.h>
#include <zmq.hpp>

namespace ha::media {

namespace po = boost::program_options;

void add_bus_options(ipc::DaemonOptionParser& parser) {
    parser.add_options()
        ("bus-fd", po::value<std::string>(), "N: the bus is the media lane on fd N (the master passes 3)")
        ("stdio-bus", po::bool_switch(), "test aid: bus messages on stdin/stdout in classic form instead of the bus");
}

Result<BusChoice> bus_choice_from(const ipc::DaemonOptionParser& parser) {
    const auto& v = parser.values();
    BusChoice choice;
    choice.stdio = v["stdio-bus"].as<bool>();
    if (!v.count("bus-fd")) return choice;
    const std::string text = v["bus-fd"].as<std::string>();
    if (choice.stdio) return make_error("usage", "--bus-fd and --stdio-bus exclude each other");
    int fd = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fd);
    if (ec != std::errc{} || end != text.data() + text.size() || fd < 0)
        return make_error("usage", fmt::format("--bus-fd {}: not a file descriptor number", text));
    if (auto ok = ipc::check_lane_fd(fd); !ok)
        return make_error("config", fmt::format("--bus-fd {}: {}", text, ok.error().message));
    choice.lane_fd = fd;
    return choice;
}

Result<std::unique_ptr<BusPort>> BusPort::open(boost::asio::io_context& io, const BusChoice& choice,
                                               const std::string& run_dir, ipc::Log& log, const std::string& name) {
    std::unique_ptr<BusPort> port(new BusPort(log));
    if (choice.stdio) {
        port->stdio_ = std::make_unique<StdioBus>(io, log);
        return port;
    }
    auto bus = [&] {
        if (choice.lane_fd >= 0) return ipc::BusClient::open_lane(io, choice.lane_fd, name, log);
        port->zmq_ = std::make_unique<zmq::context_t>(1);
        return ipc::BusClient::open(io, *port->zmq_, ipc::bus_endpoint(run_dir), name, log);
    }();
    if (!bus) return bus.error();
    port->bus_ = std::move(bus.value());
    return port;
}

BusPort::BusPort(ipc::Log& log) : log_(log) {}

BusPort::~BusPort() {
    bus_.reset();  // sockets before their context
    zmq_.reset();
}

void BusPort::start(Handler on_message, std::function<void()> on_eof) {
    if (stdio_) {
        stdio_->start(std::move(on_message), std::move(on_eof));
        return;
    }
    bus_->on_message(std::move(on_message));
    bus_->on_closed([this, on_eof = std::move(on_eof)] {
        log_.info("bus: the master closed the bus lane (the master is gone); stopping");
        if (on_eof) on_eof();
    });
}

void BusPort::send(const ipc::Message& message) {
    if (stdio_) {
        stdio_->send(message);
    } else {
        bus_->send(message);
    }
}

}  // namespace ha::media
