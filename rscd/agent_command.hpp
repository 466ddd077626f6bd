// AgentCommand — the exact command line and extra environment for one agent action (pure).
//
// Heartbeat R1 calling conventions (compat spec §2):
//   heartbeat (resource.d/NAME)  `path arg1 arg2 … start|stop|status`
//   lsb (init.d/NAME)            `path start|stop|status`            (the ::args are not passed)
//   ocf (ocf:PROV:TYPE)          `path start|stop|monitor`, with OCF_ROOT, OCF_RESOURCE_INSTANCE
//                                and OCF_RESKEY_<name>=<value> for every `name=value` argument
//                                (other arguments are ignored; kept simple on purpose).
// Built-in agents (IPaddr, IPaddr2) have no command: rscd does them itself (ip_addr.hpp).
// Also interprets what a `status` run printed or returned (status_running()).
//
// Time and blocking: none.
// See also: group_runner.hpp, process_launcher.hpp, compat spec §2.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/config.hpp"
#include "ipc/config/haresources.hpp"
#include "rscd/agent_result.hpp"

namespace ha::rsc {

struct AgentCommand {
    std::vector<std::string> argv;  // argv[0] is the agent's path
    std::vector<std::string> env;   // NAME=value, added to the inherited environment
};

AgentCommand make_agent_command(const conf::Resource& resource, AgentAction action);

// The whole environment agents run with (issue 20): a fixed PATH, Heartbeat's HA_* variables —
// HA_DIR (the config dir), HA_FUNCS (HA_DIR/shellfuncs), HA_CURHOST (this node), HA_LOGFACILITY,
// HA_LOGFILE, HA_DEBUGLOG, HA_debug — and ha.cf's `env NAME=value` lines. Nothing of rscd's own
// environment (LD_*, the operator's PATH) reaches an agent.
std::vector<std::string> agent_environment(const conf::Config& config);

// `<path> <args> <action>` as in Heartbeat's `Running …` line; for built-ins `IPaddr <args> <action>`.
std::string command_text(const conf::Resource& resource, AgentAction action);

// Heartbeat's rule for resource.d scripts and IPaddr: only stdout counts. Output matching
// `*[Nn][Oo][Tt] *[Rr]unning*` is stopped; else `*[Rr]unning*` or `*OK*` is running; else stopped.
bool stdout_says_running(std::string_view out);

// Whether a `status` run says the resource runs, by agent kind: heartbeat/builtin by stdout words,
// LSB by exit code (0 running, anything else not), OCF monitor by exit code (0 running, 7 not
// running, anything else an error = not running). A timeout or a signal is "not running".
bool status_running(conf::AgentKind kind, const AgentResult& result);

}  // namespace ha::rsc
