// DropReason — why a media daemon refused a datagram or frame: a fixed set, one counter and one log
// limiter each (the same names for heartbeatd-net and heartbeatd-serial).
//
// The order of the enum is roughly the order of the checks in ReceivePipeline (size → framing/auth →
// own node → fields → known node → local-only type → replay/freshness/jump); a datagram is always
// charged to the first check it fails. Names are stable: they appear in logs (`dropped packet from ... : bad_auth: ...`) and as
// `drop_<name>` fields of the `_stats` bus reply; in the counters segment (ipc/counters_segment.hpp)
// a drop is counted at its enum index, so a change of order bumps that layout's version.
//
// Time and blocking: none.
// See also: receive_pipeline.hpp, media_counters.hpp, docs/conventions.md §8.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace ha::media {

enum class DropReason : std::size_t {
    empty,          // zero-length datagram
    too_big,        // larger than ipc::kMaxMessageBytes (or truncated by the kernel)
    bad_framing,    // not a well-formed classic or netstring message (the codec's error)
    no_auth,        // well-formed but carries no digest
    unknown_key,    // digest made with a key index not in authkeys
    bad_auth,       // digest does not match
    own,            // our own message (broadcast/multicast loop, or a peer echoing us)
    missing_field,  // `t`, `src`, `seq` (not on NS_ types) or `hg` (on status) is absent
    bad_field,      // `seq` or `hg` present but not a hex number
    unknown_node,   // `src` is not a configured node
    not_wire,       // a type Heartbeat keeps local and never sends between nodes (NS_st, ifstat)
    replay,         // older generation, or seq fell below the replay window
    duplicate,      // seq already seen on this link in this generation
    stale,          // an NS_ message (no seq) that cannot prove it is fresh: not the current `hg`,
                    // or a `ts` older than the peer's clock as its last in-order message showed it
    seq_jump,       // seq too far ahead within one generation, held until confirmed (SeqJumpGuard)
};

inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::seq_jump) + 1;

inline constexpr std::array<std::string_view, kDropReasonCount> kDropReasonNames = {
    "empty", "too_big",   "bad_framing", "no_auth", "unknown_key", "bad_auth", "own",      "missing_field",
    "bad_field", "unknown_node", "not_wire", "replay", "duplicate",   "stale",    "seq_jump",
};

constexpr std::string_view drop_reason_name(DropReason reason) {
    return kDropReasonNames[static_cast<std::size_t>(reason)];
}

constexpr std::optional<DropReason> drop_reason_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        if (kDropReasonNames[i] == name) return static_cast<DropReason>(i);
    }
    return std::nullopt;
}

}  // namespace ha::media
