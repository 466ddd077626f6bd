// Options — hamaster's command line.
//
// `-t/--test` validates the configuration and exits; `status` and `export pacemaker` are commands.
// The options every binary shares (-h --version --node --config --run-dir --log-dir --state-dir -f
// -v) and their defaults come from ipc (ipc::add_common_options); `--heartbeat-state-dir`, `--bind`
// and the status and export options are the master's own. Parsing never exits the process; main
// decides (a usage error: "hamaster: <why>", the usage, exit 2).
//
// Time and blocking: none. Diagnostics: a usage error is returned as ha::Error.
// See also: master/main.cpp, docs/architecture.md "Two nodes on one machine".
#pragma once

#include <string>

#include "ipc/daemon.hpp"
#include "ipc/result.hpp"

namespace ha::master {

// The common options and their defaults are ipc's (ipc::CommonOptions, the children's too); node is
// never empty after parse_options: it defaults to uname -n.
struct Options : ipc::CommonOptions {
    bool test = false;
    // Heartbeat 3.0.6's state (hb_generation, hb_uuid), continued and kept current for a rolling
    // upgrade or a return to Heartbeat. Default /var/lib/heartbeat, but none when --state-dir is
    // given without it (a second node on one host, a test: never the host's Heartbeat state).
    std::string heartbeat_state_dir = "/var/lib/heartbeat";
    bool status = false;          // `hamaster status`: print the one-screen status and exit
    bool json = false;            // status --json: the same facts as JSON (docs/status-json.md)
    bool watch = false;           // status --watch: redraw the status in place every --interval
    int count = 0;                // status --watch --count N: N screens, then exit (0: until ^C)
    int interval_ms = 1000;       // status --watch --interval MS
    std::string bind_address;     // --bind: local address for UDP media (several nodes on one host)
    bool prometheus = false;      // status --prometheus: the metrics in Prometheus' text format
    // `hamaster export pacemaker`: the target ("pacemaker"), where to write, where the agents are.
    std::string export_target;
    std::string output_dir = ".";
    std::string init_dir = "/etc/init.d";
    std::string ocf_root = "/usr/lib/ocf";
};

Result<Options> parse_options(int argc, const char* const* argv);
std::string usage();

}  // namespace ha::master
