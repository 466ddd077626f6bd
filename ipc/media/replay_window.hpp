// ReplayWindow — which sequence numbers of one sender generation have been seen (a sliding bitmap).
//
// Keeps the highest seq seen and a bitmap of the kSize seqs at and below it (the IPsec/DTLS
// anti-replay window). A seq above the highest slides the window; one inside it is new unless its
// bit is set; one below it is too old to judge and is refused. Heartbeat only retransmits seqs the
// receiver asked for (compat spec §7.3), so a seq seen once is always a duplicate, while a
// retransmitted seq that never arrived still fits in the window (Heartbeat gives up after a gap of
// 250, below kSize).
// A seq more than kSize above the highest is a jump (ipc::SeqJumpGuard): it is `held` (refused,
// window unchanged) until SeqJumpGuard::kConfirm messages in a row confirm the new position; the
// last of them is `resync` (fresh, and the window starts over there). One forged or corrupt message with a
// huge seq therefore cannot make the peer's real messages look like replays.
//
// Time and blocking: none. Diagnostics: none (the caller counts and logs).
// See also: receive_pipeline.hpp.
#pragma once

#include <bitset>
#include <cstdint>

#include "ipc/seq_jump_guard.hpp"

namespace ha::media {

class ReplayWindow {
public:
    static constexpr std::uint64_t kSize = 256;

    enum class Verdict { fresh, duplicate, too_old, held, resync };

    // Judges `seq` and, when it is fresh, records it. `held`: a jump not (yet) confirmed.
    Verdict check_and_mark(std::uint64_t seq);
    void reset();

    bool started() const { return started_; }
    bool jump_pending() const { return guard_.pending(); }
    std::uint64_t highest() const { return highest_; }

private:
    bool started_ = false;
    std::uint64_t highest_ = 0;
    std::bitset<kSize> seen_;
    ipc::SeqJumpGuard guard_{kSize};  // bit (seq % kSize) for seq in (highest_ - kSize, highest_]
};

}  // namespace ha::media
