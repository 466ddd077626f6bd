// rscd — runs resource agents (start/stop/status) for the master, one group at a time.
//
// main is the daemon's table — its name, its flags and set-up (rscd_options.hpp), its body —
// handed to the daemon skeleton (ipc/daemon.hpp). The body reads rscd's flags, loads the config
// before the log exists (diagnostics on stderr) and hands over: to the bus mode (the master's
// child, bus_mode.hpp) or, with --oneshot, to one operation run from the command line
// (oneshot.hpp). Exit codes (docs/conventions.md §3, the names are ipc/daemon.hpp's): 0 done, 1 the
// operation failed, 78 (kExitConfig) bad flags or config, 70 (kExitSoftware) an unexpected exception.
#include "ipc/daemon.hpp"
#include "rscd/bus_mode.hpp"
#include "rscd/oneshot.hpp"
#include "rscd/rscd_options.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    ipc::DaemonSpec spec;
    spec.program = "rscd";
    spec.options = rsc::add_rscd_options;
    spec.body = [](const ipc::DaemonOptions& common, const ipc::DaemonOptionParser& parser) -> Result<ipc::DaemonBody> {
        auto options = rsc::rscd_options_from(common, parser);
        if (!options) return options.error();
        auto config = rsc::load_rscd_config(*options);
        if (!config) return config.error();
        return ipc::DaemonBody([options = *options, config = *config](const ipc::DaemonOptions&, ipc::Log& log) {
            return options.oneshot ? rsc::run_oneshot(config, options, log) : rsc::run_bus_mode(config, options, log);
        });
    };
    spec.setup = rsc::setup_rscd;
    spec.arguments = true;       // --oneshot's GROUPKEY
    spec.usage_on_error = true;  // a bad flag is followed by rscd's synopsis
    return ipc::daemon_main(spec, argc, argv);
}
