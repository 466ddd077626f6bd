#include "heartbeatd-serial/serial_run.hpp"

#include "heartbeatd-serial/serial_bridge.hpp"
#include "ipc/media/authkeys_loader.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/media/media_counters.hpp"
#include "ipc/media/media_loop.hpp"

namespace ha::serial {

int run_serial(const ipc::DaemonOptions& opts, const SerialOptions& so, ipc::Log& log) {
    ipc::DaemonLoop loop(log);
    auto keys = media::load_authkeys(opts.config_dir, log);
    auto bus = keys ? media::BusPort::open(loop.io(), so.bus, opts.run_dir, log, kProgram)
                    : Result<std::unique_ptr<media::BusPort>>(keys.error());
    if (!bus) {
        log.crit("cannot start: {}", bus.error().message);
        return ipc::exit_code_for(bus.error());
    }
    // The counters the master reads (ipc/counters_segment.hpp), one slot per device in order;
    // diagnostics only: a failure is a WARN and the cable runs without them.
    auto segment = media::open_counters_segment(opts.run_dir, kProgram, so.devices, so.bus.lane_fd >= 0, log);
    ipc::SystemClock clock;
    SerialBridge bridge(loop.io(), so.devices, so.baud, media::PipelineConfig{opts.node, so.nodes, *keys},
                        [&](const ipc::Message& m) { bus.value()->send(m); }, clock, log);
    if (segment) bridge.publish_counters(&*segment);
    media::MediaHooks hooks;
    hooks.on_bus_message = [&](ipc::Message m) { bridge.on_bus_message(std::move(m)); };
    hooks.set_keys = [&](const ipc::AuthKeys& k) { bridge.set_keys(k); };
    // SIGTERM: what the master sent last still leaves the tty (at most kDrainLimit later).
    hooks.when_sent = [&](std::function<void()> done) { bridge.when_sent(std::move(done)); };
    hooks.start = [&] { bridge.start(); };
    const int rc = media::run_media_loop(loop, *bus.value(), opts.config_dir, hooks, log);
    bridge.stop();
    return rc;
}

}  // namespace ha::serial
