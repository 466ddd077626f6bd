// WriteQueue — the bounded queue of signed frames waiting for one serial port to take them.
//
// A serial line is slow (19200 baud is about 1.9 KB/s) and may stop taking bytes altogether (the
// peer is not reading, the cable is a pty nobody drains). The loop must never block on it, and a
// stale heartbeat is worth less than a fresh one. A frame may carry a supersede key (`status` for
// our heartbeat, `NS_ackmsg` for an acknowledgement, whose ackseq is cumulative): a new frame with
// the key of one still waiting replaces it IN PLACE (counted `superseded`: the line's pace, not a
// loss), so the newest heartbeat goes out as early as the old one would have, and a burst of acks
// costs the line one ack. The queue is also bounded in frames and bytes: when a new frame does not
// fit, the oldest keyed frame waiting is dropped first, then the oldest other frame, each drop
// counted. A frame partly written is never touched (that would put half a frame on the wire). A
// single frame larger than the byte bound is refused.
//
// Core only: the shell (PortLink) writes front() and calls consumed(n). Time and blocking: none.
// Diagnostics: counters `superseded`, `dropped_heartbeats` (keyed frames), `dropped_other`,
// `refused`; the shell logs.
// See also: port_link.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace ha::serial {

class WriteQueue {
public:
    static constexpr std::size_t kDefaultMaxFrames = 32;
    static constexpr std::size_t kDefaultMaxBytes = 64 * 1024;

    explicit WriteQueue(std::size_t max_frames = kDefaultMaxFrames, std::size_t max_bytes = kDefaultMaxBytes);

    // Queues `frame`. A non-empty `supersede_key` replaces a waiting frame with the same key (see
    // above). False when refused (bigger than the byte bound, or nothing could be dropped to make
    // room).
    bool push(std::string frame, std::string_view supersede_key = {});

    bool empty() const { return frames_.empty(); }
    std::size_t frames() const { return frames_.size(); }
    std::size_t bytes() const { return bytes_; }
    // Whether part of the front frame went out already. Precondition: !empty().
    bool front_started() const { return front_done_ > 0; }
    // The unwritten rest of the front frame. Precondition: !empty().
    std::string_view front() const;
    // `n` bytes of front() went out; the frame leaves the queue once all of it has.
    void consumed(std::size_t n);
    // Forgets everything (the port was lost; a half-written frame is garbage to the peer anyway).
    void clear();

    std::uint64_t superseded() const { return superseded_; }
    std::uint64_t dropped_heartbeats() const { return dropped_heartbeats_; }
    std::uint64_t dropped_other() const { return dropped_other_; }
    std::uint64_t refused() const { return refused_; }

private:
    struct Entry {
        std::string bytes;
        std::string key;  // supersede key; empty: never replaced, dropped last
    };
    bool drop_one();

    std::size_t max_frames_;
    std::size_t max_bytes_;
    std::deque<Entry> frames_;
    std::size_t bytes_ = 0;        // sum of unwritten bytes
    std::size_t front_done_ = 0;   // bytes of the front frame already written
    std::uint64_t superseded_ = 0;
    std::uint64_t dropped_heartbeats_ = 0;
    std::uint64_t dropped_other_ = 0;
    std::uint64_t refused_ = 0;
};

}  // namespace ha::serial
