// FrameDecoder — cuts the serial byte stream into classic frames (`>>>` LF ... `<<<` LF), resyncing after noise.
//
// The null-modem cable carries Heartbeat's classic form with nothing between messages (compat spec
// "Confirmed on a live node", Serial wire), but a cable also carries line noise, half frames when a
// peer restarts mid-write, and whatever a confused device sends. The decoder is fed arbitrary chunks
// (one read() each) and hands out every complete frame; it never authenticates or parses fields —
// the frame goes on to ipc::verify_and_decode via the net daemon's ReceivePipeline.
//
// Rules (CR and LF both end a line, as in the classic codec):
//   - Outside a frame, a frame starts at `>>>` followed by CR or LF, wherever it is: bytes before
//     it (noise glued to the start marker included) are garbage.
//   - Inside a frame, empty lines are kept (the codec skips them); a line `<<<` ends the frame,
//     which is handed out as the bytes from `>>>` through `<<<` plus one LF.
//   - Inside a frame, a line that ends in `>>>` is a new start marker: the half frame before it is
//     discarded ("resync"). A NUL or a line without '=' cannot be part of a classic frame: the half
//     frame is discarded too ("resync") and the search for `>>>` goes on from that line.
//     (Cost: a field value ending in `>>>` cannot cross the cable; Heartbeat sends none.)
//   - A frame that grows past `max_frame_bytes` (ipc::kMaxMessageBytes) is discarded ("oversize")
//     and everything up to the next start marker is garbage.
// Memory: at most max_frame_bytes buffered, whatever it is fed.
//
// Time and blocking: none. Diagnostics: none; counters only (the shell logs and reports them).
// See also: port_link.hpp (the shell that feeds it), ipc/codec.hpp (classic form), tests/fuzz/
// fuzz_serial_frame.cpp, compat spec §4.1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/codec.hpp"

namespace ha::serial {

struct FrameCounters {
    std::uint64_t frames = 0;         // complete frames handed out
    std::uint64_t garbage_bytes = 0;  // bytes discarded: noise, half frames, oversize frames
                                      // (CR, LF and NUL between frames are filler, not counted)
    std::uint64_t resyncs = 0;        // half frames discarded (new `>>>`, NUL, impossible line)
    std::uint64_t oversize = 0;       // frames discarded for growing past the limit
};

class FrameDecoder {
public:
    using FrameHandler = std::function<void(std::string_view frame)>;

    explicit FrameDecoder(std::size_t max_frame_bytes = ipc::kMaxMessageBytes);

    // Consumes `bytes`; calls `on_frame` for each complete frame, in order. The view is valid only
    // during the call.
    void feed(std::string_view bytes, const FrameHandler& on_frame);
    // Convenience for tests: the complete frames of `bytes`.
    std::vector<std::string> feed(std::string_view bytes);

    // Forgets a partial frame (the port was closed); it is counted as a resync if there was one.
    void reset();

    const FrameCounters& counters() const { return counters_; }
    // Bytes currently held (a partial frame); never more than max_frame_bytes.
    std::size_t buffered() const { return frame_.size(); }
    bool in_frame() const { return in_frame_; }

private:
    void hunt_byte(char c);
    void frame_byte(char c, const FrameHandler& on_frame);
    void end_of_line(const FrameHandler& on_frame);
    void abandon_frame();

    std::size_t max_frame_bytes_;
    bool in_frame_ = false;
    int pending_gt_ = 0;          // hunting: trailing '>' seen so far (0..3)
    std::string frame_;           // in a frame: bytes from `>>>`
    std::size_t line_start_ = 0;  // in a frame: offset of the current line in frame_
    FrameCounters counters_;
};

}  // namespace ha::serial
