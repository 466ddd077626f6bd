#include "heartbeatd-serial/serial_options.hpp"

#include <fmt/format.h>

#include "heartbeatd-serial/serial_port.hpp"

namespace ha::serial {

namespace po = boost::program_options;

void add_serial_options(ipc::DaemonOptionParser& parser) {
    parser.add_options()
        ("serial", po::value<std::vector<std::string>>()->composing(), "serial device (repeat for several)")
        ("baud", po::value<int>()->default_value(19200), "line speed: 9600 19200 38400 57600 115200 230400 460800")
        ("nodes", po::value<std::string>(), "configured nodes, comma-separated");
    media::add_bus_options(parser);
}

Result<SerialOptions> serial_options_from(const ipc::DaemonOptionParser& parser) {
    const auto& v = parser.values();
    SerialOptions o;
    if (v.count("serial")) o.devices = v["serial"].as<std::vector<std::string>>();
    for (const auto& d : o.devices) {
        if (d.empty()) return make_error("usage", "--serial: empty device path");
    }
    if (o.devices.empty()) return make_error("usage", "no --serial device given");
    o.baud = v["baud"].as<int>();
    if (!valid_baud(o.baud)) {
        return make_error("usage", fmt::format("--baud {}: not one of 9600 19200 38400 57600 115200 230400 460800", o.baud));
    }
    const std::string nodes = v.count("nodes") ? v["nodes"].as<std::string>() : std::string();
    std::size_t start = 0;
    while (start <= nodes.size()) {
        const auto comma = nodes.find(',', start);
        std::string n = nodes.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!n.empty()) o.nodes.push_back(std::move(n));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (o.nodes.empty()) return make_error("usage", "no --nodes given");
    auto bus = media::bus_choice_from(parser);
    if (!bus) return bus.error();
    o.bus = *bus;
    return o;
}

}  // namespace ha::serial
