// heartbeatd-net — the UDP media daemon: one socket per ucast/bcast/mcast directive, signed both ways.
//
// main only builds the objects and hands them to the daemon skeleton (ipc/daemon.hpp); see
// media_bridge.hpp for the bus contract, net_options.hpp for the flags, ipc/media/receive_pipeline.hpp for
// what is dropped and why. Exit codes (style.md §3): 0 clean, 78 bad flags or authkeys, 77 no
// permission, 1 other start-up failure (the master respawns with backoff), 70 an exception.
#include <linux/capability.h>

#include <exception>
#include <iostream>

#include "heartbeatd-net/media_bridge.hpp"
#include "heartbeatd-net/net_setup.hpp"
#include "ipc/daemon.hpp"
#include "ipc/media/authkeys_loader.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/version.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    try {
        ipc::DaemonOptionParser parser("heartbeatd-net");
        net::add_net_options(parser);
        auto opts = parser.parse(argc, argv);
        if (opts && opts->help) return std::cout << parser.usage(), 0;
        if (opts && opts->version) return std::cout << ipc::version_text("heartbeatd-net"), 0;
        auto net = opts ? net::net_options_from(parser) : Result<net::NetOptions>(opts.error());
        if (!net || !opts->extra.empty()) {
            std::cerr << "heartbeatd-net: " << (net ? "unexpected argument " + opts->extra[0] : net.error().message) << "\n";
            return ipc::kExitConfig;
        }
        ipc::child_setup(*opts);
        ipc::Log& log = ipc::install_file_log(*opts);
        if (opts->realtime) ipc::realtime_setup(true, log);
        ipc::DaemonLoop loop(log);
        auto keys = media::load_authkeys(opts->config_dir, log);
        Result<void> resolved = keys ? net::resolve_peers(*net) : Result<void>(keys.error());
        auto links = resolved ? net::open_links(loop.io(), *net, log) : decltype(net::open_links(loop.io(), *net, log))(resolved.error());
        auto bus = links ? media::BusPort::open(loop.io(), net->stdio_bus, opts->run_dir, log, "heartbeatd-net")
                         : Result<std::unique_ptr<media::BusPort>>(links.error());
        if (!bus) {
            log.crit("cannot start: {}", bus.error().message);
            return ipc::exit_code_for(bus.error());
        }
        // Every socket is open and bound; nothing later needs a capability (SIGHUP only re-reads
        // authkeys, root's own file; a changed medium restarts us). realtime keeps CAP_IPC_LOCK:
        // mlockall(MCL_FUTURE) locks every later mapping against RLIMIT_MEMLOCK.
        if (auto caps = opts->realtime ? ipc::drop_capabilities({CAP_IPC_LOCK}, log) : ipc::drop_capabilities({}, log); !caps) {
            log.crit("cannot start: {}", caps.error().message);
            return ipc::kExitNoPerm;
        }
        ipc::SystemClock clock;
        net::MediaBridge bridge(std::move(links.value()), media::PipelineConfig{opts->node, net->nodes, *keys},
                                [&](const ipc::Message& m) { bus.value()->send(m); }, clock, log);
        loop.on_hup([&] { media::reload_authkeys(opts->config_dir, [&](const ipc::AuthKeys& k) { bridge.set_keys(k); }, log); });
        bus.value()->start([&](ipc::Message m) { bridge.on_bus_message(std::move(m)); }, [&] { loop.stop(); });
        loop.attach_bus(bus.value()->client());
        // SIGTERM (the master's stop, or its death): what the master sent last still goes out.
        loop.on_stop_signal([&](int) {
            if (auto* client = bus.value()->client()) client->read_pending();
            loop.stop();
        });
        bridge.start();
        log.info("heartbeatd-net started on node {}", opts->node);
        const int rc = loop.run();
        loop.attach_bus(nullptr);
        return rc;
    } catch (const std::exception& e) {
        std::cerr << "heartbeatd-net: CRIT: " << e.what() << "\n";
        return 70;
    }
}
