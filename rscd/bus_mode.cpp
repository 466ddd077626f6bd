#include "rscd/bus_mode.hpp"

#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/daemon.hpp"
#include "ipc/deadline_timer.hpp"
#include "rscd/arp_guard.hpp"
#include "rscd/agent_command.hpp"
#include "rscd/group_executor.hpp"
#include "rscd/rsc_service.hpp"

namespace ha::rsc {

int run_bus_mode(const conf::Config& config, const RscdOptions& options, ipc::Log& log) {
    ipc::DaemonLoop loop(log);
    auto& io = loop.io();
    ipc::SystemClock clock;
    ProcessLauncher launcher(io, log, std::chrono::seconds(5), agent_environment(config));
    IpAddr ip_addr(log);
    ArpAnnouncer arp(io, log);
    GroupExecutor executor(io, launcher, ip_addr, arp, clock, log);
    zmq::context_t zmq_context;
    ipc::BusClient bus(io, zmq_context, ipc::bus_endpoint(options.run_dir), "rscd", log);
    loop.attach_bus(&bus);

    const auto master_timeout = config.ha_cf.deadtime / 2;
    // rsc_reload: the same loader as at start, on the same config dir.
    auto loader = [&options]() -> Result<conf::Haresources> {
        auto loaded = conf::load_config(options.config_dir, options.node, rscd_load_options(options));
        for (const auto& d : loaded.diagnostics)
            if (d.severity == conf::Severity::error) return make_error("invalid_config", conf::render(d));
        if (!loaded.ok()) return make_error("invalid_config", "configuration not valid");
        return std::move(loaded.config->haresources);
    };
    RscService service(config.haresources, executor, [&bus](const ipc::Message& m) { bus.send(m); }, log, clock.now(),
                       master_timeout, loader);
    // The split-brain guard runs beside the group operations, never queued behind them.
    // service.haresources() is RscService's own copy, which rsc_reload replaces in place.
    ArpGuard guard(io, service.haresources(), arp_probe_options(config.ha_cf, options),
                   [&bus](const ipc::Message& m) { bus.send(m); }, clock, log);
    ipc::DeadlineTimer timer(io);
    std::function<void()> arm = [&] {
        if (service.shutting_down()) guard.shutdown();
        timer.arm(service.next_deadline(), [&] {
            // Read what waits on the bus before any silence verdict: after a freeze the timer and
            // the socket are ready at once, and the timer may come first.
            bus.read_pending();
            service.on_tick(clock.now());
            arm();
        });
    };
    bus.on_message([&](ipc::Message m) {
        service.on_bus_message(m, clock.now());  // every message counts as the master's liveness
        if (ProbeService::takes(m.type())) guard.on_bus_message(m);
        arm();
    });
    bool released = false;
    auto maybe_exit = [&] {
        if (released && arp.active() == 0) loop.stop(ipc::kExitOk);
    };
    arp.on_idle(maybe_exit);
    service.on_released([&] {
        log.info("All resources released; rscd exits.");
        released = true;
        maybe_exit();
    });
    loop.on_stop_signal([&](int signo) {
        log.info("Signal {}: releasing every resource group before exit", signo);
        service.shutdown("signal");
        arm();
    });
    log.info("rscd started for node {} ({} resource groups)", config.local_node, config.haresources.groups.size());
    arm();
    return loop.run();
}

}  // namespace ha::rsc
