// RateLimitedLog — log lines caused by remote input, at most N per reason per window.
//
// Wraps a Log& for the lines that an outside peer can cause at will (a garbage bus frame, a bad
// packet on the wire): each reason ("bad_framing", "bad_auth", ...) may write at most
// `max_per_window` lines per window (10 s by default); further lines of that reason are counted and
// summarised once the window is over as `<reason>: suppressed K similar messages in the last 10 s`.
// The summary is written by the next line of that reason after the window, or by flush() (call it
// from a periodic timer if you want it on time). Counting the drops themselves is the caller's job
// (a per-reason counter next to this), as keepalived pairs `log_rate_limited_error` with stats.
//
// Time and blocking: reads Clock::now() (monotonic) only; nothing blocks. Not thread-safe: one
// instance per event loop.
// Diagnostics: the lines it is given, plus the "suppressed" summaries at the same level.
// See also: docs/conventions.md §4 and §8, ipc/bus.hpp (bus drop reasons), heartbeatd-net.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"

namespace ha::ipc {

class RateLimitedLog {
public:
    static constexpr int kDefaultLinesPerWindow = 5;
    static constexpr std::chrono::seconds kDefaultWindow{10};

    // `log` and `clock` must outlive this object.
    RateLimitedLog(Log& log, const Clock& clock, int max_per_window = kDefaultLinesPerWindow,
                   std::chrono::steady_clock::duration window = kDefaultWindow);

    // Writes `text` unless `reason` already wrote max_per_window lines in its current window.
    // Returns true when the line was written, false when it was suppressed.
    bool write(LogLevel level, std::string_view reason, std::string_view text);

    template <class... A> bool warn(std::string_view reason, fmt::format_string<A...> f, A&&... a) {
        return write(LogLevel::warn, reason, fmt::format(f, std::forward<A>(a)...));
    }
    template <class... A> bool error(std::string_view reason, fmt::format_string<A...> f, A&&... a) {
        return write(LogLevel::error, reason, fmt::format(f, std::forward<A>(a)...));
    }

    // Writes the summary of every reason whose window is over and that suppressed lines in it.
    void flush();

    // Lines of `reason` suppressed since construction (summaries do not reset this).
    std::uint64_t suppressed(std::string_view reason) const;

    Log& log() { return log_; }

private:
    struct Window {
        SteadyTime start{};
        int written = 0;
        std::uint64_t suppressed_now = 0;    // in the current window, not yet summarised
        std::uint64_t suppressed_total = 0;  // since construction
        LogLevel level = LogLevel::warn;     // level of the last suppressed line
    };
    void summarise(const std::string& reason, Window& w);

    Log& log_;
    const Clock& clock_;
    int max_per_window_;
    std::chrono::steady_clock::duration window_;
    std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace ha::ipc
