// SeqJumpGuard — see seq_jump_guard.hpp.
#include "ipc/seq_jump_guard.hpp"

namespace ha::ipc {

SeqJumpGuard::Verdict SeqJumpGuard::check(std::uint64_t highest, std::uint64_t seq) {
    if (seq <= highest || seq - highest <= window_) {
        reset();
        return Verdict::in_window;
    }
    if (candidate_ && seq > *candidate_ && seq - *candidate_ <= window_) {
        candidate_ = seq;
        if (++run_ >= kConfirm) {
            reset();
            return Verdict::resync;
        }
        return Verdict::held;
    }
    candidate_ = seq;  // a new run (or a run that went backwards or leapt again)
    run_ = 1;
    return Verdict::held;
}

}  // namespace ha::ipc
