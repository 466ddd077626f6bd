// ReceivePipeline — the core of heartbeatd-net: one datagram in, one verdict out (forward or drop).
//
// Checks, in this order, each charged to its DropReason (shared/style.md §8):
//   1. size      empty → `empty`; over ipc::kMaxMessageBytes or truncated by the kernel → `too_big`
//   2. framing + authentication: ipc::verify_and_decode → `bad_framing` / `no_auth` /
//                `unknown_key` / `bad_auth` (the codec's and auth's error codes, mapped)
//   3. own node  `src` is the local node → `own` (our own bcast/mcast coming back)
//   4. fields    `t`, `src`; `seq` unless `t` starts with NS_; `hg` on `status` → `missing_field`;
//                `seq`/`hg` not hex → `bad_field`
//   5. node      `src` not among the configured nodes → `unknown_node`
//   6. replay    per (peer, link): lower `hg` than the highest seen → `replay`; higher `hg` → the
//                peer restarted, its window is reset; `seq` seen → `duplicate`; `seq` more than
//                ReplayWindow::kSize below the highest → `replay`
// Own node is checked before replay (style.md lists replay first) so our own echoes never create
// replay state; every drop is still charged to exactly one reason.
//
// The replay window is kept per (peer, link), not per peer: Heartbeat sends every message on
// every medium, and the master must see each copy to know that each link is alive (compat spec §8).
// The master, which sees all media daemons, removes cross-link duplicates. A node name is compared
// case-insensitively (ha::conf lower-cases names; Heartbeat uses strcasecmp).
//
// An accepted message loses any `_`-prefixed field from the wire (those names are ours, on the
// bus) and gets `_link=<link>` and `_from=<ip:port>` appended; the master strips them.
//
// It decides nothing about nodes: no liveness, no status. It never owns a socket.
//
// Time and blocking: none; reads the monotonic Clock only to rate-limit log lines.
// Diagnostics: per link, rx / forwarded / drop_<reason> counters (NetCounters); per reason a
// rate-limited line `dropped packet from 127.0.0.3 via lo: bad_auth: <detail>` — WARN, or debug for
// `own` and `duplicate` (routine on bcast/mcast loops) — at most kLogBurst lines per reason per
// kLogInterval (ipc::RateLimitedLog), then `dropped packet bad_auth: suppressed N similar messages
// in the last 60 s`.
// See also: replay_window.hpp, net_counters.hpp, ipc/auth.hpp, compat spec §7.3.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "heartbeatd-net/drop_reason.hpp"
#include "heartbeatd-net/net_counters.hpp"
#include "heartbeatd-net/replay_window.hpp"
#include "ipc/auth_key.hpp"
#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/rate_limit.hpp"

namespace ha::net {

// Where a datagram came from.
struct Source {
    std::string address;  // dotted quad
    std::uint16_t port = 0;
    std::string text() const { return address + ":" + std::to_string(port); }
};

struct Forward {
    ipc::Message message;  // authenticated, `auth` removed, `_link` and `_from` appended
    std::string src;       // lower-cased node name
    std::string link;
};

struct Drop {
    DropReason reason;
    std::string detail;  // names the field or node; untrusted bytes are quoted
};

using Verdict = std::variant<Forward, Drop>;

struct PipelineConfig {
    std::string local_node;
    std::vector<std::string> nodes;  // every configured node (the local one may be included)
    ipc::AuthKeys keys;
};

class ReceivePipeline {
public:
    static constexpr int kLogBurst = 5;
    static constexpr std::chrono::seconds kLogInterval{60};

    // `counters`, `clock` and `log` must outlive the pipeline.
    ReceivePipeline(PipelineConfig config, NetCounters& counters, const ipc::Clock& clock, ipc::Log& log);

    // Judges one datagram received on `link`. `truncated`: the kernel cut it (MSG_TRUNC).
    Verdict receive(std::string_view datagram, const Source& from, std::string_view link, bool truncated = false);

    // New keys after authkeys changed on disk (Heartbeat re-reads it too).
    void set_keys(ipc::AuthKeys keys) { config_.keys = std::move(keys); }

    const PipelineConfig& config() const { return config_; }

private:
    struct PeerState {
        bool has_generation = false;
        std::uint64_t generation = 0;
        ReplayWindow window;
    };

    Verdict judge(std::string_view datagram, std::string_view link, const Source& from, bool truncated);
    Verdict drop(DropReason reason, std::string detail);
    void log_drop(const Drop& d, const Source& from, std::string_view link);

    PipelineConfig config_;
    NetCounters& counters_;
    ipc::Log& log_;
    ipc::RateLimitedLog limited_;
    std::array<std::string, kDropReasonCount> limit_keys_;  // "dropped packet <reason>"
    std::map<std::pair<std::string, std::string>, PeerState, std::less<>> peers_;  // (node, link)
};

// Lower-cases ASCII letters (node names).
std::string lower_ascii(std::string_view text);
// Parses a Heartbeat hex number (`seq`, `hg`): 1–16 hex digits, nothing else.
bool parse_hex(std::string_view text, std::uint64_t& out);

}  // namespace ha::net
