// RateLimitedLog — see rate_limit.hpp.
#include "ipc/rate_limit.hpp"

namespace ha::ipc {

RateLimitedLog::RateLimitedLog(Log& log, const Clock& clock, int max_per_window,
                               std::chrono::steady_clock::duration window)
    : log_(log), clock_(clock), max_per_window_(max_per_window), window_(window) {}

void RateLimitedLog::summarise(const std::string& reason, Window& w) {
    if (w.suppressed_now == 0) return;
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(window_).count();
    log_.write(w.level, fmt::format("{}: suppressed {} similar messages in the last {} s", reason,
                                    w.suppressed_now, secs));
    w.suppressed_now = 0;
}

bool RateLimitedLog::write(LogLevel level, std::string_view reason, std::string_view text) {
    const SteadyTime now = clock_.now();
    auto it = windows_.find(reason);
    if (it == windows_.end()) {
        it = windows_.emplace(std::string(reason), Window{}).first;
        it->second.start = now;
    }
    Window& w = it->second;
    if (now - w.start >= window_) {
        summarise(it->first, w);
        w.start = now;
        w.written = 0;
    }
    if (w.written < max_per_window_) {
        ++w.written;
        log_.write(level, text);
        return true;
    }
    ++w.suppressed_now;
    ++w.suppressed_total;
    w.level = level;
    return false;
}

void RateLimitedLog::flush() {
    const SteadyTime now = clock_.now();
    for (auto& [reason, w] : windows_) {
        if (now - w.start < window_) continue;
        summarise(reason, w);
        w.start = now;
        w.written = 0;
    }
}

std::uint64_t RateLimitedLog::suppressed(std::string_view reason) const {
    auto it = windows_.find(reason);
    return it == windows_.end() ? 0 : it->second.suppressed_total;
}

}  // namespace ha::ipc
