// ReopenBackoff — how long to wait before trying to reopen a serial port that vanished.
//
// 100 ms after the first failure, doubling up to 5 s, back to 100 ms once the port opened again.
// A USB adapter that is replugged or a socat cable that is restarted comes back within a second;
// a port that stays gone costs one open() every 5 s. Core only: the shell owns the timer.
//
// Time and blocking: none (returns durations). Diagnostics: none.
// See also: port_link.hpp.
#pragma once

#include <chrono>

namespace ha::serial {

class ReopenBackoff {
public:
    static constexpr std::chrono::milliseconds kFirst{100};
    static constexpr std::chrono::milliseconds kMax{5000};

    // The delay before the next attempt; each call doubles the following one, up to kMax.
    std::chrono::milliseconds next() {
        const auto d = delay_;
        delay_ = delay_ * 2 > kMax ? kMax : delay_ * 2;
        return d;
    }
    // The port opened: the next failure starts again at kFirst.
    void reset() { delay_ = kFirst; }

private:
    std::chrono::milliseconds delay_ = kFirst;
};

}  // namespace ha::serial
