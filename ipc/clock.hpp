// Clock — the one source of time for every core class.
//
// now() is monotonic (every timeout, deadtime, backoff); wall_now() is system time, used only for
// log stamps and the `ts` field of messages. Cores take a Clock& (or a time_point argument) so unit
// tests drive them with FakeClock and never sleep.
//
// Time and blocking: SystemClock reads steady_clock / system_clock; nothing blocks.
// See also: docs/conventions.md §6.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace ha::ipc {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual SteadyTime now() const = 0;
    virtual WallTime wall_now() const = 0;
};

class SystemClock final : public Clock {
public:
    SteadyTime now() const override { return std::chrono::steady_clock::now(); }
    WallTime wall_now() const override { return std::chrono::system_clock::now(); }
};

// "mono 12345678.901": a monotonic instant in ms, for the debug lines that timestamp the takeover
// path across processes (log stamps are in seconds; steady_clock is CLOCK_MONOTONIC, one clock for
// every process of the host, network namespaces included). bench/failover reads them.
inline std::string mono_text(SteadyTime t) {
    const double ms = std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
    char text[48];
    std::snprintf(text, sizeof text, "mono %.3f", ms);
    return text;
}

// A clock that only moves when told to. Starts at an arbitrary non-zero point.
class FakeClock final : public Clock {
public:
    SteadyTime now() const override { return now_; }
    WallTime wall_now() const override { return wall_; }
    void advance(std::chrono::nanoseconds d) { now_ += d; wall_ += std::chrono::duration_cast<WallTime::duration>(d); }

private:
    SteadyTime now_ = SteadyTime{} + std::chrono::hours(1000);
    WallTime wall_ = WallTime{} + std::chrono::seconds(1764300000);
};

}  // namespace ha::ipc
