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

    // Each reply decoded strictly (ipc/bus/control.hpp); one that is not the master's answer
    // means we are not talking to a working master.
    auto ask_for = [&](const ipc::Message& m, bool state) -> Result<ipc::bus::ControlReply> {
        auto reply = ask(m);
        if (!reply) return reply.error();
        auto answer = ipc::bus::ControlReply::decode(*reply);
        if (!answer) return answer.error();
        if (state ? !answer->state : !answer->standby)
            return make_error("bad_reply", std::string("reply without the ") + (state ? "standby state" : "standby answer"));
        return answer;
    };
    auto reply = ask_for(ipc::bus::StandbyRequest{std::string_view(type) == ipc::bus::kTakeover, args.kind}.encode(), false);
    if (!reply) return unreachable(reply.error());
    if (reply->rc != 0) {
        const std::string& reason = reply->standby->reason;
        std::cerr << program << ": [" << args.kind << "] refused: " << (reason.empty() ? "(no reason given)" : reason) << "\n";
        return reply->rc == 1 ? kStandbyUsage : kStandbyRefused;
    }
    std::cout << verb << " [" << args.kind << "].\n" << std::flush;
    if (!args.wait) return kStandbyAccepted;

    // --wait: the handshake started now ends when the master's count of ends moves past `ends`.
    const std::uint64_t ends_before = reply->standby->ends;
    const bool takeover = std::string_view(type) == ipc::bus::kTakeover;
    const auto reply_timeout = std::chrono::milliseconds(reply->standby->reply_timeout_ms);
    const auto start = std::chrono::steady_clock::now();
    const ipc::Message poll = ipc::bus::StandbyStateRequest{}.encode();
    while (true) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        auto answer = ask_for(poll, true);
        if (!answer) return unreachable(answer.error());
        const auto& state = *answer->state;
        const std::string& last = state.last_end;
        const std::string& hold = state.rsc_hold;
        const std::string& peer = state.peer;
        if (state.ends > ends_before) {
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
        if (takeover && !state.running && waited >= reply_timeout) {
            std::cerr << program << ": [" << args.kind << "] not moved: the peer did not start the handover within "
                      << std::chrono::duration_cast<std::chrono::seconds>(reply_timeout).count()
                      << " s (it refused: see its log)\n";
            return kStandbyNotMoved;
        }
        if (peer == "dead") {
            std::cerr << program << ": [" << args.kind << "] not moved: " << (state.peer_node.empty() ? "the peer" : state.peer_node)
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
