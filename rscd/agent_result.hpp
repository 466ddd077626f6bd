// AgentResult, AgentAction — what rscd asks of one resource agent and what came back.
//
// Plain data shared by the core (GroupRunner, which decides) and the shell (ProcessLauncher,
// IpAddr, which run). Nothing here does I/O.
//
// Time and blocking: none.
// See also: group_runner.hpp, status_parse.hpp, compat spec §2.
#pragma once

#include <string>
#include <string_view>

#include "ipc/bus/rsc.hpp"

namespace ha::rsc {

// One operation on a whole group (the bus `op` field, the --oneshot word): the bus contract's.
using ipc::bus::GroupOp;
using ipc::bus::group_op_name;
using ipc::bus::parse_group_op;
// One action on one resource agent (the last word of the agent's command line).
enum class AgentAction { start, stop, status };

std::string_view agent_action_name(AgentAction action);

// How an agent run ended. Exactly one of the kinds applies.
struct AgentResult {
    enum class Kind {
        exited,        // `code` is the exit status
        signaled,      // `code` is the signal number (not after our own timeout kill)
        timed_out,     // we killed it at its deadline (SIGTERM, then SIGKILL)
        spawn_failed,  // fork/pipe failed, or exec failed (child exited 127 counts as exited)
    };
    Kind kind = Kind::exited;
    int code = 0;
    std::string out;  // stdout, capped (see ProcessLauncher)
    std::string err;  // stderr, capped
    int pid = 0;      // the agent's pid; 0 for built-ins

    bool success() const { return kind == Kind::exited && code == 0; }
    static AgentResult exit(int code, std::string out = {}) {
        AgentResult r;
        r.code = code;
        r.out = std::move(out);
        return r;
    }
    static AgentResult timeout() {
        AgentResult r;
        r.kind = Kind::timed_out;
        return r;
    }
};

// A short human description for log lines: "exit code 3", "signal 9 (SIGKILL)", "timed out".
std::string describe(const AgentResult& result);

}  // namespace ha::rsc
