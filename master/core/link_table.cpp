// LinkTable: node and link liveness, status words, generation/sequence checks. See link_table.hpp.
#include "master/core/link_table.hpp"

#include <algorithm>
#include <utility>

namespace ha::master {

using std::chrono::milliseconds;

LinkTable::LinkTable(LinkTableParams params, ipc::Log& log, ipc::SteadyTime start)
    : params_(std::move(params)), log_(log), start_(start), local_status_(kStatusUp) {
    for (const auto& peer : params_.peers) {
        Node node;
        node.name = peer.name;
        node.type = NodeType::normal;
        for (const auto& l : peer.links) node.links.push_back(Link{.name = l});
        nodes_.push_back(std::move(node));
    }
    for (const auto& ping : params_.ping_nodes) {
        Node node;
        node.name = ping;
        node.type = NodeType::ping;
        node.links.push_back(Link{.name = ping});
        nodes_.push_back(std::move(node));
    }
    log_.info("Local status now set to: '{}'", local_status_);
}

milliseconds LinkTable::effective_deadtime(NodeType type) const {
    const milliseconds base = type == NodeType::ping ? params_.deadping : params_.deadtime;
    return comm_up_ ? base : std::max(base, params_.initdead);
}

milliseconds LinkTable::link_deadtime(const Node& node, const Link& link) const {
    const milliseconds base = effective_deadtime(node.type);
    if (node.type != NodeType::normal) return base;
    auto it = params_.link_deadtime.find(link.name);
    return it == params_.link_deadtime.end() ? base : std::max(base, it->second);
}

milliseconds LinkTable::proof_horizon() const {
    milliseconds horizon = effective_deadtime(NodeType::normal);
    for (const auto& [link, deadtime] : params_.link_deadtime) horizon = std::max(horizon, deadtime);
    return horizon;
}

ipc::SteadyTime LinkTable::death_due(const Node& node) const {
    std::optional<ipc::SteadyTime> due;
    for (const auto& l : node.links) {
        const ipc::SteadyTime t = l.last_heard.value_or(start_) + link_deadtime(node, l);
        if (!due || t > *due) due = t;
    }
    return due.value_or(start_ + effective_deadtime(node.type));
}

std::optional<ipc::SteadyTime> LinkTable::last_heard(const Node& node) const {
    std::optional<ipc::SteadyTime> last;
    for (const auto& l : node.links) {
        if (l.last_heard && (!last || *l.last_heard > *last)) last = l.last_heard;
    }
    return last;
}

LinkTable::Node* LinkTable::find_node(std::string_view name) {
    for (auto& n : nodes_) {
        if (n.name == name) return &n;
    }
    return nullptr;
}

const LinkTable::Node* LinkTable::find_node(std::string_view name) const {
    for (const auto& n : nodes_) {
        if (n.name == name) return &n;
    }
    return nullptr;
}

LinkTable::Link* LinkTable::find_link(Node& node, std::string_view name) {
    for (auto& l : node.links) {
        if (l.name == name) return &l;
    }
    return nullptr;
}

HeartbeatOutcome LinkTable::drop(Node* node, Link* link, DropReason reason, HeartbeatOutcome out) {
    if (node) ++node->counters.dropped[reason];
    else ++unattributed_drops_[reason];
    if (link) ++link->counters.dropped[reason];
    out.dropped = reason;
    return out;
}

void LinkTable::refresh_link(ipc::SteadyTime at, Node& node, Link& link, std::vector<ClusterEvent>& events) {
    if (link.last_heard && *link.last_heard < at)
        link.counters.interval = std::chrono::duration_cast<std::chrono::milliseconds>(at - *link.last_heard);
    if (!link.last_heard || *link.last_heard < at) link.last_heard = at;
    if (link.status == LinkStatus::up) return;
    link.status = LinkStatus::up;
    log_.info("Link {}:{} up.", node.name, link.name);
    events.push_back(LinkStatusChanged{node.name, link.name, LinkStatus::up});
}

void LinkTable::set_node_status(Node& node, std::string_view status, std::vector<ClusterEvent>& events) {
    if (status.empty() || node.status == status) return;
    std::string old = std::exchange(node.status, std::string(status));
    log_.info("Status update for node {}: status {}", node.name, node.status);
    events.push_back(NodeStatusChanged{node.name, std::move(old), node.status});
}

void LinkTable::declare_dead(Node& node, std::vector<ClusterEvent>& events) {
    std::string old = std::exchange(node.status, std::string(kStatusDead));
    node.generation_at_death = node.seq.generation();
    log_.warn("node {}: is dead", node.name);
    events.push_back(NodeStatusChanged{node.name, std::move(old), node.status});
    events.push_back(NodeDead{node.name});
    node.late = false;  // the decision supersedes the hint
    for (auto& l : node.links) {
        if (l.status != LinkStatus::up) continue;
        l.status = LinkStatus::dead;
        log_.info("Link {}:{} dead.", node.name, l.name);
        events.push_back(LinkStatusChanged{node.name, l.name, LinkStatus::dead});
    }
}

bool LinkTable::every_node_heard_or_dead() const {
    return std::all_of(nodes_.begin(), nodes_.end(),
                       [](const Node& n) { return n.heard || n.status == kStatusDead; });
}

void LinkTable::check_comm_up(std::vector<ClusterEvent>& events) {
    if (comm_up_ || !every_node_heard_or_dead()) return;
    comm_up_ = true;
    if (local_status_ != kStatusUp) return;  // e.g. already shutting down
    log_.info("Comm_now_up(): updating status to active");
    std::string old = std::exchange(local_status_, std::string(kStatusActive));
    events.push_back(LocalStatusChanged{std::move(old), local_status_});
}

HeartbeatOutcome LinkTable::on_heartbeat(ipc::SteadyTime now, std::string_view node_name,
                                         std::string_view link_name, const HeartbeatInfo& info) {
    HeartbeatOutcome out;
    if (node_name == params_.local_node) return drop(nullptr, nullptr, DropReason::own_node, std::move(out));
    Node* node = find_node(node_name);
    if (!node || node->type != NodeType::normal) {
        return drop(nullptr, nullptr, DropReason::unknown_node, std::move(out));
    }
    ++node->counters.received;
    Link* link = find_link(*node, link_name);
    if (!link) return drop(node, nullptr, DropReason::unknown_link, std::move(out));
    ++link->counters.received;

    // No seq (the NS_ types): outside the sequence, so it cannot show it is new. It is used only
    // when it names the generation the peer's sequenced messages established, and never moves it.
    if (!info.seq) {
        if (!info.generation || !node->seq.generation() || *info.generation != *node->seq.generation())
            return drop(node, link, DropReason::stale, std::move(out));
        ++node->counters.accepted;
        return out;  // refreshes nothing: only a status heartbeat proves the peer alive
    }

    const SeqCheck check = node->seq.check(info.generation, info.seq);
    if (check.verdict == SeqVerdict::replay) return drop(node, link, DropReason::replay, std::move(out));
    if (check.verdict == SeqVerdict::jump) return drop(node, link, DropReason::seq_jump, std::move(out));

    if (check.generation_changed) {
        node->last_status_at.reset();  // a new incarnation: no "late" against the old one
        node->proofs.clear();
        for (auto& l : node->links) l.status_seq.reset();
        if (check.previous_generation) {
            log_.info("Heartbeat restart on node {}", node->name);
            out.events.push_back(NodeRestarted{node->name, *check.previous_generation, *info.generation});
        }
    }
    if (check.verdict == SeqVerdict::duplicate) {
        // A copy of a recent proof of life that another link delivered first keeps this link up —
        // as of when that status first arrived, so a slow link (a paced cable carries every n-th
        // heartbeat, a frame time late) stays up, and a copy held back and replayed later buys
        // nothing.
        if (info.is_status() && info.generation && node->status != kStatusDead &&
            (!link->status_seq || *link->status_seq < *info.seq)) {
            auto proof = std::find_if(node->proofs.rbegin(), node->proofs.rend(),
                                      [&](const auto& p) { return p.first == *info.seq; });
            if (proof != node->proofs.rend()) {
                link->status_seq = info.seq;
                refresh_link(proof->second, *node, *link, out.events);
            }
        }
        return drop(node, link, DropReason::duplicate, std::move(out));
    }
    if (check.resynced) {
        out.resynced = true;
        log_.warn("node {}: seq moved to {} in generation {}, confirmed by {} messages in a row", node->name, *info.seq,
                  node->seq.generation().value_or(0), ipc::SeqJumpGuard::kConfirm);
    }
    // Fresh, in order (not a retransmission filling a gap), of the current generation, and a
    // status heartbeat: the only proof that the peer is alive now.
    const bool proves_alive = info.is_status() && info.generation && node->seq.last_seq() == info.seq;
    if (proves_alive) {
        if (std::exchange(node->late, false)) {
            log_.debug("node {}: on time again", node->name);
            out.events.push_back(PeerOnTime{node->name});
        }
        confirm_spent_ = false;  // progress: a later stall may be confirmed again
        node->proofs.emplace_back(*info.seq, now);
        const auto horizon = proof_horizon();
        while (node->proofs.size() > kMaxProofs || now - node->proofs.front().second > horizon) node->proofs.pop_front();
        link->status_seq = info.seq;
        refresh_link(now, *node, *link, out.events);
    }
    if (check.lost_from && check.lost_to) {
        const std::uint64_t count = *check.lost_to - *check.lost_from - 1;
        node->counters.lost += count;
        log_.warn("{} lost packet(s) for [{}] [{}:{}]", count, node->name, *check.lost_from, *check.lost_to);
        out.events.push_back(LostPackets{node->name, *check.lost_from, *check.lost_to});
    }

    ++node->counters.accepted;
    if (!proves_alive) {
        check_comm_up(out.events);
        return out;
    }
    node->heard = true;
    if (node->last_status_at) {
        const auto interval = std::chrono::duration_cast<milliseconds>(now - *node->last_status_at);
        if (interval > params_.warntime) {
            const bool beyond = interval > params_.deadtime;
            if (beyond) log_.crit("Late heartbeat: Node {}: interval {} ms (> deadtime)", node->name, interval.count());
            else log_.warn("Late heartbeat: Node {}: interval {} ms", node->name, interval.count());
            ++node->counters.late;
            ++link->counters.late;
            out.events.push_back(LateHeartbeat{node->name, interval, beyond});
        }
    }
    node->last_status_at = now;
    if (info.deadtime) node->peer_deadtime = info.deadtime;
    node->has_protocol = info.has_protocol;
    if (node->status == kStatusDead && !check.generation_changed && node->generation_at_death &&
        info.generation == node->generation_at_death) {
        log_.crit("Cluster node {} returning after partition.", node->name);
        out.events.push_back(ReturningAfterPartition{node->name});
    }
    set_node_status(*node, info.status, out.events);
    check_comm_up(out.events);
    return out;
}

HeartbeatOutcome LinkTable::on_ping_reply(ipc::SteadyTime now, std::string_view ping_node) {
    HeartbeatOutcome out;
    Node* node = find_node(ping_node);
    if (!node || node->type != NodeType::ping) {
        return drop(nullptr, nullptr, DropReason::unknown_node, std::move(out));
    }
    Link& link = node->links.front();
    ++node->counters.received;
    ++link.counters.received;
    ++node->counters.accepted;
    node->heard = true;
    refresh_link(now, *node, link, out.events);
    set_node_status(*node, kStatusPing, out.events);
    check_comm_up(out.events);
    return out;
}

std::optional<milliseconds> LinkTable::late_after() const {
    if (params_.guard_lead <= milliseconds::zero()) return std::nullopt;
    milliseconds late = std::max({params_.warntime, params_.deadtime - params_.guard_lead, params_.keepalive});
    if (params_.guard_window > milliseconds::zero() && late + params_.guard_window > params_.deadtime)
        late = std::min(late, std::max(params_.deadtime - params_.guard_window, 2 * params_.keepalive));
    if (late >= params_.deadtime) return std::nullopt;
    return late;
}

bool LinkTable::late_candidate(const Node& node) const {
    return comm_up_ && node.type == NodeType::normal && node.status != kStatusDead && node.heard && !node.late &&
           last_heard(node).has_value();
}

std::optional<ipc::SteadyTime> LinkTable::late_at(const Node& node) const {
    const auto late = late_after();
    if (!late || !late_candidate(node)) return std::nullopt;
    // As long before the death decision as late_after() is before deadtime, so the guard's window
    // is complete at the decision also when a slow link holds the decision back.
    return death_due(node) - (params_.deadtime - *late);
}

void LinkTable::confirm_silences(ipc::SteadyTime now, milliseconds stall) {
    if (confirm_spent_ || confirm_until_) return;  // one at a time, never extended
    confirm_until_ = now + stall_threshold();
    if (stall_logged_at_ && now - *stall_logged_at_ < std::chrono::seconds(10)) return;
    stall_logged_at_ = now;
    log_.info("Loop stalled for {} ms: reading what arrived meanwhile before any link or node is declared dead",
              stall.count());
}

milliseconds LinkTable::stall_threshold() const {
    return std::max(milliseconds(10), std::min(params_.keepalive, params_.deadtime / 4));
}

std::vector<ClusterEvent> LinkTable::on_tick(ipc::SteadyTime now) {
    std::vector<ClusterEvent> events;
    if (confirm_until_) {
        if (now < *confirm_until_) return events;
        confirm_until_.reset();
        confirm_spent_ = true;
    }
    for (auto& node : nodes_) {
        if (node.status != kStatusDead && now >= death_due(node)) {
            declare_dead(node, events);  // also takes its links down
            continue;
        }
        if (const auto late = late_at(node); late && now >= *late) {
            node.late = true;
            log_.debug("node {}: silent for {} ms: late", node.name,
                       std::chrono::duration_cast<milliseconds>(now - *last_heard(node)).count());
            events.push_back(PeerLate{node.name});
        }
        // Links of a live node, or of a dead node whose non-status packets brought a link back.
        for (auto& l : node.links) {
            if (l.status != LinkStatus::up || now - *l.last_heard < link_deadtime(node, l)) continue;
            l.status = LinkStatus::dead;
            log_.info("Link {}:{} dead.", node.name, l.name);
            events.push_back(LinkStatusChanged{node.name, l.name, LinkStatus::dead});
        }
    }
    check_comm_up(events);
    return events;
}

std::optional<ipc::SteadyTime> LinkTable::next_deadline() const {
    if (confirm_until_) return confirm_until_;  // nothing is judged before it
    if (!comm_up_ && every_node_heard_or_dead()) return start_;  // comm up is due now
    std::optional<ipc::SteadyTime> next;
    auto consider = [&next](ipc::SteadyTime t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& node : nodes_) {
        if (node.status != kStatusDead) consider(death_due(node));
        if (const auto late = late_at(node)) consider(*late);
        for (const auto& l : node.links) {
            if (l.status == LinkStatus::up) consider(*l.last_heard + link_deadtime(node, l));
        }
    }
    return next;
}

std::vector<ClusterEvent> LinkTable::set_local_status(std::string_view status) {
    std::vector<ClusterEvent> events;
    if (status.empty() || status == local_status_) return events;
    std::string old = std::exchange(local_status_, std::string(status));
    log_.info("Local status now set to: '{}'", local_status_);
    events.push_back(LocalStatusChanged{std::move(old), local_status_});
    return events;
}

std::vector<NodeSnapshot> LinkTable::nodes() const {
    std::vector<NodeSnapshot> out;
    out.push_back(NodeSnapshot{.name = params_.local_node, .type = NodeType::normal, .status = local_status_});
    for (const auto& n : nodes_) {
        out.push_back(NodeSnapshot{.name = n.name,
                                   .type = n.type,
                                   .status = n.status,
                                   .last_heard = last_heard(n),
                                   .generation = n.seq.generation(),
                                   .last_seq = n.seq.last_seq(),
                                   .peer_deadtime = n.peer_deadtime,
                                   .has_protocol = n.has_protocol,
                                   .counters = n.counters});
    }
    return out;
}

std::vector<LinkSnapshot> LinkTable::links() const {
    std::vector<LinkSnapshot> out;
    for (const auto& l : params_.local_links) {
        out.push_back(LinkSnapshot{.node = params_.local_node, .link = l});
    }
    for (const auto& n : nodes_) {
        for (const auto& l : n.links) {
            out.push_back(LinkSnapshot{.node = n.name, .link = l.name, .status = l.status,
                                       .last_heard = l.last_heard, .counters = l.counters});
        }
    }
    return out;
}

std::optional<std::string> LinkTable::node_status(std::string_view node) const {
    if (node == params_.local_node) return local_status_;
    if (const Node* n = find_node(node)) return n->status;
    return std::nullopt;
}

std::optional<NodeType> LinkTable::node_type(std::string_view node) const {
    if (node == params_.local_node) return NodeType::normal;
    if (const Node* n = find_node(node)) return n->type;
    return std::nullopt;
}

std::optional<LinkStatus> LinkTable::link_status(std::string_view node, std::string_view link) const {
    if (node == params_.local_node) {
        const auto& ll = params_.local_links;
        if (std::find(ll.begin(), ll.end(), link) != ll.end()) return LinkStatus::dead;
        return std::nullopt;
    }
    if (const Node* n = find_node(node)) {
        for (const auto& l : n->links) {
            if (l.name == link) return l.status;
        }
    }
    return std::nullopt;
}

void LinkTable::set_timings(milliseconds keepalive, milliseconds deadtime, milliseconds warntime, milliseconds initdead,
                            milliseconds deadping, std::map<std::string, milliseconds, std::less<>> link_deadtime) {
    params_.link_deadtime = std::move(link_deadtime);
    params_.keepalive = keepalive;
    params_.deadtime = deadtime;
    params_.warntime = warntime;
    params_.initdead = initdead;
    params_.deadping = deadping;
}

}  // namespace ha::master
