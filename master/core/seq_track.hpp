// SeqTrack — one peer's generation (`hg`) and sequence (`seq`) bookkeeping, as Heartbeat's seqtrack.
//
// The LinkTable keeps one per node and asks it about every incoming message:
//   - lower hg than known: a replay, drop it;
//   - higher hg: the peer restarted; sequence tracking starts over (restart is only worth a log
//     line when a previous generation was known — previous_generation says so);
//   - seq = last + 1: accept; seq <= last: duplicate (unless it is one we recorded as missing,
//     e.g. a retransmission, which is accepted and crossed off);
//   - gap of 1..250: accept and report the range [last:seq] as lost;
//   - gap > 250 (a jump): Heartbeat starts over from this seq at once; we only do so once
//     ipc::SeqJumpGuard::kConfirm messages in a row confirm the new position (verdict `jump` for
//     the ones before, which change nothing), so one forged or corrupt message with a huge seq
//     cannot turn every later real message into a "duplicate" (sequence poisoning).
// It never logs; the caller owns the wording.
//
// Time and blocking: none. Diagnostics: none (see LinkTable).
// See also: master/core/link_table.hpp, compat spec §7.3.
#pragma once

#include <cstdint>
#include <optional>
#include <set>

#include "ipc/seq_jump_guard.hpp"

namespace ha::master {

enum class SeqVerdict { accept, duplicate, replay, jump };

struct SeqCheck {
    SeqVerdict verdict = SeqVerdict::accept;
    bool generation_changed = false;                   // a new (higher or first) generation
    std::optional<std::uint64_t> previous_generation;  // set when a known generation was replaced
    std::optional<std::uint64_t> lost_from;            // gap: seqs lost_from+1 .. lost_to-1 missing
    std::optional<std::uint64_t> lost_to;
    bool resynced = false;  // accepted as the confirmation of a jump: tracking starts over here
};

class SeqTrack {
public:
    static constexpr std::uint64_t kMaxGap = 250;

    // Judges one message; updates the state unless the verdict is replay, duplicate or jump.
    // A message without hg keeps the current generation; one without seq is accepted as is.
    SeqCheck check(std::optional<std::uint64_t> generation, std::optional<std::uint64_t> seq);

    std::optional<std::uint64_t> generation() const { return generation_; }
    std::optional<std::uint64_t> last_seq() const { return last_seq_; }
    const std::set<std::uint64_t>& missing() const { return missing_; }

private:
    std::optional<std::uint64_t> generation_;
    std::optional<std::uint64_t> last_seq_;
    std::set<std::uint64_t> missing_;
    ipc::SeqJumpGuard guard_{kMaxGap + 1};  // seq - last > kMaxGap + 1 ⇔ a gap over kMaxGap
};

}  // namespace ha::master
