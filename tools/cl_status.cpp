// cl_status — Heartbeat's cluster status query tool, as a thin client of hamaster's control socket.
//
// Sub-commands, output words and exit codes follow Heartbeat 3 (compat spec §10.1 and "Confirmed on
// a live node"): the master answers each query with the text to print and the exit code, so the
// knowledge of the cluster lives in one place. This file only parses arguments, asks, and prints.
// Extra: `--run-dir DIR` to reach a node that is not at /run/hamaster, `--json` for scripts.
//
// Exit codes: as Heartbeat (0 ok, 1 negative answer / not running, 11 parameter error,
// 12 timeout, 13 other error).
// See also: master/control_service.hpp, ipc/bus.hpp (control_request).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "ipc/bus.hpp"
#include "ipc/message.hpp"

namespace {

constexpr int kParamError = 11;

const char* const kUsage =
    "usage: cl_status [--run-dir DIR] [--json] <sub-command> [options]\n"
    "  hbstatus [-v]                 is hamaster running here?\n"
    "  listnodes [-p|-n]             all nodes (-p ping nodes only, -n normal nodes only)\n"
    "  nodetype <node>               normal or ping\n"
    "  nodestatus <node>             init, up, active, dead or ping\n"
    "  listhblinks <node> [-v]       the heartbeat links to a node\n"
    "  hblinkstatus <node> <link>    up or dead\n"
    "  clientstatus <node> <client> [timeout]\n"
    "  rscstatus [-m]                none, local, foreign, all or transition\n"
    "  hbparameter -p <name>         a parameter of ha.cf\n"
    "  -m with any sub-command prints sentences instead of words\n";

int usage_error(const std::string& why) {
    if (!why.empty()) std::cerr << "cl_status: " << why << "\n";
    std::cerr << kUsage;
    return kParamError;
}

}  // namespace

int main(int argc, char** argv) {
    std::string run_dir = "/run/hamaster";
    bool json = false;
    std::vector<std::string> words;
    ha::ipc::Message req;
    req.add("t", "cl_status");
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--run-dir" && i + 1 < argc) {
            run_dir = argv[++i];
        } else if (a.rfind("--run-dir=", 0) == 0) {
            run_dir = a.substr(10);
        } else if (a == "--json") {
            json = true;
        } else if (a == "-h" || a == "--help") {
            std::cout << kUsage;
            return 0;
        } else if (a == "-p" && !words.empty() && words[0] == "hbparameter") {
            if (i + 1 >= argc) return usage_error("hbparameter -p needs a name");
            req.add("param", argv[++i]);
        } else if (a.size() == 2 && a[0] == '-') {
            req.add("flag", a.substr(1));
        } else {
            words.push_back(a);
        }
    }
    if (words.empty()) return usage_error("no sub-command");
    req.add("cmd", words[0]);
    for (std::size_t i = 1; i < words.size(); ++i) req.add("arg", words[i]);
    if (json) req.add("json", "1");

    auto reply = ha::ipc::control_request(run_dir, req, std::chrono::seconds(5));
    if (!reply) {
        if (reply.error().code == "not_running") {
            if (words[0] == "hbstatus") {
                std::cout << "Heartbeat is stopped on this machine.\n";
                return 1;
            }
            std::cerr << "ERROR: Cannot signon with heartbeat\nREASON: " << reply.error().message << "\n";
            return 1;
        }
        std::cerr << "cl_status: " << reply.error().message << "\n";
        return reply.error().code == "timeout" ? 12 : 13;
    }
    std::string out = reply->get_or("out", "");
    std::string err = reply->get_or("err", "");
    std::cout << out;
    std::cerr << err;
    if (reply->get_or("usage", "") == "1") std::cerr << kUsage;
    try {
        return std::stoi(reply->get_or("rc", "13"));
    } catch (const std::exception&) {
        return 13;
    }
}
