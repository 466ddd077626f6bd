#include "heartbeatd-serial/frame_decoder.hpp"

namespace ha::serial {

namespace {

constexpr std::string_view kStart = ">>>";
constexpr std::string_view kEnd = "<<<";

bool is_eol(char c) { return c == '\n' || c == '\r'; }
bool is_special(char c) { return c == '\n' || c == '\r' || c == '\0'; }

// A line that can be part of a classic frame: `name=value` or `(T)name=value` — only the '=' is
// checked here; the codec judges the rest.
bool field_like(std::string_view line) {
    const auto eq = line.find('=');
    return eq != std::string_view::npos && eq > 0;
}

}  // namespace

FrameDecoder::FrameDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
    // ">>>\n" + "<<<\n" is the smallest frame; anything lower is a bug in the caller.
    if (max_frame_bytes_ < 8) max_frame_bytes_ = 8;
}

std::vector<std::string> FrameDecoder::feed(std::string_view bytes) {
    std::vector<std::string> out;
    feed(bytes, [&](std::string_view frame) { out.emplace_back(frame); });
    return out;
}

void FrameDecoder::feed(std::string_view bytes, const FrameHandler& on_frame) {
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    while (i < n) {
        if (!in_frame_) {
            hunt_byte(bytes[i++]);
            continue;
        }
        std::size_t j = i;
        while (j < n && !is_special(bytes[j])) ++j;
        if (j > i) {
            const std::size_t len = j - i;
            // Room is kept for the final LF, so a handed-out frame is at most max_frame_bytes_.
            if (frame_.size() + len >= max_frame_bytes_) {
                ++counters_.oversize;
                counters_.garbage_bytes += frame_.size();
                frame_.clear();
                in_frame_ = false;
                continue;  // hunt from byte i: the rest of the oversize frame is garbage
            }
            frame_.append(bytes.data() + i, len);
            i = j;
            continue;
        }
        frame_byte(bytes[i++], on_frame);
    }
}

void FrameDecoder::hunt_byte(char c) {
    if (c == '>') {
        if (pending_gt_ == 3) {
            ++counters_.garbage_bytes;  // ">>>>": the first one is noise
        } else {
            ++pending_gt_;
        }
        return;
    }
    if (is_eol(c) && pending_gt_ == 3) {
        pending_gt_ = 0;
        in_frame_ = true;
        frame_.assign(kStart);
        frame_.push_back('\n');
        line_start_ = frame_.size();
        return;
    }
    counters_.garbage_bytes += static_cast<std::uint64_t>(pending_gt_);
    pending_gt_ = 0;
    if (!is_special(c)) ++counters_.garbage_bytes;
}

void FrameDecoder::frame_byte(char c, const FrameHandler& on_frame) {
    if (c == '\0') {
        // Heartbeat's classic reader stops at a NUL: what came before is not a whole frame.
        abandon_frame();
        return;
    }
    end_of_line(on_frame);
}

void FrameDecoder::end_of_line(const FrameHandler& on_frame) {
    const std::string_view line = std::string_view(frame_).substr(line_start_);
    if (line == kEnd) {
        frame_.push_back('\n');
        ++counters_.frames;
        in_frame_ = false;
        on_frame(frame_);
        frame_.clear();
        line_start_ = 0;
        return;
    }
    if (line.ends_with(kStart)) {
        // A new start marker: the half frame (and any noise glued before the marker) goes.
        ++counters_.resyncs;
        counters_.garbage_bytes += line_start_ + line.size() - kStart.size();
        frame_.assign(kStart);
        frame_.push_back('\n');
        line_start_ = frame_.size();
        return;
    }
    if (!line.empty() && !field_like(line)) {
        // Cannot be part of a classic frame; the line holds no start marker either (checked above).
        ++counters_.resyncs;
        counters_.garbage_bytes += frame_.size();
        frame_.clear();
        line_start_ = 0;
        in_frame_ = false;
        return;
    }
    if (frame_.size() + 1 >= max_frame_bytes_) {
        ++counters_.oversize;
        counters_.garbage_bytes += frame_.size();
        frame_.clear();
        line_start_ = 0;
        in_frame_ = false;
        return;
    }
    frame_.push_back('\n');  // CR or LF: the codec treats both as a line break
    line_start_ = frame_.size();
}

void FrameDecoder::abandon_frame() {
    ++counters_.resyncs;
    counters_.garbage_bytes += frame_.size();
    frame_.clear();
    line_start_ = 0;
    in_frame_ = false;
}

void FrameDecoder::reset() {
    if (in_frame_) abandon_frame();
    counters_.garbage_bytes += static_cast<std::uint64_t>(pending_gt_);
    pending_gt_ = 0;
}

}  // namespace ha::serial
