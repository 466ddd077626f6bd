// SeqTrack: generation and sequence bookkeeping for one peer. See seq_track.hpp.
#include "master/core/seq_track.hpp"

namespace ha::master {

SeqCheck SeqTrack::check(std::optional<std::uint64_t> generation, std::optional<std::uint64_t> seq) {
    SeqCheck out;
    if (generation) {
        if (generation_ && *generation < *generation_) {
            out.verdict = SeqVerdict::replay;
            return out;
        }
        if (!generation_ || *generation > *generation_) {
            out.generation_changed = true;
            out.previous_generation = generation_;
            generation_ = generation;
            last_seq_.reset();
            missing_.clear();
            guard_.reset();
        }
    }
    if (!seq) return out;
    if (!last_seq_ || *seq == *last_seq_ + 1) {
        last_seq_ = seq;
        guard_.in_window();
        return out;
    }
    if (*seq <= *last_seq_) {
        if (missing_.erase(*seq) == 0) out.verdict = SeqVerdict::duplicate;
        else guard_.in_window();  // a retransmission: the peer still speaks at the old position
        return out;
    }
    switch (guard_.check(*last_seq_, *seq)) {
        case ipc::SeqJumpGuard::Verdict::held:
            out.verdict = SeqVerdict::jump;
            return out;
        case ipc::SeqJumpGuard::Verdict::resync:
            out.resynced = true;
            missing_.clear();  // too far behind to ask for them: start over silently
            break;
        case ipc::SeqJumpGuard::Verdict::in_window: {
            out.lost_from = last_seq_;
            out.lost_to = seq;
            for (std::uint64_t s = *last_seq_ + 1; s < *seq; ++s) missing_.insert(s);
            while (missing_.size() > kMaxGap) missing_.erase(missing_.begin());
            break;
        }
    }
    last_seq_ = seq;
    return out;
}

}  // namespace ha::master
