// standby_request — the shared body of hb_standby and hb_takeover.
//
// Both take one optional argument from all (default), foreign, local, failback; anything else, or
// more than one argument, prints usage and exits 1 (compat spec §10.2). The request goes to the
// master's control socket (`t=standby|takeover rsc_hold=KIND`); the master runs the handshake with
// the peer. `--run-dir DIR` reaches a node that is not at /run/hamaster.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "ipc/bus.hpp"
#include "ipc/message.hpp"

namespace ha::tools {

inline int standby_request(const char* program, const char* type, const char* verb, int argc, char** argv) {
    std::string run_dir = "/run/hamaster";
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--run-dir" && i + 1 < argc) run_dir = argv[++i];
        else words.push_back(a);
    }
    auto usage = [&] {
        std::cerr << "usage: " << program << " [--run-dir DIR] [all|foreign|local|failback]\n";
        return 1;
    };
    if (words.size() > 1) return usage();
    const std::string kind = words.empty() ? "all" : words[0];
    if (kind != "all" && kind != "foreign" && kind != "local" && kind != "failback") return usage();

    ipc::Message req;
    req.add("t", type);
    req.add("rsc_hold", kind);
    auto reply = ipc::control_request(run_dir, req, std::chrono::seconds(5));
    if (!reply) {
        std::cerr << program << ": " << reply.error().message << "\n";
        return reply.error().code == "not_running" ? 2 : 1;
    }
    std::cout << verb << " [" << kind << "].\n";
    return 0;
}

}  // namespace ha::tools
