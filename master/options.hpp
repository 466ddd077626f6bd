// Options — hamaster's command line.
//
// `-t/--test` validates the configuration and exits; `--config DIR` (default /etc/ha.d), `--node
// NAME` (default `uname -n`); `status` and `export pacemaker` are commands; `--run-dir`, `--log-dir`,
// `--state-dir`, `--heartbeat-state-dir`, `-f/--foreground` and `-v` are accepted for the daemon's
// run path. Parsing never exits the process; main decides.
//
// Time and blocking: none. Diagnostics: a usage error is returned as ha::Error.
// See also: master/main.cpp, docs/architecture.md "Two nodes on one machine".
#pragma once

#include <string>

#include "ipc/result.hpp"

namespace ha::master {

struct Options {
    bool help = false;
    bool version = false;
    bool test = false;
    std::string config_dir = "/etc/ha.d";
    std::string node;          // never empty after parse_options: defaults to uname -n
    std::string run_dir = "/run/hamaster";
    std::string log_dir = "/var/log/hamaster";
    std::string state_dir = "/var/lib/hamaster";
    // Heartbeat 3.0.6's state (hb_generation, hb_uuid), continued and kept current for a rolling
    // upgrade or a return to Heartbeat. Default /var/lib/heartbeat, but none when --state-dir is
    // given without it (a second node on one host, a test: never the host's Heartbeat state).
    std::string heartbeat_state_dir = "/var/lib/heartbeat";
    bool foreground = false;
    bool verbose = false;
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
