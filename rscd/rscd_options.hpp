// RscdOptions — rscd's command line.
//
//   rscd --node NAME [--config DIR] [--run-dir DIR] [--logfile FILE] [-v]
//        [--ha-logfile FILE] [--ha-debugfile FILE] [--logfacility NAME] [--syslogmsgfmt on|off]
//        [--init-dir DIR] [--ocf-root DIR] [--arp-probe-interval MS] [--arp-probe-count N]
//        [--oneshot start|stop|status|announce|probe GROUPKEY [--preferred]]
//
// Parsed by ipc::daemon_main, as every child's flags (main.cpp hands it add_rscd_options,
// rscd_options_from and setup_rscd): the common ones (--node --config --run-dir --log-dir
// --state-dir -f -v --parent-pid, the shared-log flags, -h, --version) plus rscd's own; `--name
// VALUE` and `--name=VALUE` alike; --help prints rscd_usage(), a bad flag its message and then
// rscd_usage() on stderr (exit 78).
// --node defaults to `uname -n`, --config to /etc/ha.d, --run-dir to /run/hamaster, --logfile to
// stderr ("-"); without --log-dir rscd logs to --logfile. --oneshot runs one operation on one group and exits (an operator and test aid, like
// Heartbeat's `ResourceManager takegroup|givegroup`): exit 0 when it worked (status: every resource
// runs), 1 when it did not, 78 on a bad command line or config. GROUPKEY is the group's first
// resource as in haresources (`IPaddr::192.0.2.100/24/eth0` or the shorthand `192.0.2.100/24/eth0`).
// `--oneshot probe` runs one split-brain guard session on the group's VIPs (as a non-preferred
// node unless --preferred): exit 0 on clear, 1 on error or a signal; it keeps probing while held.
// --arp-probe-interval (1–10000 ms, default 30) and --arp-probe-count (1–100, default 3) shape the
// RFC 5227 probe window (arp_probe.hpp); the interval is capped at ha.cf's keepalive (not below
// 10 ms) when rscd reads it (arp_guard.hpp).
//
// Time and blocking: none. Diagnostics: errors returned as ha::Error.
// See also: main.cpp, oneshot.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ipc/config/config.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"
#include "rscd/agent_result.hpp"

namespace ha::rsc {

struct RscdOptions {
    std::string node;
    std::string config_dir = "/etc/ha.d";
    std::string run_dir = "/run/hamaster";
    std::string logfile = "-";
    std::string log_dir;         // --log-dir: log to <log-dir>/rscd.log (as the master passes it)
    ipc::SharedLogConfig shared_log;  // --ha-logfile --ha-debugfile --logfacility --syslogmsgfmt
    int parent_pid = 0;          // --parent-pid: the master (PR_SET_PDEATHSIG)
    bool foreground = false;
    bool verbose = false;
    bool help = false;     // -h/--help: print rscd_usage() and exit 0
    bool version = false;  // --version: print the version and exit 0
    std::string init_dir = "/etc/init.d";
    std::string ocf_root = "/usr/lib/ocf";
    std::chrono::milliseconds arp_probe_interval{30};
    int arp_probe_count = 3;
    struct Oneshot {
        GroupOp op = GroupOp::status;  // unused with probe
        bool probe = false;            // --oneshot probe: the split-brain guard, not a group operation
        bool preferred = false;        // --preferred (probe only)
        std::string group_key;
    };
    std::optional<Oneshot> oneshot;
};

// rscd's own flags (the table main hands to ipc::daemon_main), and --help's text.
void add_rscd_options(ipc::DaemonOptionParser& parser);
std::string rscd_usage();
// rscd's options from the common ones and the parsed values of its own; an Error (code "usage")
// says what is wrong without naming rscd (daemon_main does).
Result<RscdOptions> rscd_options_from(const ipc::DaemonOptions& common, const ipc::DaemonOptionParser& parser);
// The whole command line (without argv[0]) at once; an Error names rscd.
Result<RscdOptions> parse_rscd_options(const std::vector<std::string>& args);
// How rscd loads its config: at start and again for each rsc_reload (the same agent dirs).
conf::LoadOptions rscd_load_options(const RscdOptions& options);
// The config at start, before the log exists: every diagnostic on stderr as "rscd: <diag>"; an
// Error (code "config", no message) when one is an error.
Result<conf::Config> load_rscd_config(const RscdOptions& options);
// rscd's set-up (ipc::DaemonSpec::setup): PR_SET_PDEATHSIG only under a master (--parent-pid), and
// the log at <log-dir>/rscd.log when --log-dir was given, else at --logfile ("-": stderr); -f adds
// info lines on stderr.
ipc::Log& setup_rscd(const ipc::DaemonOptions& opts, const ipc::DaemonOptionParser& parser);

}  // namespace ha::rsc
