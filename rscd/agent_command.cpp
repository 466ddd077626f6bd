// AgentCommand — see agent_command.hpp.
#include "rscd/agent_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>

namespace ha::rsc {

namespace {

// <ocf_root>/resource.d/PROVIDER/TYPE → <ocf_root>
std::string ocf_root_of(const std::string& path) {
    const auto at = path.rfind("/resource.d/");
    return at == std::string::npos ? std::string("/usr/lib/ocf") : path.substr(0, at);
}

// OCF_RESOURCE_INSTANCE: the resource word with anything outside [A-Za-z0-9_.-] as '_'.
std::string instance_name(std::string_view word) {
    std::string out;
    for (char c : word) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '_';
    return out;
}

bool valid_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
}

}  // namespace

AgentCommand make_agent_command(const conf::Resource& resource, AgentAction action) {
    AgentCommand cmd;
    cmd.argv.push_back(resource.path);
    switch (resource.kind) {
        case conf::AgentKind::builtin:
        case conf::AgentKind::heartbeat:
            for (const auto& a : resource.args) cmd.argv.push_back(a);
            cmd.argv.emplace_back(agent_action_name(action));
            break;
        case conf::AgentKind::lsb:
            cmd.argv.emplace_back(agent_action_name(action));
            break;
        case conf::AgentKind::ocf:
            cmd.argv.emplace_back(action == AgentAction::status ? "monitor" : agent_action_name(action));
            cmd.env.push_back("OCF_ROOT=" + ocf_root_of(resource.path));
            cmd.env.push_back("OCF_RESOURCE_INSTANCE=" + instance_name(resource.word));
            for (const auto& a : resource.args) {
                const auto eq = a.find('=');
                if (eq == std::string::npos || !valid_env_name(std::string_view(a).substr(0, eq))) continue;
                cmd.env.push_back("OCF_RESKEY_" + a);
            }
            break;
    }
    return cmd;
}

std::string command_text(const conf::Resource& resource, AgentAction action) {
    if (resource.kind == conf::AgentKind::builtin) {
        std::string text = resource.agent;
        for (const auto& a : resource.args) text += " " + a;
        return fmt::format("{} {}", text, agent_action_name(action));
    }
    const AgentCommand cmd = make_agent_command(resource, action);
    return fmt::format("{}", fmt::join(cmd.argv, " "));
}

bool stdout_says_running(std::string_view out) {
    // *[Nn][Oo][Tt] *[Rr]unning*  — "not", one blank, anything, then [Rr]unning.
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    auto running_at = [&](std::size_t i) {
        return i + 7 <= out.size() && (out[i] == 'R' || out[i] == 'r') && out.substr(i + 1, 6) == "unning";
    };
    for (std::size_t i = 0; i + 4 <= out.size(); ++i) {
        if (lower(out[i]) == 'n' && lower(out[i + 1]) == 'o' && lower(out[i + 2]) == 't' && out[i + 3] == ' ') {
            for (std::size_t j = i + 4; j < out.size(); ++j)
                if (running_at(j)) return false;
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        if (running_at(i)) return true;
    return out.find("OK") != std::string_view::npos;
}

bool status_running(conf::AgentKind kind, const AgentResult& result) {
    switch (kind) {
        case conf::AgentKind::builtin:
        case conf::AgentKind::heartbeat:
            // Exit code ignored, as in Heartbeat; a killed or timed-out run still has its output,
            // but we do not trust a half-written answer.
            return result.kind == AgentResult::Kind::exited && stdout_says_running(result.out);
        case conf::AgentKind::lsb:
        case conf::AgentKind::ocf:
            return result.kind == AgentResult::Kind::exited && result.code == 0;
    }
    return false;
}

std::vector<std::string> agent_environment(const conf::Config& config) {
    const auto& cf = config.ha_cf;
    std::vector<std::string> env = {
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "HA_DIR=" + config.dir,
        "HA_FUNCS=" + config.dir + "/shellfuncs",
        "HA_CURHOST=" + config.local_node,
        "HA_LOGFACILITY=" + cf.logfacility,
        "HA_debug=" + std::to_string(cf.debug),
    };
    if (!cf.logfile.empty()) env.push_back("HA_LOGFILE=" + cf.logfile);
    if (!cf.debugfile.empty()) env.push_back("HA_DEBUGLOG=" + cf.debugfile);
    for (const auto& e : cf.env) env.push_back(e.name + "=" + e.value);
    return env;
}

}  // namespace ha::rsc
