// PingTable — the status of every ping node and ping group, from echo replies and the clock.
//
// One entry per `ping host` (named by the host as written) and per `ping_group name host...`
// (named `name`, up while any member answers). An entry starts in `init` (never heard), goes `up`
// on the first reply and `dead` after `deadping` without one (counted from the start for a node
// that never answered, as Heartbeat does for ping nodes). It never owns a socket or a timer: the
// shell feeds replies (by host, as written in ha.cf) and ticks, and reads next_deadline().
//
// Time and blocking: only the time points it is given; nothing blocks.
// Diagnostics: none; it returns the transitions and IpfailService logs them.
// See also: arbiter.hpp, ipfail_service.hpp, compat spec §1.3 (`ping`, `ping_group`, `deadping`), §8.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/config/ha_cf.hpp"

namespace ha::ipfail {

enum class PingState { init, up, dead };
std::string_view ping_state_name(PingState state);  // "init", "up", "dead"

struct PingChange {
    std::string node;  // the ping node's name (host, or group name)
    PingState was = PingState::init;
    PingState is = PingState::init;
};

class PingTable {
public:
    struct Entry {
        std::string name;
        std::vector<std::string> hosts;
        bool group = false;
        PingState state = PingState::init;
        ipc::SteadyTime last_reply{};  // start time until the first reply
    };

    PingTable(const std::vector<conf::PingNode>& nodes, std::chrono::milliseconds deadping, ipc::SteadyTime start);

    // A matching echo reply from `host` (as written in ha.cf). Returns the entries that went up.
    std::vector<PingChange> on_reply(std::string_view host, ipc::SteadyTime now);
    // Declares dead every entry silent for deadping. Returns the transitions.
    std::vector<PingChange> on_tick(ipc::SteadyTime now);
    // When the next entry would go dead if nothing arrives; nullopt when none can.
    std::optional<ipc::SteadyTime> next_deadline() const;

    // Ping nodes (groups count once) that are up: the number ipfail exchanges with its peer.
    int up_count() const;
    // True when at least one ping node is configured and every one of them is dead.
    bool all_dead() const;
    std::optional<PingState> state(std::string_view name) const;
    const std::vector<Entry>& entries() const { return entries_; }
    // Every distinct host to ping, in ha.cf order.
    std::vector<std::string> hosts() const;

private:
    std::vector<Entry> entries_;
    std::chrono::milliseconds deadping_;
};

}  // namespace ha::ipfail
