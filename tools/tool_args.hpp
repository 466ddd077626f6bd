// tool_args — command-line parsing of cl_status, hb_standby and hb_takeover (pure: unit-tested).
//
// One option style for every hamaster binary (hamaster(8) "OPTIONS"): long options as
// `--name VALUE` or `--name=VALUE`, `-h`/`--help` (usage on stdout, exit 0), `--version` (exit 0).
// Heartbeat's own arguments keep their shapes: hb_standby/hb_takeover take one optional word
// (all, foreign, local, failback; usage and exit 1 otherwise, compat spec §10.2); cl_status takes
// a sub-command first, then its options and parameters (compat spec §10.1). A cl_status
// sub-command that Heartbeat does not know is refused here, before the master is asked, as
// Heartbeat's cl_status does: `ERROR: <word>: invalid sub-command.`, exit 11, no usage.
//
// Time and blocking: none. Diagnostics: none (the callers print).
// See also: tools/standby_request.hpp, tools/cl_status.cpp, docs/man/hamaster.8 (exit codes).
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ha::tools {

// What a tool does after parsing: its job, or print help/version and exit 0, or a usage error.
enum class ToolAction { run, help, version, usage_error };

inline constexpr std::string_view kDefaultRunDir = "/run/hamaster";
// hb_standby --wait without a value: long enough for groups with slow agents to move.
inline constexpr std::chrono::seconds kDefaultWait{120};

// "--name=VALUE" → VALUE; "--name" → the next argument (i advanced); nullopt when it is missing.
inline std::optional<std::string> option_value(std::string_view name, const std::vector<std::string>& args,
                                               std::size_t& i) {
    const std::string& a = args[i];
    if (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=')
        return a.substr(name.size() + 1);
    if (a == name && i + 1 < args.size()) return args[++i];
    return std::nullopt;
}

inline bool is_option(std::string_view a, std::string_view name) {
    return a == name || (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=');
}

// What every tool parses alike: -h/--help, --version, --run-dir DIR.
struct CommonArgs {
    ToolAction action = ToolAction::run;
    std::string error;  // with usage_error
    std::string run_dir{kDefaultRunDir};
};

// True when args[i] is a common option (consumed; `c.action` says help / version / usage_error).
inline bool take_common_option(const std::vector<std::string>& args, std::size_t& i, CommonArgs& c) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
        c.action = ToolAction::help;
    } else if (a == "--version") {
        c.action = ToolAction::version;
    } else if (is_option(a, "--run-dir")) {
        auto v = option_value("--run-dir", args, i);
        if (v && !v->empty()) {
            c.run_dir = *v;
        } else {
            c.action = ToolAction::usage_error;
            c.error = "--run-dir needs a directory";
        }
    } else {
        return false;
    }
    return true;
}

// ---- hb_standby / hb_takeover -----------------------------------------------------------------

struct StandbyArgs : CommonArgs {
    std::string kind = "all";                   // all | foreign | local | failback
    std::optional<std::chrono::seconds> wait;   // --wait[=SECONDS]
};

// `args` without argv[0].
inline StandbyArgs parse_standby_args(const std::vector<std::string>& args) {
    StandbyArgs r;
    auto fail = [&](std::string why) {
        r.action = ToolAction::usage_error;
        r.error = std::move(why);
        return r;
    };
    std::vector<std::string> words;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (take_common_option(args, i, r)) {
            if (r.action != ToolAction::run) return r;
        } else if (a == "--wait") {
            r.wait = kDefaultWait;
        } else if (a.rfind("--wait=", 0) == 0) {
            const std::string v = a.substr(7);
            if (v.empty() || v.size() > 6 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                std::stoi(v) == 0)
                return fail("--wait=SECONDS needs a whole number of seconds from 1 to 999999, not [" + v + "]");
            r.wait = std::chrono::seconds(std::stoi(v));
        } else if (!a.empty() && a[0] == '-') {
            return fail("unknown option [" + a + "]");
        } else {
            words.push_back(a);
        }
    }
    if (words.size() > 1) return fail("at most one of all, foreign, local, failback");
    if (!words.empty()) r.kind = words[0];
    if (r.kind != "all" && r.kind != "foreign" && r.kind != "local" && r.kind != "failback")
        return fail("unknown kind [" + r.kind + "]: all, foreign, local or failback");
    return r;
}

// ---- cl_status --------------------------------------------------------------------------------

// Heartbeat 3's sub-commands (compat spec §10.1), plus hamaster's `status`.
inline constexpr std::array<std::string_view, 12> kClStatusCommands = {
    "hbstatus",  "listnodes",  "nodetype", "nodestatus", "nodeweight", "nodesite",
    "listhblinks", "hblinkstatus", "clientstatus", "rscstatus", "hbparameter", "status"};

inline bool known_cl_status_command(std::string_view word) {
    return std::find(kClStatusCommands.begin(), kClStatusCommands.end(), word) != kClStatusCommands.end();
}

struct ClStatusArgs : CommonArgs {
    bool invalid_command = false; // with usage_error: Heartbeat's "invalid sub-command" (no usage)
    bool json = false;
    std::string command;                 // the sub-command
    std::vector<std::string> words;      // its parameters
    std::vector<std::string> flags;      // its one-letter options, without the dash
    std::string param;                   // hbparameter -p NAME
};

// `args` without argv[0]. hamaster's long options come before the sub-command; after it,
// Heartbeat's one-letter options and the parameters in any order. With no argument at all the
// result is `help` (Heartbeat prints its usage and exits 0).
inline ClStatusArgs parse_cl_status_args(const std::vector<std::string>& args) {
    ClStatusArgs r;
    auto fail = [&](std::string why, bool invalid = false) {
        r.action = ToolAction::usage_error;
        r.error = std::move(why);
        r.invalid_command = invalid;
        return r;
    };
    if (args.empty()) {
        r.action = ToolAction::help;
        return r;
    }
    std::size_t i = 0;
    for (; i < args.size(); ++i) {  // hamaster's options, before the sub-command
        const std::string& a = args[i];
        if (take_common_option(args, i, r)) {
            if (r.action != ToolAction::run) return r;
        } else if (a == "--json") {
            r.json = true;
        } else if (a.rfind("--", 0) == 0) {
            return fail("unknown option [" + a + "]");
        } else {
            break;
        }
    }
    if (i == args.size()) return fail("no sub-command");
    r.command = args[i];
    if (!known_cl_status_command(r.command)) return fail(r.command + ": invalid sub-command.", true);
    for (++i; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            r.json = true;
        } else if (is_option(a, "--run-dir")) {
            if (take_common_option(args, i, r) && r.action != ToolAction::run) return r;
        } else if (a == "-p" && r.command == "hbparameter") {
            if (i + 1 >= args.size()) return fail("hbparameter -p needs a name");
            r.param = args[++i];
        } else if (a.size() == 2 && a[0] == '-') {
            r.flags.push_back(a.substr(1));
        } else {
            r.words.push_back(a);
        }
    }
    return r;
}

}  // namespace ha::tools
