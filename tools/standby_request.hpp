// standby_request — the shared body of hb_standby and hb_takeover.
//
// Both take one optional argument from all (default), foreign, local, failback; anything else, or
// more than one argument, prints usage and exits 1 (compat spec §10.2). The request goes to the
// master's control socket (`t=standby|takeover rsc_hold=KIND`); the master decides at once whether
// it can go ahead (ResourceOwner::standby_refusal / takeover_refusal) and runs the handshake with
// the peer. A refused request says why and exits 3: it never prints "Going standby" and exits 0
// as if it had been done. `--wait[=SECONDS]` then polls `t=standby_state` until the handshake
// it started has ended (the master counts the ends) and says whether the resources moved.
// `--run-dir DIR` reaches a node that is not at /run/hamaster.
//
// Exit codes (the table is in hamaster(8)): 0 accepted (with --wait: the resources moved),
// 1 usage, 2 hamaster not running or not answering, 3 refused now (the reason on stderr),
// 4 --wait: the handshake ended without moving them (no answer from the peer, the peer died,
// shutdown), 5 --wait: still not over after SECONDS.
#pragma once

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "ipc/bus.hpp"
#include "ipc/bus/control.hpp"
#include "ipc/message.hpp"
#include "ipc/version.hpp"
#include "tools/tool_args.hpp"

namespace ha::tools {

inline constexpr int kStandbyAccepted = 0;
inline constexpr int kStandbyUsage = 1;
inline constexpr int kStandbyNotRunning = 2;
inline constexpr int kStandbyRefused = 3;
inline constexpr int kStandbyNotMoved = 4;
inline constexpr int kStandbyTimeout = 5;

inline int standby_request(const char* program, const char* type, const char* verb, int argc, char** argv) {
    const auto args = parse_standby_args(std::vector<std::string>(argv + 1, argv + argc));
    const std::string usage = std::string("usage: ") + program +
                              " [--run-dir DIR] [--wait[=SECONDS]] [all|foreign|local|failback]\n"
                              "       " + program + " -h|--help | --version\n";
    switch (args.action) {
        case ToolAction::help: std::cout << usage; return 0;
        case ToolAction::version: std::cout << ipc::version_text(program); return 0;
        case ToolAction::usage_error: std::cerr << program << ": " << args.error << "\n" << usage; return kStandbyUsage;
        case ToolAction::run: break;
    }
    auto ask = [&](const ipc::Message& m) { return ipc::control_request(args.run_dir, m, std::chrono::seconds(5)); };
    auto unreachable = [&](const Error& e) {
        std::cerr << program << ": " << e.message << "\n";
        return kStandbyNotRunning;
    };

    auto reply = ask(ipc::bus::StandbyRequest{std::string_view(type) == ipc::bus::kTakeover, args.kind}.encode());
    if (!reply) return unreachable(reply.error());
    const std::string rc = reply->get_or("rc", "1");
    if (rc != "0") {
        std::cerr << program << ": [" << args.kind << "] refused: " << reply->get_or("reason", "(no reason given)") << "\n";
        return rc == "1" ? kStandbyUsage : kStandbyRefused;
    }
    std::cout << verb << " [" << args.kind << "].\n" << std::flush;
    if (!args.wait) return kStandbyAccepted;

    // --wait: the handshake started now ends when the master's count of ends moves past `ends`.
    const std::string ends_before = reply->get_or("ends", "0");
    const bool takeover = std::string_view(type) == ipc::bus::kTakeover;
    const auto reply_timeout = std::chrono::milliseconds(std::stoll(reply->get_or("reply_timeout_ms", "10000")));
    const auto start = std::chrono::steady_clock::now();
    const ipc::Message poll = ipc::bus::StandbyStateRequest{}.encode();
    while (true) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto state = ask(poll);
        if (!state) return unreachable(state.error());
        const std::string ends = state->get_or("ends", "0");
        const std::string last = state->get_or("last_end", "");
        const std::string hold = state->get_or("rsc_hold", "");
        const std::string peer = state->get_or("peer", "");
        if (std::stoull(ends) > std::stoull(ends_before)) {
            if (last == "done") {
                std::cout << "Resources moved: this node now holds [" << hold << "].\n";
                return kStandbyAccepted;
            }
            std::cerr << program << ": [" << args.kind << "] not moved: " << last << " (this node holds [" << hold << "])\n";
            return kStandbyNotMoved;
        }
        const auto waited = std::chrono::steady_clock::now() - start;
        // hb_takeover: the peer runs the handshake, and a peer that refuses says nothing on the
        // wire (Heartbeat's protocol): no handshake here within the reply time means it refused.
        if (takeover && state->get_or("standby", "idle") == "idle" && waited >= reply_timeout) {
            std::cerr << program << ": [" << args.kind << "] not moved: the peer did not start the handover within "
                      << std::chrono::duration_cast<std::chrono::seconds>(reply_timeout).count()
                      << " s (it refused: see its log)\n";
            return kStandbyNotMoved;
        }
        if (peer == "dead") {
            std::cerr << program << ": [" << args.kind << "] not moved: " << state->get_or("peer_node", "the peer")
                      << " is dead (this node holds [" << hold << "])\n";
            return kStandbyNotMoved;
        }
        if (waited >= *args.wait) {
            std::cerr << program << ": [" << args.kind << "] still not moved after " << args.wait->count()
                      << " s (this node holds [" << hold << "]; peer " << peer << ")\n";
            return kStandbyTimeout;
        }
    }
}

}  // namespace ha::tools
