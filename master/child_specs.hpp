// child_specs — the command lines of the master's children, derived from the configuration.
//
// Each child gets its whole setup on the command line (docs/architecture.md "When something fails"), so any
// of them can be started alone from a test with the same line. Daemons are found beside the
// hamaster binary (build/bin) or, when installed, in /usr/lib/hamaster.
//
// Time and blocking: stat() of the candidate paths only.
// See also: heartbeatd-net/net_options.hpp, master/child_supervisor.hpp.
#pragma once

#include <string>
#include <vector>

#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "master/child_supervisor.hpp"
#include "master/options.hpp"

namespace ha::master {

// Where the daemon `name` lives: beside /proc/self/exe, else /usr/lib/hamaster/name.
std::string daemon_path(const std::string& name);

// The ha.cf log destinations (logfile, debugfile, logfacility, syslogmsgfmt) that the master and
// every child share; common_args passes them on as --ha-logfile, --ha-debugfile, --logfacility and
// --syslogmsgfmt.
ipc::SharedLogConfig shared_log_config(const conf::HaCf& cf);

// One spec per child the configuration needs (heartbeatd-net when there is a UDP medium,
// heartbeatd-serial when there is a serial one, ...).
std::vector<ChildSpec> child_specs(const conf::Config& config, const Options& options);

}  // namespace ha::master
