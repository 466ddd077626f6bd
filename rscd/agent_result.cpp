// AgentResult — see agent_result.hpp.
#include "rscd/agent_result.hpp"

#include <fmt/format.h>

#include <cstring>

namespace ha::rsc {

std::string_view group_op_name(GroupOp op) {
    switch (op) {
        case GroupOp::start: return "start";
        case GroupOp::stop: return "stop";
        case GroupOp::status: return "status";
    }
    return "?";
}

std::string_view agent_action_name(AgentAction action) {
    switch (action) {
        case AgentAction::start: return "start";
        case AgentAction::stop: return "stop";
        case AgentAction::status: return "status";
    }
    return "?";
}

bool parse_group_op(std::string_view word, GroupOp& op) {
    if (word == "start") op = GroupOp::start;
    else if (word == "stop") op = GroupOp::stop;
    else if (word == "status") op = GroupOp::status;
    else return false;
    return true;
}

std::string describe(const AgentResult& result) {
    switch (result.kind) {
        case AgentResult::Kind::exited: return fmt::format("exit code {}", result.code);
        case AgentResult::Kind::signaled: {
            const char* name = sigabbrev_np(result.code);
            return fmt::format("signal {} (SIG{})", result.code, name ? name : "?");
        }
        case AgentResult::Kind::timed_out: return "timed out";
        case AgentResult::Kind::spawn_failed: return "could not be started";
    }
    return "?";
}

}  // namespace ha::rsc
