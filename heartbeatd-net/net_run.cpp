#include "heartbeatd-net/net_run.hpp"

#include <linux/capability.h>

#include "heartbeatd-net/media_bridge.hpp"
#include "heartbeatd-net/net_setup.hpp"
#include "ipc/media/authkeys_loader.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/media/media_loop.hpp"

namespace ha::net {

int run_net(const ipc::DaemonOptions& opts, NetOptions net, ipc::Log& log) {
    ipc::DaemonLoop loop(log);
    auto keys = media::load_authkeys(opts.config_dir, log);
    Result<void> resolved = keys ? resolve_peers(net) : Result<void>(keys.error());
    auto links = resolved ? open_links(loop.io(), net, log) : decltype(open_links(loop.io(), net, log))(resolved.error());
    auto bus = links ? media::BusPort::open(loop.io(), net.bus, opts.run_dir, log, kProgram)
                     : Result<std::unique_ptr<media::BusPort>>(links.error());
    if (!bus) {
        log.crit("cannot start: {}", bus.error().message);
        return ipc::exit_code_for(bus.error());
    }
    // The counters the master reads (ipc/counters_segment.hpp), one slot per link in the bridge's
    // order; diagnostics only: a failure is a WARN and the links run without them. Before the
    // capabilities go: the file is created in the run dir.
    std::vector<std::string> names;
    for (const auto& l : links.value()) names.push_back(l->name());
    auto segment = media::open_counters_segment(opts.run_dir, kProgram, names, net.bus.lane_fd >= 0, log);
    // Every socket is open and bound; nothing later needs a capability (SIGHUP only re-reads
    // authkeys, root's own file; a changed medium restarts us). realtime keeps CAP_IPC_LOCK:
    // mlockall(MCL_FUTURE) locks every later mapping against RLIMIT_MEMLOCK.
    if (auto caps = opts.realtime ? ipc::drop_capabilities({CAP_IPC_LOCK}, log) : ipc::drop_capabilities({}, log); !caps) {
        log.crit("cannot start: {}", caps.error().message);
        return ipc::kExitNoPerm;
    }
    ipc::SystemClock clock;
    MediaBridge bridge(std::move(links.value()), media::PipelineConfig{opts.node, net.nodes, *keys},
                       [&](const ipc::Message& m) { bus.value()->send(m); }, clock, log);
    if (segment) bridge.publish_counters(&*segment);
    media::MediaHooks hooks;
    hooks.on_bus_message = [&](ipc::Message m) { bridge.on_bus_message(std::move(m)); };
    hooks.set_keys = [&](const ipc::AuthKeys& k) { bridge.set_keys(k); };
    // SIGTERM: what the master sent last is out once read (sendto is synchronous).
    hooks.when_sent = [](std::function<void()> done) { done(); };
    hooks.start = [&] {
        bridge.start();
        log.info("heartbeatd-net started on node {}", opts.node);
    };
    return media::run_media_loop(loop, *bus.value(), opts.config_dir, hooks, log);
}

}  // namespace ha::net
