// heartbeatd-serial — the serial media daemon: classic frames over null-modem cables, signed both ways.
//
// main only builds the objects and hands them to the daemon skeleton (ipc/daemon.hpp); see
// serial_bridge.hpp for the bus contract, serial_options.hpp for the flags, port_link.hpp for
// reopening, frame_decoder.hpp for framing. Exit codes (style.md §3): 0 clean, 78 bad flags or
// authkeys, 1 other start-up failure, 70 an exception. A missing device is no start-up failure:
// it is retried with backoff.
#include <exception>
#include <iostream>

#include "heartbeatd-serial/serial_bridge.hpp"
#include "heartbeatd-serial/serial_options.hpp"
#include "ipc/daemon.hpp"
#include "ipc/media/authkeys_loader.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/version.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    try {
        ipc::DaemonOptionParser parser(serial::kProgram);
        serial::add_serial_options(parser);
        auto opts = parser.parse(argc, argv);
        if (opts && opts->help) return std::cout << parser.usage(), 0;
        if (opts && opts->version) return std::cout << ipc::version_text("heartbeatd-serial"), 0;
        auto so = opts ? serial::serial_options_from(parser) : Result<serial::SerialOptions>(opts.error());
        if (!so || !opts->extra.empty()) {
            std::cerr << serial::kProgram << ": " << (so ? "unexpected argument " + opts->extra[0] : so.error().message) << "\n";
            return ipc::kExitConfig;
        }
        ipc::child_setup(*opts);
        ipc::Log& log = ipc::install_file_log(*opts);
        if (opts->realtime) ipc::realtime_setup(true, log);
        ipc::DaemonLoop loop(log);
        auto keys = media::load_authkeys(opts->config_dir, log);
        auto bus = keys ? media::BusPort::open(loop.io(), so->stdio_bus, opts->run_dir, log, serial::kProgram)
                        : Result<std::unique_ptr<media::BusPort>>(keys.error());
        if (!bus) {
            log.crit("cannot start: {}", bus.error().message);
            return ipc::exit_code_for(bus.error());
        }
        ipc::SystemClock clock;
        serial::SerialBridge bridge(loop.io(), so->devices, so->baud, media::PipelineConfig{opts->node, so->nodes, *keys},
                                    [&](const ipc::Message& m) { bus.value()->send(m); }, clock, log);
        loop.on_hup([&] { media::reload_authkeys(opts->config_dir, [&](const ipc::AuthKeys& k) { bridge.set_keys(k); }, log); });
        bus.value()->start([&](ipc::Message m) { bridge.on_bus_message(std::move(m)); }, [&] { loop.stop(); });
        loop.attach_bus(bus.value()->client());
        // SIGTERM (the master's stop, or its death): what the master sent last still leaves the tty.
        loop.on_stop_signal([&](int) {
            if (auto* client = bus.value()->client()) client->read_pending();
            bridge.when_sent([&] { loop.stop(); });
        });
        bridge.start();
        const int rc = loop.run();
        loop.attach_bus(nullptr);
        bridge.stop();
        return rc;
    } catch (const std::exception& e) {
        std::cerr << serial::kProgram << ": CRIT: " << e.what() << "\n";
        return 70;
    }
}
