// format_summary — the one-screen description of a valid configuration printed by `hamaster -t`.
//
// Shows this node, peers, links per medium, timings, auto_failback, ping nodes, respawned
// programs (Heartbeat's ipfail under any of its paths → ipfaild), resource groups with each agent
// resolved to a file or "built-in", the authkeys index and method — never a secret — and where
// each process logs: its own `<log-dir>/<process>.log` plus the ha.cf logfile, debugfile and
// syslog facility that every process shares (docs/processes.md "Logs").
//
// Time and blocking: none (pure). See also: master/config_test.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/config.hpp"

namespace ha::master {

// `processes`: the children the configuration starts (child_specs' names, in order), `log_dir`
// the directory of their own log files (--log-dir).
std::string format_summary(const conf::Config& config, const std::vector<std::string>& processes, std::string_view log_dir);

}  // namespace ha::master
