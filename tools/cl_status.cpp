// cl_status — Heartbeat's cluster status query tool, as a thin client of hamaster's control socket.
//
// Sub-commands, output words and exit codes follow Heartbeat 3 (compat spec §10.1 and "Confirmed on
// a live node"): the master answers each query with the text to print and the exit code, so the
// knowledge of the cluster lives in one place. This file only parses arguments, asks, and prints.
// Extra: `--run-dir DIR` to reach a node that is not at /run/hamaster, `--json` for scripts:
// with it every answer, errors included, is one JSON object on stdout (built with nlohmann-json,
// valid by construction), e.g. {"error":"invalid_subcommand","message":"...","rc":11}.
// Arguments are parsed in tools/tool_args.hpp (an unknown sub-command is refused before the
// master is asked, as Heartbeat's cl_status does).
//
// Exit codes: as Heartbeat (0 ok, 1 negative answer / not running, 11 parameter error,
// 12 timeout, 13 other error); the table is in hamaster(8).
// See also: master/control_service.hpp, ipc/bus.hpp (control_request).
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipc/bus.hpp"
#include "ipc/bus/control.hpp"
#include "ipc/message.hpp"
#include "ipc/version.hpp"
#include "tools/tool_args.hpp"

namespace {

constexpr int kParamError = 11;
constexpr int kTimeout = 12;
constexpr int kUnknownError = 13;

const char* const kUsage =
    "usage: cl_status [--run-dir DIR] [--json] <sub-command> [options] [parameters]\n"
    "       cl_status -h|--help | --version\n"
    "  hbstatus [-v]                 is hamaster running here?\n"
    "  listnodes [-p|-n]             all nodes (-p ping nodes only, -n normal nodes only)\n"
    "  nodetype <node>               normal or ping\n"
    "  nodestatus <node>             init, up, active, dead or ping\n"
    "  nodeweight <node>             the node's weight (Heartbeat's default: 100)\n"
    "  nodesite <node>               the node's site (Heartbeat's default: empty)\n"
    "  listhblinks <node> [-v]       the heartbeat links to a node\n"
    "  hblinkstatus <node> <link>    up or dead\n"
    "  clientstatus <node> <client> [timeout]   online or offline (API clients: ipfail)\n"
    "  rscstatus [-m]                none, local, foreign, all or transition\n"
    "  hbparameter -p <name>         a parameter of ha.cf\n"
    "  -m with any sub-command prints sentences instead of words\n";

// An error as the caller asked for it: JSON on stdout with --json, else `text` on stderr.
int fail(bool json, int rc, const std::string& code, const std::string& text) {
    if (json) {
        std::string message = text;
        while (!message.empty() && message.back() == '\n') message.pop_back();
        std::cout << nlohmann::json{{"error", code}, {"message", message}, {"rc", rc}}.dump() << "\n";
    } else {
        std::cerr << text;
    }
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    using ha::tools::ToolAction;
    const auto args = ha::tools::parse_cl_status_args(std::vector<std::string>(argv + 1, argv + argc));
    switch (args.action) {
        case ToolAction::help: std::cout << kUsage; return 0;
        case ToolAction::version: std::cout << ha::ipc::version_text("cl_status"); return 0;
        case ToolAction::usage_error:
            if (args.invalid_command) return fail(args.json, kParamError, "invalid_subcommand", "ERROR: " + args.error + "\n");
            return fail(args.json, kParamError, "usage", "cl_status: " + args.error + "\n" + (args.json ? "" : kUsage));
        case ToolAction::run: break;
    }
    const ha::ipc::Message req = ha::ipc::bus::ClStatusRequest{args.command, args.words, args.flags, args.param, args.json}.encode();

    auto reply = ha::ipc::control_request(args.run_dir, req, std::chrono::seconds(5));
    if (!reply) {
        if (reply.error().code == "not_running") {
            if (args.command == "hbstatus") {
                if (args.json) return std::cout << nlohmann::json{{"running", false}}.dump() << "\n", 1;
                std::cout << "Heartbeat is stopped on this machine.\n";
                return 1;
            }
            return fail(args.json, 1, "not_running",
                        "ERROR: Cannot signon with heartbeat\nREASON: " + reply.error().message + "\n");
        }
        const bool timeout = reply.error().code == "timeout";
        return fail(args.json, timeout ? kTimeout : kUnknownError, timeout ? "timeout" : "control_socket",
                    "cl_status: " + reply.error().message + "\n");
    }
    auto answer = ha::ipc::bus::ControlReply::decode(*reply);
    if (!answer) return fail(args.json, kUnknownError, "control_socket", "cl_status: " + answer.error().message + "\n");
    const std::string& out = answer->out;
    const std::string& err = answer->err;
    const int rc = answer->rc;
    if (args.json && out.empty() && rc != 0) {
        // The master's refusal (unknown node, bad parameter, ...) as a JSON error.
        return fail(true, rc, rc == kParamError ? "parameter" : rc == 1 ? "negative" : "error", err);
    }
    std::cout << out;
    std::cerr << err;
    if (answer->usage && !args.json) std::cerr << kUsage;
    return rc;
}
