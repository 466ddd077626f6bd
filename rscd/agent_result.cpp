// AgentResult — see agent_result.hpp.
#include "rscd/agent_result.hpp"

#include <fmt/format.h>

#include <cstring>

namespace ha::rsc {

std::string_view agent_action_name(AgentAction action) {
    switch (action) {
        case AgentAction::start: return "start";
        case AgentAction::stop: return "stop";
        case AgentAction::status: return "status";
    }
    return "?";
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
