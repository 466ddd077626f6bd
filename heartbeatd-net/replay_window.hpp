// ReplayWindow — which sequence numbers of one sender generation have been seen (a sliding bitmap).
//
// Keeps the highest seq seen and a bitmap of the kSize seqs at and below it (the IPsec/DTLS
// anti-replay window). A seq above the highest slides the window; one inside it is new unless its
// bit is set; one below it is too old to judge and is refused. Heartbeat only retransmits seqs the
// receiver asked for (compat spec §7.3), so a seq seen once is always a duplicate, while a
// retransmitted seq that never arrived still fits in the window (Heartbeat gives up after a gap of
// 250, below kSize).
//
// Time and blocking: none. Diagnostics: none (the caller counts and logs).
// See also: receive_pipeline.hpp.
#pragma once

#include <bitset>
#include <cstdint>

namespace ha::net {

class ReplayWindow {
public:
    static constexpr std::uint64_t kSize = 256;

    enum class Verdict { fresh, duplicate, too_old };

    // Judges `seq` and, when it is fresh, records it.
    Verdict check_and_mark(std::uint64_t seq);
    void reset();

    bool started() const { return started_; }
    std::uint64_t highest() const { return highest_; }

private:
    bool started_ = false;
    std::uint64_t highest_ = 0;
    std::bitset<kSize> seen_;  // bit (seq % kSize) for seq in (highest_ - kSize, highest_]
};

}  // namespace ha::net
