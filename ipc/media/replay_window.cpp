#include "ipc/media/replay_window.hpp"

namespace ha::media {

ReplayWindow::Verdict ReplayWindow::check_and_mark(std::uint64_t seq) {
    if (!started_) {
        started_ = true;
        highest_ = seq;
        seen_.reset();
        seen_.set(seq % kSize);
        return Verdict::fresh;
    }
    if (seq > highest_) {
        const auto jump = guard_.check(highest_, seq);
        if (jump == ipc::SeqJumpGuard::Verdict::held) return Verdict::held;
        const std::uint64_t shift = seq - highest_;
        if (shift >= kSize) {
            seen_.reset();
        } else {
            for (std::uint64_t s = highest_ + 1; s <= seq; ++s) seen_.reset(s % kSize);
        }
        highest_ = seq;
        seen_.set(seq % kSize);
        return jump == ipc::SeqJumpGuard::Verdict::resync ? Verdict::resync : Verdict::fresh;
    }
    if (highest_ - seq >= kSize) return Verdict::too_old;
    if (seen_.test(seq % kSize)) return Verdict::duplicate;
    seen_.set(seq % kSize);
    guard_.in_window();  // the peer still speaks at the old position
    return Verdict::fresh;
}

void ReplayWindow::reset() {
    guard_.reset();
    started_ = false;
    highest_ = 0;
    seen_.reset();
}

}  // namespace ha::media
