// heartbeatd-net — the UDP media daemon: one socket per ucast/bcast/mcast directive, signed both ways.
//
// main is the daemon's table — its name, its flags (net_options.hpp), its body (net_run.hpp) —
// handed to the daemon skeleton (ipc/daemon.hpp); see media_bridge.hpp for the bus contract,
// ipc/media/receive_pipeline.hpp for what is dropped and why. Exit codes (style.md §3): 0 clean,
// 78 bad flags or authkeys, 77 no permission, 1 other start-up failure (the master respawns with
// backoff), 70 an exception.
#include "heartbeatd-net/net_options.hpp"
#include "heartbeatd-net/net_run.hpp"
#include "ipc/daemon.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    ipc::DaemonSpec spec;
    spec.program = net::kProgram;
    spec.options = net::add_net_options;
    spec.body = [](const ipc::DaemonOptions&, const ipc::DaemonOptionParser& parser) -> Result<ipc::DaemonBody> {
        auto net = net::net_options_from(parser);
        if (!net) return net.error();
        return ipc::DaemonBody([net = *net](const ipc::DaemonOptions& opts, ipc::Log& log) { return net::run_net(opts, net, log); });
    };
    spec.realtime = true;
    return ipc::daemon_main(spec, argc, argv);
}
