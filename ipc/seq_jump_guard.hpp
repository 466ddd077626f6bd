// SeqJumpGuard — decides when a forward jump of a peer's `seq` within one generation may be believed.
//
// Without it, one accepted message with a huge `seq` (a forgery that got through, a corrupted
// frame with a valid crc) moves the receiver's position so far ahead that every later real
// message looks like a replay, and the peer is declared dead while it is talking: sequence
// poisoning. A real peer only jumps forward within a generation after we missed many of its
// messages (a long partition); a restart comes with a new generation, which is handled before
// this guard is asked. So:
//   - a seq up to `window` above the highest seen is believed at once (the normal case);
//   - a seq further ahead only becomes a *candidate*; it is believed once kConfirm messages in a
//     row each move forward from the previous one by at most `window` (a peer that really
//     moved on keeps sending from there), with no message at the old position in between — the
//     caller reports old-position messages with in_window(), which drops the candidate (the real
//     peer is evidently still where we thought).
// Messages held as candidates are not accepted; the caller drops and counts them (`seq_jump`).
// The caller keeps the highest seq; this class only keeps the candidate run.
//
// Used by the media daemons' ReplayWindow (per peer and link) and the master's SeqTrack (per peer),
// so neither the media daemon nor the master can be poisoned alone.
//
// Time and blocking: none. Diagnostics: none (the callers count and log).
// See also: ipc/media/replay_window.hpp, master/core/seq_track.hpp, docs/security.md.
#pragma once

#include <cstdint>
#include <optional>

namespace ha::ipc {

class SeqJumpGuard {
public:
    static constexpr int kConfirm = 3;

    enum class Verdict {
        in_window,  // believe it now
        held,       // beyond the window: a candidate, not (yet) believed
        resync,     // the kConfirm-th message of a candidate run: believe it; the caller moves there
    };

    explicit SeqJumpGuard(std::uint64_t window) : window_(window) {}

    // `seq` above `highest`, the highest seq believed so far in this generation.
    Verdict check(std::uint64_t highest, std::uint64_t seq);
    // A message at the old position was believed: a pending candidate was not the peer.
    void in_window() { reset(); }
    void reset() {
        candidate_.reset();
        run_ = 0;
    }

    std::uint64_t window() const { return window_; }
    bool pending() const { return candidate_.has_value(); }

private:
    std::uint64_t window_;
    std::optional<std::uint64_t> candidate_;  // the last seq of the current candidate run
    int run_ = 0;
};

}  // namespace ha::ipc
