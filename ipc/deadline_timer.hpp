// DeadlineTimer — a shell's one timer at its core's next_deadline() (docs/conventions.md §6).
//
// Cores own no timers: they expose next_deadline() and take on_tick(now). Every shell keeps one
// timer armed at that deadline; this is it, so the shells do not each write cancel / expires_at /
// async_wait / error-code checks again. arm() replaces any earlier arming; an empty deadline just
// cancels; a deadline in the past fires at once. `on_due` runs on the loop when the timer fires,
// never when it was cancelled or re-armed first; it typically reads what waits on its sockets
// (a reply already there counts before a silence verdict), calls the core's on_tick and arms again.
//
// Time and blocking: an Asio steady_timer on the caller's io_context; never blocks.
// Diagnostics: none.
// See also: ipc/clock.hpp, master/cluster_shell.cpp, rscd/bus_mode.cpp (callers).
#pragma once

#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/clock.hpp"

namespace ha::ipc {

class DeadlineTimer {
public:
    explicit DeadlineTimer(boost::asio::io_context& io) : timer_(io) {}

    // Arms at `deadline`, replacing any earlier arming; with no deadline only cancels.
    void arm(std::optional<SteadyTime> deadline, std::function<void()> on_due) {
        timer_.cancel();
        if (!deadline) return;
        timer_.expires_at(*deadline);
        timer_.async_wait([on_due = std::move(on_due)](const boost::system::error_code& ec) {
            if (!ec) on_due();
        });
    }
    void cancel() { timer_.cancel(); }
    // When the timer was last armed to fire (how late it ran shows a stall of the loop).
    SteadyTime expiry() const { return timer_.expiry(); }

private:
    boost::asio::steady_timer timer_;
};

}  // namespace ha::ipc
