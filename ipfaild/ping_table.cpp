#include "ipfaild/ping_table.hpp"

#include <algorithm>

namespace ha::ipfail {

std::string_view ping_state_name(PingState state) {
    switch (state) {
        case PingState::init: return "init";
        case PingState::up: return "up";
        case PingState::dead: return "dead";
    }
    return "init";
}

PingTable::PingTable(const std::vector<conf::PingNode>& nodes, std::chrono::milliseconds deadping,
                     ipc::SteadyTime start)
    : deadping_(deadping) {
    for (const auto& n : nodes) entries_.push_back(Entry{n.name, n.hosts, n.group, PingState::init, start});
}

std::vector<PingChange> PingTable::on_reply(std::string_view host, ipc::SteadyTime now) {
    std::vector<PingChange> changes;
    for (auto& e : entries_) {
        if (std::find(e.hosts.begin(), e.hosts.end(), host) == e.hosts.end()) continue;
        e.last_reply = std::max(e.last_reply, now);
        if (e.state != PingState::up) {
            changes.push_back(PingChange{e.name, e.state, PingState::up});
            e.state = PingState::up;
        }
    }
    return changes;
}

std::vector<PingChange> PingTable::on_tick(ipc::SteadyTime now) {
    std::vector<PingChange> changes;
    for (auto& e : entries_) {
        if (e.state == PingState::dead || now - e.last_reply < deadping_) continue;
        changes.push_back(PingChange{e.name, e.state, PingState::dead});
        e.state = PingState::dead;
    }
    return changes;
}

std::optional<ipc::SteadyTime> PingTable::next_deadline() const {
    std::optional<ipc::SteadyTime> next;
    for (const auto& e : entries_) {
        if (e.state == PingState::dead) continue;
        const auto at = e.last_reply + deadping_;
        if (!next || at < *next) next = at;
    }
    return next;
}

int PingTable::up_count() const {
    return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                          [](const Entry& e) { return e.state == PingState::up; }));
}

bool PingTable::all_dead() const {
    return !entries_.empty() &&
           std::all_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.state == PingState::dead; });
}

std::optional<PingState> PingTable::state(std::string_view name) const {
    for (const auto& e : entries_)
        if (e.name == name) return e.state;
    return std::nullopt;
}

std::vector<std::string> PingTable::hosts() const {
    std::vector<std::string> out;
    for (const auto& e : entries_)
        for (const auto& h : e.hosts)
            if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
    return out;
}

}  // namespace ha::ipfail
