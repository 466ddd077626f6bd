// ReceivePipeline — the receive core of both media daemons: one datagram (heartbeatd-net) or frame
// (heartbeatd-serial) in, one verdict out (forward or drop).
//
// Checks, in this order, each charged to its DropReason (shared/style.md §8):
//   1. size      empty → `empty`; over ipc::kMaxMessageBytes or truncated by the kernel → `too_big`
//   2. framing + authentication: ipc::verify_and_decode → `bad_framing` / `no_auth` /
//                `unknown_key` / `bad_auth` (the codec's and auth's error codes, mapped); only the
//                active key and the one rollover key verify (ipc/auth_key.hpp)
//   3. own node  `src` is the local node → `own` (our own bcast/mcast coming back)
//   4. fields    `t`, `src`, `hg` on every message; `seq` unless `t` starts with NS_ →
//                `missing_field`; `seq`/`hg` not hex → `bad_field`; `t` = NS_st or ifstat
//                (Heartbeat keeps those local: NS_st is the ICMP ping payload) → `not_wire`
//   5. node      `src` not among the configured nodes → `unknown_node`
//   6. replay, per (peer, link): lower `hg` than the highest seen → `replay`. Messages with `seq`:
//                higher `hg` → the peer restarted, its window is reset; `seq` seen → `duplicate`;
//                `seq` more than ReplayWindow::kSize below the highest → `replay`; more than kSize
//                above it → `seq_jump` until ipc::SeqJumpGuard::kConfirm messages in a row confirm
//                the new position. NS_ messages (no `seq`, so no window) must prove they are fresh
//                or are `stale`: their `hg` must be the generation the peer's sequenced messages
//                established (an NS_ message never sets or moves it), and their `ts` may lag the
//                peer's clock by at most kNsMaxAge, where the peer's clock is the `ts` of its
//                newest in-order message plus the time elapsed here since it arrived (the monotonic
//                Clock: no clock sync between the nodes is needed). So a recorded NS_ackmsg
//                replayed after the peer stopped is refused kNsMaxAge later at most — and even when
//                accepted it refreshes nothing: only the master decides liveness, from `status`.
// The replay window is kept per (peer, link), not per peer: Heartbeat sends every message on
// every medium, and the master must see each copy to know that each link is alive (compat spec §8).
// The master, which sees all media daemons, removes cross-link duplicates. A node name is compared
// case-insensitively (ha::conf lower-cases names; Heartbeat uses strcasecmp).
//
// An accepted message loses any `_`-prefixed field from the wire (those names are ours, on the
// bus) and gets `_link=<link>` appended, then `_from=<ip:port>` when the Sender has an address (a
// UDP peer; a cable has none); the master strips them.
//
// It decides nothing about nodes: no liveness, no status. It never owns a socket.
//
// Time and blocking: none; reads the monotonic Clock to age NS_ timestamps and to rate-limit logs.
// Diagnostics: per link, rx / forwarded / drop_<reason> counters (MediaCounters); per reason a
// rate-limited line `dropped packet from 127.0.0.3 via lo: bad_auth: <detail>` — WARN, or debug for
// `own` and `duplicate` (routine on bcast/mcast loops) — at most kLogBurst lines per reason per
// kLogInterval (ipc::RateLimitedLog), then `dropped packet bad_auth: suppressed N similar messages
// in the last 60 s`.
// See also: replay_window.hpp, media_counters.hpp, ipc/auth.hpp, heartbeatd-net/media_bridge.hpp,
// heartbeatd-serial/serial_bridge.hpp, compat spec §7.3.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/media/drop_reason.hpp"
#include "ipc/media/media_counters.hpp"
#include "ipc/media/replay_window.hpp"
#include "ipc/auth_key.hpp"
#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/rate_limit.hpp"

namespace ha::media {

// Who sent a datagram or frame, as far as the medium can tell.
struct Sender {
    std::string label;    // names it in drop logs: a UDP peer's dotted quad, "tty" for a cable
    std::string address;  // forwarded as `_from` ("127.0.0.3:40000"); empty: no `_from` (a cable)
};

struct Forward {
    ipc::Message message;  // authenticated, `auth` removed, `_link` (and `_from`) appended
    std::string src;       // lower-cased node name
    std::string link;
};

struct Drop {
    DropReason reason;
    std::string detail;  // names the field or node; untrusted bytes are quoted
    // Expected of a healthy peer (counted, logged at debug only): our own echo, a duplicate on a
    // redundant link, an NS_ message that a Heartbeat 3.0.6 peer sends before its first sequenced
    // message on the link (nothing to judge it by yet; an ack is flow control, a rexmit is asked
    // again).
    bool routine = false;
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
    // How far an NS_ message's `ts` may lag the peer's clock (ts has 1 s resolution; the rest is
    // slack for delivery). Kept short: a replay inside it is harmless (NS_ proves no liveness).
    static constexpr std::chrono::seconds kNsMaxAge{5};

    // `counters`, `clock` and `log` must outlive the pipeline.
    ReceivePipeline(PipelineConfig config, MediaCounters& counters, const ipc::Clock& clock, ipc::Log& log);

    // Judges one datagram received on `link`. `truncated`: the kernel cut it (MSG_TRUNC).
    Verdict receive(std::string_view datagram, const Sender& from, std::string_view link, bool truncated = false);

    // New keys after authkeys changed on disk (Heartbeat re-reads it too).
    void set_keys(ipc::AuthKeys keys) { config_.keys = std::move(keys); }

    const PipelineConfig& config() const { return config_; }

private:
    // The peer's `ts` as its newest in-order message carried it, and when that arrived here.
    struct ClockAnchor {
        std::uint64_t ts = 0;
        ipc::SteadyTime at;
    };
    struct PeerState {
        bool has_generation = false;
        std::uint64_t generation = 0;
        ReplayWindow window;
        std::optional<ClockAnchor> anchor;
    };

    Verdict judge(std::string_view datagram, std::string_view link, const Sender& from, bool truncated);
    Verdict drop(DropReason reason, std::string detail);
    // Why an NS_ message cannot prove it is fresh, or nothing when it can.
    std::optional<std::string> ns_staleness(const PeerState& peer, std::uint64_t hg, std::optional<std::uint64_t> ts) const;
    void log_drop(const Drop& d, const Sender& from, std::string_view link);

    PipelineConfig config_;
    MediaCounters& counters_;
    const ipc::Clock& clock_;
    ipc::Log& log_;
    ipc::RateLimitedLog limited_;
    std::array<std::string, kDropReasonCount> limit_keys_;  // "dropped packet <reason>"
    std::map<std::pair<std::string, std::string>, PeerState, std::less<>> peers_;  // (node, link)
};

}  // namespace ha::media
