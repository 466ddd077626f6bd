#include "heartbeatd-serial/write_queue.hpp"

namespace ha::serial {

WriteQueue::WriteQueue(std::size_t max_frames, std::size_t max_bytes)
    : max_frames_(max_frames < 1 ? 1 : max_frames), max_bytes_(max_bytes) {}

bool WriteQueue::push(std::string frame, std::string_view supersede_key) {
    if (frame.empty()) return true;
    if (frame.size() > max_bytes_) {
        ++refused_;
        return false;
    }
    const std::size_t first = front_done_ > 0 ? 1 : 0;  // a frame going out is never touched
    if (!supersede_key.empty()) {
        for (std::size_t i = first; i < frames_.size(); ++i) {
            if (frames_[i].key != supersede_key) continue;
            if (bytes_ - frames_[i].bytes.size() + frame.size() > max_bytes_) break;  // make room below
            bytes_ = bytes_ - frames_[i].bytes.size() + frame.size();
            frames_[i].bytes = std::move(frame);
            ++superseded_;
            return true;
        }
    }
    while (frames_.size() >= max_frames_ || bytes_ + frame.size() > max_bytes_) {
        if (!drop_one()) {
            ++refused_;
            return false;
        }
    }
    bytes_ += frame.size();
    frames_.push_back(Entry{std::move(frame), std::string(supersede_key)});
    return true;
}

bool WriteQueue::drop_one() {
    // The front frame is untouchable once it started going out.
    const std::size_t first = front_done_ > 0 ? 1 : 0;
    for (int pass = 0; pass < 2; ++pass) {
        const bool want_heartbeat = pass == 0;  // keyed frames (heartbeats, acks) go first
        for (std::size_t i = first; i < frames_.size(); ++i) {
            if (frames_[i].key.empty() == want_heartbeat) continue;
            bytes_ -= frames_[i].bytes.size();
            if (i == 0) front_done_ = 0;
            frames_.erase(frames_.begin() + static_cast<std::ptrdiff_t>(i));
            ++(want_heartbeat ? dropped_heartbeats_ : dropped_other_);
            return true;
        }
    }
    return false;
}

std::string_view WriteQueue::front() const {
    return std::string_view(frames_.front().bytes).substr(front_done_);
}

void WriteQueue::consumed(std::size_t n) {
    if (frames_.empty()) return;
    const std::size_t left = frames_.front().bytes.size() - front_done_;
    if (n > left) n = left;
    front_done_ += n;
    bytes_ -= n;
    if (front_done_ == frames_.front().bytes.size()) {
        frames_.pop_front();
        front_done_ = 0;
    }
}

void WriteQueue::clear() {
    frames_.clear();
    bytes_ = 0;
    front_done_ = 0;
}

}  // namespace ha::serial
