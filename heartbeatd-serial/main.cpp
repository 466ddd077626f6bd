// heartbeatd-serial — the serial media daemon: classic frames over null-modem cables, signed both ways.
//
// main is the daemon's table — its name, its flags (serial_options.hpp), its body (serial_run.hpp)
// — handed to the daemon skeleton (ipc/daemon.hpp); see serial_bridge.hpp for the bus contract,
// port_link.hpp for reopening, frame_decoder.hpp for framing. Exit codes (style.md §3): 0 clean,
// 78 bad flags or authkeys, 1 other start-up failure, 70 an exception. A missing device is no
// start-up failure: it is retried with backoff.
#include "heartbeatd-serial/serial_options.hpp"
#include "heartbeatd-serial/serial_run.hpp"
#include "ipc/daemon.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    ipc::DaemonSpec spec;
    spec.program = serial::kProgram;
    spec.options = serial::add_serial_options;
    spec.body = [](const ipc::DaemonOptions&, const ipc::DaemonOptionParser& parser) -> Result<ipc::DaemonBody> {
        auto so = serial::serial_options_from(parser);
        if (!so) return so.error();
        return ipc::DaemonBody([so = *so](const ipc::DaemonOptions& opts, ipc::Log& log) { return serial::run_serial(opts, so, log); });
    };
    spec.realtime = true;
    return ipc::daemon_main(spec, argc, argv);
}
