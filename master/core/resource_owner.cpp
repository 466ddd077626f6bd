// ResourceOwner — see resource_owner.hpp.
#include "master/core/resource_owner.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace ha::master {

std::string_view group_op_word(GroupOp op) { return op == GroupOp::start ? "start" : "stop"; }

ipc::Message RunGroup::to_message() const {
    ipc::Message m;
    m.add("t", "rsc_op").add("op", group_op_word(op)).add("group", group).add("seq", seq);
    return m;
}

Result<GroupResult> decode_group_result(const ipc::Message& message) {
    if (message.type() != "rsc_result") {
        return make_error("bad_type", fmt::format("not an rsc_result: t=\"{}\"", message.type()));
    }
    GroupResult r;
    auto op = message.get("op");
    if (!op) return make_error("missing_field", "rsc_result: missing field \"op\"");
    if (*op == "start") {
        r.op = GroupOp::start;
    } else if (*op == "stop") {
        r.op = GroupOp::stop;
    } else {
        return make_error("bad_field", fmt::format("rsc_result: unexpected op \"{}\"", *op));
    }
    for (const char* name : {"group", "seq", "rc"}) {
        if (!message.has(name)) return make_error("missing_field", fmt::format("rsc_result: missing field \"{}\"", name));
    }
    r.group = message.get_or("group", "");
    r.seq = message.get_or("seq", "");
    const std::string rc = message.get_or("rc", "");
    if (rc != "ok" && rc != "failed") return make_error("bad_field", fmt::format("rsc_result: bad rc \"{}\"", rc));
    r.ok = rc == "ok";
    r.running = message.get_or("running", "");
    r.failed_rsc = message.get_or("failed_rsc", "");
    r.error = message.get_or("error", "");
    return r;
}

ResourceOwner::ResourceOwner(ResourceOwnerParams params, ipc::Log& log)
    : params_(std::move(params)),
      log_(log),
      standby_({params_.peer_node, params_.standby_reply_timeout, params_.standby_resource_timeout}, log),
      settlement_(log) {
    groups_.reserve(params_.groups.size());
    for (const auto& g : params_.groups) {
        Group group;
        group.config = &g;
        group.local = g.node == params_.local_node;
        groups_.push_back(group);
    }
}

// --- state queries ------------------------------------------------------------------------------

ResourceSet ResourceOwner::holds() const {
    ResourceSet s = ResourceSet::none;
    for (const auto& g : groups_) {
        if (g.held) s = s | (g.local ? ResourceSet::local : ResourceSet::foreign);
    }
    return s;
}

ResourceSet ResourceOwner::claims() const {
    ResourceSet s = ResourceSet::none;
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        const Group& g = groups_[i];
        const bool flying = in_flight_ && in_flight_->index == i && in_flight_->op == GroupOp::start;
        const bool starting = g.wanted && !g.failed && !isolated_ && (flying || acquire_verdict(g) == AcquireVerdict::go);
        if (g.held || starting) s = s | (g.local ? ResourceSet::local : ResourceSet::foreign);
    }
    return s;
}

std::vector<ResourceOwner::GroupState> ResourceOwner::group_states() const {
    std::vector<GroupState> out;
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        const Group& g = groups_[i];
        GroupState st;
        st.key = g.config->key();
        st.text = g.config->text;
        st.local = g.local;
        st.held = g.held;
        st.wanted = g.wanted && !isolated_;
        st.failed = g.failed;
        st.in_flight = in_flight_ && in_flight_->index == i;
        st.waiting = g.wanted && !g.held && !g.failed && !st.in_flight && g.clearance_asked;
        if (st.in_flight) st.op = in_flight_->op;
        // The peer's words are its own: its `local` is our foreign.
        st.peer_holds = peer_alive() && has(mirror(peer_holds_), g.local ? ResourceSet::local : ResourceSet::foreign);
        out.push_back(std::move(st));
    }
    return out;
}

std::vector<std::string> ResourceOwner::held_groups() const {
    std::vector<std::string> keys;
    for (const auto& g : groups_) {
        if (g.held) keys.push_back(g.config->key());
    }
    return keys;
}

std::vector<std::string> ResourceOwner::busy_groups(const std::vector<conf::ResourceGroup>& next) const {
    std::vector<std::string> keys;
    for (const auto& change : conf::diff_groups(params_.groups, next)) {
        if (change.kind == conf::GroupChange::Kind::added) continue;
        for (std::size_t i = 0; i < groups_.size(); ++i) {
            const Group& g = groups_[i];
            if (g.config->key() != change.key) continue;
            const bool acquiring = g.wanted && !g.held && !g.failed && !isolated_;
            if (g.held || acquiring || (in_flight_ && in_flight_->index == i)) keys.push_back(change.key);
        }
    }
    return keys;
}

bool ResourceOwner::new_group_wanted(bool local) const {
    if (phase_ != Phase::running) return false;  // waiting/starting: the initial decision covers it
    bool others = false;
    for (const auto& g : groups_) {
        if (g.local != local) continue;
        if (g.wanted) return true;
        others = true;
    }
    if (others) return false;
    const bool peer_gone = peer_ == PeerState::dead || peer_departed_;
    return local ? peer_gone || !has(peer_holds_, ResourceSet::foreign) : peer_gone;
}

Result<ResourceActions> ResourceOwner::replace_groups(ipc::SteadyTime now, std::vector<conf::ResourceGroup> next) {
    if (const auto busy = busy_groups(next); !busy.empty()) {
        return make_error("busy", fmt::format("resource group {} is held or in flight here", busy.front()));
    }
    // Early probes are only hints for the groups as they were: ended here (pump() emits it).
    for (auto& g : groups_) drop_early_probe(g);
    // The old Group::config pointers die with the old params_.groups: keep the states by key.
    std::vector<std::pair<std::string, Group>> before;
    before.reserve(groups_.size());
    for (const auto& g : groups_) before.emplace_back(g.config->key(), g);
    std::optional<std::string> flying;
    if (in_flight_) flying = groups_[in_flight_->index].config->key();
    const bool want_local = new_group_wanted(true);
    const bool want_foreign = new_group_wanted(false);

    params_.groups = std::move(next);
    groups_.clear();
    groups_.reserve(params_.groups.size());
    bool starts = false;
    for (std::size_t i = 0; i < params_.groups.size(); ++i) {
        const conf::ResourceGroup& cfg = params_.groups[i];
        const bool local = cfg.node == params_.local_node;
        auto it = std::find_if(before.begin(), before.end(), [&](const auto& b) { return b.first == cfg.key(); });
        Group g;
        if (it != before.end() && it->second.local == local) {
            g = it->second;
        } else {
            g.wanted = local ? want_local : want_foreign;
            starts = starts || g.wanted;
        }
        g.config = &cfg;
        g.local = local;
        // A group in flight is busy, so it is never removed or changed: it is found here.
        if (flying && *flying == cfg.key()) in_flight_->index = i;
        groups_.push_back(g);
    }

    ResourceActions out;
    if (starts && phase_ == Phase::running && peer_alive() && standby_.idle()) {
        send_resource(out, holds(), false, "");  // the stable report follows at convergence
    }
    pump_and_settle(now, out);
    return out;
}

bool ResourceOwner::converged() const {
    if (in_flight_) return false;
    return std::none_of(groups_.begin(), groups_.end(),
                        [this](const Group& g) { return !g.failed && (g.wanted && !isolated_) != g.held; });
}

bool ResourceOwner::stable() const { return phase_ == Phase::running && converged(); }

bool ResourceOwner::in_transition() const {
    if (phase_ == Phase::waiting || phase_ == Phase::stopped) return false;
    return !converged() || phase_ != Phase::running || !standby_.idle();
}

std::string_view ResourceOwner::rsc_hold_word() const {
    if (in_transition()) return "transition";
    ResourceSet word = holds();
    const bool own_groups = std::any_of(groups_.begin(), groups_.end(), [](const Group& g) { return g.local; });
    if (!own_groups && has(roles_, ResourceSet::local) && !isolated_ && phase_ == Phase::running)
        word = word | ResourceSet::local;
    return resource_set_word(word);
}

std::optional<ipc::SteadyTime> ResourceOwner::next_deadline() const {
    std::optional<ipc::SteadyTime> d = standby_.deadline();
    const std::optional<ipc::SteadyTime> failed = failed_standby_ ? std::optional{failed_standby_->at} : std::nullopt;
    for (const auto& other : {report_deadline_, failed}) {
        if (other && (!d || *other < *d)) d = other;
    }
    return d;
}

// --- group plumbing -----------------------------------------------------------------------------

void ResourceOwner::want(ResourceSet set, bool wanted) {
    roles_ = wanted ? roles_ | set : without(roles_, set);
    for (auto& g : groups_) {
        if (!has(set, g.local ? ResourceSet::local : ResourceSet::foreign)) continue;
        g.wanted = wanted;
        g.failed = false;
        if (wanted) continue;  // a probe already running goes on: acquire_verdict() still decides
        g.lost_in_silence = false;
        if (g.clearance_asked) cancelled_clearances_.push_back(g.config->key());
        g.clearance_asked = false;
        g.cleared = false;
        drop_early_probe(g);
    }
}

void ResourceOwner::drop_early_probe(Group& g) {
    if (std::exchange(g.early_probe, false)) cancelled_clearances_.push_back(g.config->key());
}

// The acquisition rule, the one decision every start goes through (docs/split-brain.md).
ResourceOwner::AcquireVerdict ResourceOwner::acquire_verdict(const Group& g) const {
    const ResourceSet cls = g.local ? ResourceSet::local : ResourceSet::foreign;
    // Lost while we were silent: the peer's earlier word (standby, shutdone, a report without it)
    // predates that silence and vouches for nothing now. Only the guard can (seen in the chaos
    // soak: the master frozen 3 s, rscd released, the peer took over after deadtime, and the
    // master, thawed, started the group again from the peer's old standby before reading its news:
    // the VIP on both nodes for 20 ms, then an 8 s outage from the ARP caches it had turned).
    // A claim of the peer in its full report still keeps us from it (the safe side).
    const bool report = peer_ != PeerState::dead && news_ == PeerNews::full_report;
    const bool peer_claims = has(mirror(peer_holds_), cls);
    if (g.lost_in_silence && params_.require_acquire_clearance && !g.cleared) {
        if (report && peer_ == PeerState::alive && peer_stable_ && peer_claims) return AcquireVerdict::peer_holds;
        return AcquireVerdict::ask_guard;
    }
    // The peer said it released: `shutdone` (everything), or its `done` in the standby handshake.
    if (peer_departed_) return AcquireVerdict::go;
    if (has(standby_.taking(), cls)) return AcquireVerdict::go;
    // The peer's own full report of this life (its `resource` messages are in its words).
    if (report && peer_ == PeerState::alive && peer_stable_ && peer_claims) return AcquireVerdict::peer_holds;
    if (g.cleared || !params_.require_acquire_clearance) return AcquireVerdict::go;
    if (report && (peer_stable_ || peer_starting_) && !peer_claims) return AcquireVerdict::go;
    return AcquireVerdict::ask_guard;
}

void ResourceOwner::pump(ResourceActions& out) {
    for (auto& key : cancelled_clearances_) out.emplace_back(CancelClearance{std::move(key)});
    cancelled_clearances_.clear();
    if (in_flight_) return;
    auto issue = [&](std::size_t i, GroupOp op) {
        const auto& cfg = *groups_[i].config;
        if (op == GroupOp::start) {
            log_.info("Acquiring resource group: {}", cfg.text);
        } else {
            log_.info("Releasing resource group: {}", cfg.text);
        }
        InFlight f{i, op, "r" + std::to_string(next_seq_++)};
        out.emplace_back(RunGroup{op, cfg.key(), f.seq});
        in_flight_ = std::move(f);
    };
    // Stops first, in reverse haresources order (Heartbeat's givegroup order).
    for (std::size_t i = groups_.size(); i-- > 0;) {
        const Group& g = groups_[i];
        if (g.held && (!g.wanted || isolated_) && !g.failed) return issue(i, GroupOp::stop);
    }
    if (isolated_) return;  // ipfail: this node sees no ping node and no peer; hold nothing
    // Then starts: local groups, then foreign ones, each in file order.
    for (bool local : {true, false}) {
        for (std::size_t i = 0; i < groups_.size(); ++i) {
            Group& g = groups_[i];
            if (g.local != local || !g.wanted || g.held || g.failed) continue;
            switch (acquire_verdict(g)) {
                case AcquireVerdict::peer_holds:
                    // Starting it would hold it twice: the settlement or the handshake moves it.
                    log_.info("{} holds resource group {}: not acquiring it here", params_.peer_node, g.config->text);
                    if (g.clearance_asked || g.early_probe) out.emplace_back(CancelClearance{g.config->key()});
                    g.wanted = g.clearance_asked = g.cleared = g.early_probe = g.lost_in_silence = false;
                    continue;
                case AcquireVerdict::ask_guard:
                    if (!g.clearance_asked) {
                        // An early probe of this group becomes this one (rscd keeps its rounds).
                        g.clearance_asked = true;
                        g.early_probe = false;
                        out.emplace_back(AwaitClearance{g.config->key(), g.local});
                    }
                    continue;
                case AcquireVerdict::go:
                    // The peer's word came first.
                    if (g.clearance_asked || g.early_probe) out.emplace_back(CancelClearance{g.config->key()});
                    g.clearance_asked = g.early_probe = false;
                    g.cleared = false;  // used up: a later start needs a new clearance
                    g.lost_in_silence = false;
                    return issue(i, GroupOp::start);
            }
        }
    }
}

// --- messages -----------------------------------------------------------------------------------

void ResourceOwner::send_resource(ResourceActions& out, ResourceSet hold, bool is_stable, std::string_view info) {
    out.emplace_back(SendToPeer{encode(ResourceReport{hold, true, is_stable, std::string(info)})});
    report_when_stable_ = !is_stable;
    last_reported_ = hold;
}

// The standby handshake's messages carry its word, whatever the role.
void ResourceOwner::send_ask(ResourceActions& out, AskPhase phase) {
    out.emplace_back(SendToPeer{encode(AskResources{standby_.word(), phase})});
}

void ResourceOwner::pump_and_settle(ipc::SteadyTime now, ResourceActions& out) {
    pump(out);
    if (converged()) on_converged(now, out);
}

// --- cluster events -----------------------------------------------------------------------------

ResourceActions ResourceOwner::on_cluster_event(ipc::SteadyTime now, const ClusterEvent& event) {
    if (const auto* e = std::get_if<NodeStatusChanged>(&event)) {
        if (e->node != params_.peer_node) return {};
        if (e->new_status == kStatusDead) return on_peer_dead(now);
        // Only `active` can answer (a Heartbeat peer ignores standby requests while `up`).
        if (e->new_status == kStatusActive) return on_peer_active(now);
        return {};
    }
    if (const auto* e = std::get_if<NodeDead>(&event)) {
        if (e->node == params_.peer_node) return on_peer_dead(now);
        return {};
    }
    if (const auto* e = std::get_if<ReturningAfterPartition>(&event)) {
        if (e->node == params_.peer_node) return on_peer_active(now);  // a healed partition
        return {};
    }
    if (const auto* e = std::get_if<LocalStatusChanged>(&event)) {
        if (e->new_status == kStatusActive) return on_local_comm_up(now);
    }
    if (const auto* e = std::get_if<PeerLate>(&event)) {
        if (e->node == params_.peer_node) return on_peer_late(now);
    }
    if (const auto* e = std::get_if<PeerOnTime>(&event)) {
        if (e->node == params_.peer_node) return on_peer_on_time(now);
    }
    return {};
}

ResourceActions ResourceOwner::on_peer_late(ipc::SteadyTime) {
    ResourceActions out;
    if (!params_.require_acquire_clearance || phase_ != Phase::running || !peer_alive() || isolated_) return out;
    // What a takeover would want and have to clear: every group not held here. Only a hint to
    // rscd; acquire_verdict() alone decides, after the decision.
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        Group& g = groups_[i];
        const bool flying = in_flight_ && in_flight_->index == i;
        if (g.held || flying || g.clearance_asked || g.early_probe) continue;
        g.early_probe = true;
        out.emplace_back(EarlyProbe{g.config->key(), g.local});
    }
    if (!out.empty()) log_.debug("{} is late: the split-brain guard probes ahead of the dead decision", params_.peer_node);
    return out;
}

ResourceActions ResourceOwner::on_peer_on_time(ipc::SteadyTime) {
    ResourceActions out;
    for (auto& g : groups_) drop_early_probe(g);
    for (auto& key : cancelled_clearances_) out.emplace_back(CancelClearance{std::move(key)});
    cancelled_clearances_.clear();
    return out;
}

ResourceActions ResourceOwner::on_local_comm_up(ipc::SteadyTime now) {
    ResourceActions out;
    if (phase_ != Phase::waiting) return out;
    out.emplace_back(SendToPeer{encode(Starting{})});
    if (peer_ == PeerState::dead || peer_departed_) {
        decide_initial(now, out);
    } else {
        phase_ = Phase::starting;
        report_deadline_ = now + params_.resource_report_timeout;
    }
    return out;
}

ResourceActions ResourceOwner::on_peer_active(ipc::SteadyTime now) {
    if (peer_ == PeerState::alive) return {};
    const bool was_dead = peer_ == PeerState::dead;
    peer_ = PeerState::alive;
    peer_departed_ = false;
    if (news_ == PeerNews::none) {
        // Nothing from it yet: what we knew is stale. (Its messages can come before its status:
        // a report or a standby exchange read meanwhile is kept.)
        peer_starting_ = false;
        peer_stable_ = false;
        peer_holds_ = ResourceSet::none;
    }
    // Back from the dead — a healed partition, a restart, or first contact after initdead: what
    // still waits for clearance is not taken, and the two reports settle who holds what.
    if (was_dead && phase_ == Phase::running) return settle_on_return(now);
    return {};
}

ResourceActions ResourceOwner::on_peer_dead(ipc::SteadyTime now) {
    ResourceActions out;
    if (peer_ == PeerState::dead) return out;
    peer_ = PeerState::dead;
    news_ = PeerNews::none;
    peer_starting_ = false;
    settlement_.reset();
    // A dead peer said nothing about letting go (it may hold the VIP on its side of a partition).
    for (auto& g : groups_) g.held_twice = g.announce_when_started = false;
    peer_new_life_ = false;
    switch (phase_) {
        case Phase::waiting:
        case Phase::stopped:
            break;  // decided at comm up / nothing left to do
        case Phase::shutting_down:
            log_.info("Resource takeover cancelled - shutdown in progress.");
            break;
        case Phase::starting:
            decide_initial(now, out);
            break;
        case Phase::running:
            if (peer_departed_) {
                log_.info("Dead node {} gave up resources.", params_.peer_node);
                break;
            }
            take_over_from_peer(now, false, out);
            break;
    }
    // Early probes the takeover did not turn into clearances: kept for a group still to be asked
    // (pump() asks once the operation in flight is over), cancelled otherwise.
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        Group& g = groups_[i];
        const bool to_ask = phase_ == Phase::running && !isolated_ && g.wanted && !g.held && !g.failed;
        if (g.early_probe && !to_ask) drop_early_probe(g);
    }
    for (auto& key : cancelled_clearances_) out.emplace_back(CancelClearance{std::move(key)});
    cancelled_clearances_.clear();
    return out;
}

ResourceActions ResourceOwner::settle_on_return(ipc::SteadyTime now) {
    ResourceActions out;
    // What nobody vouched for yet (waiting for clearance, or released by ipfail's isolation) is
    // not taken: the peer is back and says what it holds.
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        Group& g = groups_[i];
        const bool flying = in_flight_ && in_flight_->index == i;
        if (!g.wanted || g.held || g.failed || flying || acquire_verdict(g) == AcquireVerdict::go) continue;
        g.wanted = false;
        if (g.clearance_asked) cancelled_clearances_.push_back(g.config->key());
        g.clearance_asked = g.cleared = false;
        log_.info("{} is back: not acquiring resource group: {}", params_.peer_node, g.config->text);
    }
    for (auto& g : groups_) drop_early_probe(g);
    mach_down_ = MachDown::none;
    initial_pending_.reset();
    settlement_.on_return();
    pump(out);
    // info=partition asks a peer that never lost us for its full report in return.
    send_resource(out, holds(), stable(), kInfoPartition);
    if (news_ == PeerNews::full_report && peer_stable_) {
        // Its report came before its status did (LinkTable saw the return late): settle on it.
        reconcile_after_partition(now, out);
        maybe_auto_failback(now, out);
        return out;
    }
    if (converged()) on_converged(now, out);
    return out;
}

bool ResourceOwner::acquire_unclaimed_local(std::string_view after) {
    const bool unclaimed = std::any_of(groups_.begin(), groups_.end(),
                                       [](const Group& g) { return g.local && !g.held && !(g.wanted && !g.failed); });
    if (!unclaimed) return false;
    log_.info("Our resource groups that neither node holds after {} are acquired here [local].", after);
    want(ResourceSet::local, true);
    return true;
}

// The peer's first stable full report since its return (PartitionSettlement, awaiting_report).
void ResourceOwner::reconcile_after_partition(ipc::SteadyTime now, ResourceActions& out) {
    const bool acquire = settlement_.on_first_report(claims(), mirror(peer_holds_)) && acquire_unclaimed_local("the partition");
    if (settle_double_hold(now, out) || !acquire) return;  // (its pump starts what was wanted above)
    pump(out);
    send_resource(out, holds(), stable(), "");
    if (converged()) on_converged(now, out);
}

// Never a standing double hold: whatever the order of the messages, when our claims and the live
// peer's latest stable full report overlap, each group stays on its preferred node and the other
// node releases it. Both nodes evaluate this on each other's reports, so it converges. Returns
// true when it changed what we want (then it pumped and reported).
bool ResourceOwner::settle_double_hold(ipc::SteadyTime now, ResourceActions& out) {
    // A standby we asked for and that is not answered yet does not hold this up (the double hold
    // may be why it is not answered: the peer is in flux); one under way does (reports are unstable).
    if (phase_ != Phase::running || standby_.under_way() || !peer_alive() || news_ != PeerNews::full_report ||
        !peer_stable_)
        return false;
    const ResourceSet give = settlement_.double_hold(claims(), mirror(peer_holds_));
    const bool wanted = std::any_of(groups_.begin(), groups_.end(), [](const Group& g) { return !g.local && g.wanted; });
    if (give == ResourceSet::none || !wanted) return false;  // the peer releases (or our stop failed: logged)
    standby_.cancel("the groups both nodes held are settled instead");  // a failback request
    want(ResourceSet::foreign, false);
    pump(out);
    send_resource(out, holds(), stable(), "");
    if (converged()) on_converged(now, out);
    return true;
}

// While both nodes held a group, both announced its VIPs: the LAN's ARP/neighbour caches may
// point at the peer's MAC, and once the peer removed its copy nobody would turn them back until
// they went stale (tens of seconds). So the keeper announces again when the peer let go.
void ResourceOwner::track_double_holds(ResourceSet theirs, bool released, ResourceActions& out) {
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        Group& g = groups_[i];
        const bool flying = in_flight_ && in_flight_->index == i;
        if (has(theirs, g.local ? ResourceSet::local : ResourceSet::foreign)) {
            if (g.held || (flying && in_flight_->op == GroupOp::start)) g.held_twice = true;
            g.announce_when_started = false;  // claimed again: wait for it to let go again
            continue;
        }
        if (!released || !std::exchange(g.held_twice, false)) continue;
        // A start still in flight may have announced the VIPs already, before the peer's last
        // announcement: announce again once it succeeded (on_group_result). A group on its way
        // out (or not held) has nothing to announce.
        if (flying && in_flight_->op == GroupOp::start) {
            g.announce_when_started = true;
            continue;
        }
        if (!g.held || flying || !g.wanted) continue;
        announce_again(g, out);
    }
}

void ResourceOwner::announce_again(const Group& g, ResourceActions& out) {
    if (isolated_) return;
    const auto& resources = g.config->resources;
    if (std::none_of(resources.begin(), resources.end(), [](const conf::Resource& r) { return r.ip.has_value(); }))
        return;
    log_.info("Peer {} released resource group {}: announcing it again.", params_.peer_node, g.config->text);
    out.emplace_back(AnnounceGroup{g.config->key()});
}

// --- decisions ----------------------------------------------------------------------------------

void ResourceOwner::decide_initial(ipc::SteadyTime now, ResourceActions& out) {
    phase_ = Phase::running;
    report_deadline_.reset();
    if (peer_ == PeerState::dead || peer_departed_) {
        // Alone (peer never heard within initdead, or gone): local groups and the peer's.
        log_.info("Resources being acquired from {}.", params_.peer_node);
        want(ResourceSet::all, true);
        initial_pending_ = "mach_down";
        mach_down_ = MachDown::pending_with_report;
        failback_armed_ = true;
        peer_holds_ = ResourceSet::none;
    } else if (has(peer_holds_, ResourceSet::foreign)) {
        // The peer holds our local groups: never start them here. With auto_failback on (and
        // legacy) the holder gives them back; with off they stay where they are.
        initial_pending_ = params_.auto_failback == conf::AutoFailback::off ? "T_RESOURCES(them)" : "";
    } else {
        want(ResourceSet::local, true);
        initial_pending_ = "T_RESOURCES(us)";
    }
    pump_and_settle(now, out);
}

void ResourceOwner::take_over_from_peer(ipc::SteadyTime now, bool after_shutdone, ResourceActions& out) {
    standby_.cancel(fmt::format("{} {}", params_.peer_node, after_shutdone ? "stopped" : "is dead"));
    log_.info("Resources being acquired from {}.", params_.peer_node);
    const ResourceSet before = holds();
    mach_down_ = has(before, ResourceSet::local) ? MachDown::pending : MachDown::pending_with_report;
    want(ResourceSet::all, true);
    failback_armed_ = true;
    peer_holds_ = ResourceSet::none;
    peer_stable_ = true;  // not going anywhere
    if (after_shutdone) {
        // The standby word 3.0.6 uses for this implicit takeover (requester's view).
        shutdone_done_word_ = std::string(resource_set_word(before == ResourceSet::foreign ? ResourceSet::local
                                                            : before == ResourceSet::local ? ResourceSet::foreign
                                                                                           : ResourceSet::all));
    }
    pump_and_settle(now, out);
}

void ResourceOwner::initial_done(std::string_view reason) {
    if (initial_announced_ || reason.empty()) return;
    initial_announced_ = true;
    log_.info("Initial resource acquisition complete ({})", reason);
}

void ResourceOwner::on_converged(ipc::SteadyTime now, ResourceActions& out) {
    const bool peer_there = peer_ != PeerState::dead && !peer_departed_;  // alive or not heard yet
    if (phase_ == Phase::shutting_down) {
        if (peer_there) out.emplace_back(SendToPeer{encode(Shutdone{})});
        log_.info("All HA resources relinquished.");
        phase_ = Phase::stopped;
        out.emplace_back(ShutdownComplete{});
        return;
    }
    if (phase_ != Phase::running) return;

    if (shutdone_done_word_) {
        out.emplace_back(SendToPeer{encode(AskResources{*shutdone_done_word_, AskPhase::done})});
        log_.info("Standby resource acquisition done [{}].", *shutdone_done_word_);
        shutdone_done_word_.reset();
    }
    if (initial_pending_ || mach_down_ == MachDown::pending_with_report) {
        send_resource(out, holds(), true, has(holds(), ResourceSet::local) ? "req_our_resources()" : "");
    }
    if (mach_down_ != MachDown::none) {
        mach_down_ = MachDown::none;
        // As 3.0.6's mach_down script words it: no rtype, no isstable.
        out.emplace_back(SendToPeer{encode(ResourceReport{ResourceSet::foreign, false, std::nullopt, "mach_down"})});
        log_.info("mach_down takeover complete.");
    }
    if (initial_pending_) {
        initial_done(*initial_pending_);
        initial_pending_.reset();
    }

    switch (standby_.on_converged(now)) {
        case StandbyHandshake::Settled::released:
            send_ask(out, AskPhase::done);
            break;
        case StandbyHandshake::Settled::acquired:
            send_ask(out, AskPhase::done);
            if (params_.auto_failback != conf::AutoFailback::off) initial_done("auto_failback");
            send_resource(out, holds(), true, "");
            break;
        case StandbyHandshake::Settled::none:
            break;
    }

    if (settle_double_hold(now, out)) return;
    // The requester's full report waits for the peer's `done` (3.0.6 order). Any other change of
    // what we hold is reported too, so that the peer re-evaluates (a double hold, a failback).
    if ((report_when_stable_ || holds() != last_reported_) && peer_there && standby_.idle())
        send_resource(out, holds(), true, "");
    maybe_auto_failback(now, out);
}

void ResourceOwner::maybe_auto_failback(ipc::SteadyTime now, ResourceActions& out) {
    if (params_.auto_failback == conf::AutoFailback::off || !failback_armed_) return;
    if (phase_ != Phase::running || !standby_.idle() || !stable()) return;
    if (!has(holds(), ResourceSet::foreign)) {
        // Nothing of the peer's is held here once things settled: there is nothing to give back,
        // and a later acquisition (an operator's or ipfail's standby) must not be undone by this.
        failback_armed_ = false;
        return;
    }
    if (peer_ != PeerState::alive || peer_departed_ || !peer_stable_) return;
    failback_armed_ = false;
    log_.info("Giving up foreign resources (auto_failback).");
    request_standby(now, "foreign", true, out);
}

void ResourceOwner::request_standby(ipc::SteadyTime now, std::string word, bool failback, ResourceActions& out) {
    const std::string& me = params_.local_node;
    if (auto refused = handshake_refusal(now)) {
        if (refused->code == "in_progress") {
            log_.warn("Standby in progress- new request from {} ignored [{} seconds left]", me, standby_.seconds_left(now));
        } else if (refused->code == "peer_unstable") {
            log_.warn("standby message [me] from {} ignored.  Other side is in flux.", me);
        } else if (refused->code == "local_unstable") {
            log_.warn("standby message [me] from {} ignored.  local resources in flux.", me);
        } else {
            log_.warn("standby message [me] from {} ignored.  {}", me, refused->reason);
        }
        return;
    }
    settlement_.drop_completion();  // a standby moves groups on purpose: no partition clean-up after it
    standby_.request(now, me, std::move(word), failback);
    send_ask(out, AskPhase::me);
}

std::optional<ResourceOwner::Refusal> ResourceOwner::standby_refusal(ipc::SteadyTime now) const {
    if (params_.auto_failback == conf::AutoFailback::legacy)
        return Refusal{"legacy", "Standby mode only implemented when nice_failback on (auto_failback legacy)."};
    if (phase_ == Phase::shutting_down || phase_ == Phase::stopped)
        return Refusal{"shutting_down", "hamaster is shutting down."};
    return handshake_refusal(now);
}

// What makes any standby handshake we would start wait (auto_failback's under legacy too).
std::optional<ResourceOwner::Refusal> ResourceOwner::handshake_refusal(ipc::SteadyTime now) const {
    const std::string& peer = params_.peer_node;
    if (standby_.timer_running(now)) {
        return Refusal{"in_progress",
                       fmt::format("A standby is in progress [{} seconds left].", standby_.seconds_left(now))};
    }
    // A dead (or never heard) peer cannot take anything: say so, not "in flux".
    if (peer_ != PeerState::alive || peer_departed_)
        return Refusal{"peer_dead", fmt::format("Node {} is {}: nobody can take the resources.", peer,
                                                peer_ == PeerState::unknown ? "not active" : "dead")};
    if (!peer_stable_)
        return Refusal{"peer_unstable", fmt::format("Other side is in flux: {} is moving resources.", peer)};
    if (!stable()) return Refusal{"local_unstable", "local resources in flux: this node is moving resources."};
    return std::nullopt;
}

std::optional<ResourceOwner::Refusal> ResourceOwner::takeover_refusal(ipc::SteadyTime now) const {
    // hb_takeover makes the peer run a standby towards us: what would make it refuse, seen from here.
    auto refused = standby_refusal(now);
    if (refused && refused->code == "peer_dead")
        refused->reason = fmt::format("Node {} is {}: there is nothing to take over from it.", params_.peer_node,
                                      peer_ == PeerState::unknown ? "not active" : "dead");
    return refused;
}

// --- operator requests --------------------------------------------------------------------------

ResourceActions ResourceOwner::standby(ipc::SteadyTime now, StandbyKind kind) {
    ResourceActions out;
    const std::string word{kind == StandbyKind::failback ? "foreign" : standby_kind_word(kind)};
    log_.info("Going standby [{}].", word);
    if (params_.auto_failback == conf::AutoFailback::legacy) {
        log_.info("Standby mode only implemented when nice_failback on");
        return out;
    }
    if (phase_ == Phase::shutting_down || phase_ == Phase::stopped) {
        log_.debug("standby request ignored during shutdown");
        return out;
    }
    request_standby(now, word, false, out);
    return out;
}

ResourceActions ResourceOwner::takeover(ipc::SteadyTime now, StandbyKind kind) {
    ResourceActions out;
    if (auto refused = takeover_refusal(now)) {
        log_.warn("hb_takeover [{}] refused: {}", standby_kind_word(kind), refused->reason);
        return out;
    }
    out.emplace_back(SendToPeer{encode(TakeoverAsk{kind})});
    return out;
}

ResourceActions ResourceOwner::shutdown(ipc::SteadyTime now) {
    ResourceActions out;
    if (phase_ == Phase::shutting_down || phase_ == Phase::stopped) return out;
    standby_.cancel("shutting down");
    report_deadline_.reset();
    failed_standby_.reset();
    settlement_.reset();
    initial_pending_.reset();
    mach_down_ = MachDown::none;
    shutdone_done_word_.reset();
    failback_armed_ = false;
    if (peer_ != PeerState::dead && !peer_departed_) {
        // 3.0.6 announces "nothing, unstable" before it starts releasing.
        send_resource(out, ResourceSet::none, false, "shutdown");
    }
    log_.info("Giving up all HA resources.");
    phase_ = Phase::shutting_down;
    want(ResourceSet::all, false);
    pump_and_settle(now, out);
    return out;
}

// --- peer messages ------------------------------------------------------------------------------

ResourceActions ResourceOwner::on_peer_message(ipc::SteadyTime now, const ipc::Message& message) {
    ResourceActions out;
    const PeerEnvelope from = peer_envelope(message);
    if (from.src == params_.local_node && !from.src.empty()) return out;
    if (phase_ == Phase::stopped) return out;
    // The peer's order is its (hg, seq): a report that left it before a message we already read
    // (a retransmission delivered late, around a partition) would undo newer news — a handover
    // in between — and is ignored. Messages without hg/seq are taken as they come.
    if (from.order) {
        if (from.kind == PeerMessageKind::resource && peer_order_ && *from.order < *peer_order_) {
            log_.debug("resource report from {} (seq {}) older than one already read; ignored", params_.peer_node,
                       message.get_or("seq", ""));
            return out;
        }
        if (!peer_order_ || *peer_order_ < *from.order) peer_order_ = from.order;
    }
    if (news_ == PeerNews::none) news_ = PeerNews::heard;

    auto body = decode_peer_body(message);
    if (!body) {
        on_malformed(from, body.error(), message);
        return out;
    }
    std::visit([&](const auto& msg) { on_peer(now, from, msg, out); }, *body);
    return out;
}

void ResourceOwner::on_malformed(const PeerEnvelope& from, const Error& error, const ipc::Message& message) {
    ++malformed_peer_messages_;
    const std::string& peer = from.src.empty() ? params_.peer_node : from.src;
    // The standby handshake only runs once the initial decision is taken; before, it is ignored
    // whole, malformed or not.
    if (from.kind == PeerMessageKind::ask_resources) {
        if (phase_ == Phase::running) {
            // Heartbeat 3.0.6's words, which operators grep for; the field that failed at debug.
            const std::string info = message.get_or("info", "");
            if (!info.empty() && error.message.find("\"info\"") != std::string::npos)
                log_.error("Ignored standby message '{}' from {} in state {}", info, peer, static_cast<int>(standby_.phase()));
            else
                log_.error("Received standby message without info/from");
            log_.debug("standby message from {} ignored: {}", peer, error.message);
        } else {
            log_.debug("standby message from {} ignored: {}", peer, error.message);
        }
        return;
    }
    log_.warn("{} message from {} ignored: {}", from.type, peer, error.message);
}

void ResourceOwner::on_peer(ipc::SteadyTime, const PeerEnvelope&, const Starting&, ResourceActions& out) {
    // A new life of the peer (a restart within deadtime leaves no dead verdict behind): it holds
    // nothing it held before, our groups it ran for us included.
    peer_new_life_ = phase_ == Phase::running;
    peer_starting_ = true;
    peer_stable_ = false;
    peer_departed_ = false;
    failback_armed_ = true;
    send_resource(out, holds(), stable(), "");
}

void ResourceOwner::on_peer(ipc::SteadyTime now, const PeerEnvelope&, const ResourceReport& report,
                            ResourceActions& out) {
    if (report.full) news_ = PeerNews::full_report;
    peer_holds_ = report.full ? report.hold
                              : (report.hold == ResourceSet::none ? ResourceSet::none : (report.hold | peer_holds_));
    bool became_stable = false;
    if (report.stable) {
        if (*report.stable && !peer_stable_) {
            log_.info("remote resource transition completed.");
            became_stable = true;
        }
        peer_stable_ = *report.stable;
    }
    if (phase_ == Phase::starting) {
        if (peer_stable_ || peer_starting_) decide_initial(now, out);
        return;
    }
    if (phase_ != Phase::running) return;
    const bool settles = report.full && peer_stable_;  // an unstable one may not show a group it is still starting
    // Any claim counts for the mark (its report may come before LinkTable's return); only a
    // stable full one says that the peer let go.
    track_double_holds(mirror(peer_holds_), settles, out);
    if (settles && settlement_.awaiting_report()) {
        reconcile_after_partition(now, out);
        maybe_auto_failback(now, out);
        return;
    }
    // The new life's first stable full report says what it took since: ours it does not claim are
    // ours to run again (else nobody would, with both nodes up).
    const bool new_life = settles && std::exchange(peer_new_life_, false);
    const bool complete = settles && settlement_.on_report(mirror(peer_holds_));
    if ((complete || (new_life && !has(mirror(peer_holds_), ResourceSet::local))) &&
        acquire_unclaimed_local(new_life ? params_.peer_node + "'s restart" : std::string("the partition"))) {
        pump(out);
        send_resource(out, holds(), stable(), "");
        if (converged()) on_converged(now, out);
        return;
    }
    // Whatever the order of the messages: a group both claim is settled now (this reports).
    if (report.full && settle_double_hold(now, out)) return;
    if (!settlement_.awaiting_report() && report.partition()) {
        // The peer lost us but we did not lose it: it settles on our report.
        send_resource(out, holds(), stable(), "");
        maybe_auto_failback(now, out);
        return;
    }
    if (became_stable) send_resource(out, holds(), stable(), "");
    maybe_auto_failback(now, out);
}

void ResourceOwner::on_peer(ipc::SteadyTime now, const PeerEnvelope& envelope, const AskResources& ask,
                            ResourceActions& out) {
    // Under legacy, two hamaster nodes still run the handshake so that failback works; only
    // operator requests are refused (standby()). A 3.0.6 legacy peer never sends these.
    if (phase_ != Phase::running) {
        log_.debug("standby message ignored: phase {}", static_cast<int>(phase_));
        return;
    }
    const std::string& from = envelope.src.empty() ? params_.peer_node : envelope.src;
    switch (standby_.on_ask(now, ask, from, peer_stable_, stable())) {
        case StandbyHandshake::Step::none:
            return;
        case StandbyHandshake::Step::grant:
            peer_stable_ = false;
            settlement_.drop_completion();
            send_ask(out, AskPhase::other);
            return;
        case StandbyHandshake::Step::release: {
            peer_stable_ = false;
            const ResourceSet give = standby_.set();
            send_resource(out, without(holds(), give), false, "standby");
            want(give, false);
            pump_and_settle(now, out);
            return;
        }
        case StandbyHandshake::Step::complete:
            send_resource(out, holds(), stable(), "");
            return;
        case StandbyHandshake::Step::acquire:
            want(standby_.taking(), true);
            pump_and_settle(now, out);
            return;
    }
}

void ResourceOwner::on_peer(ipc::SteadyTime now, const PeerEnvelope&, const TakeoverAsk& ask, ResourceActions& out) {
    // The peer's rc.d turns hb_takeover X into hb_standby with the mirrored type (§7.1).
    StandbyKind mapped = StandbyKind::all;
    if (ask.kind == StandbyKind::local) mapped = StandbyKind::foreign;
    if (ask.kind == StandbyKind::foreign) mapped = StandbyKind::local;
    auto actions = standby(now, mapped);
    out.insert(out.end(), std::make_move_iterator(actions.begin()), std::make_move_iterator(actions.end()));
}

void ResourceOwner::on_peer(ipc::SteadyTime now, const PeerEnvelope&, const Shutdone&, ResourceActions& out) {
    log_.info("Received shutdown notice from '{}'.", params_.peer_node);
    peer_departed_ = true;
    peer_starting_ = false;
    peer_holds_ = ResourceSet::none;
    peer_stable_ = true;
    if (phase_ == Phase::running) track_double_holds(ResourceSet::none, true, out);  // it released everything
    if (phase_ == Phase::starting) {
        decide_initial(now, out);
    } else if (phase_ == Phase::running) {
        if (holds() != ResourceSet::all || !converged()) take_over_from_peer(now, true, out);
    }
}

// --- rscd results, clearance, timers ------------------------------------------------------------

ResourceActions ResourceOwner::on_group_result(ipc::SteadyTime now, const GroupResult& result) {
    ResourceActions out;
    if (!in_flight_ || in_flight_->seq != result.seq) {
        log_.debug("rsc_result for {} seq {} not expected; ignored", result.group, result.seq);
        return out;
    }
    Group& g = groups_[in_flight_->index];
    const GroupOp op = in_flight_->op;
    in_flight_.reset();
    const std::string& key = g.config->key();
    if (op == GroupOp::start) {
        if (result.ok) {
            g.held = true;
            if (std::exchange(g.announce_when_started, false) && g.wanted) announce_again(g, out);
        } else {
            g.held = false;
            g.failed = true;
            g.held_twice = false;
            g.announce_when_started = false;
            log_.error("Resource group {} failed to start{}; not claiming it.", key,
                       !result.failed_rsc.empty() ? " at " + result.failed_rsc
                       : !result.error.empty()    ? ": " + result.error
                                                  : std::string{});
            if (phase_ == Phase::running) {
                if (!failed_standby_) failed_standby_ = FailedStartStandby{now + params_.failed_start_standby_delay};
                failed_standby_->set = failed_standby_->set | (g.local ? ResourceSet::local : ResourceSet::foreign);
            }
        }
    } else {
        if (result.ok) {
            g.held = false;
            g.held_twice = false;  // released: nothing of ours to announce
        } else {
            g.held = result.running != "no";
            g.failed = g.held;
            log_.error("Resource group {} failed to stop{} (running={}).", key,
                       !result.failed_rsc.empty() ? " at " + result.failed_rsc
                       : !result.error.empty()    ? ": " + result.error
                                                  : std::string{},
                       result.running.empty() ? "unknown" : result.running);
        }
    }
    pump_and_settle(now, out);
    return out;
}

ResourceActions ResourceOwner::on_acquire_clearance(ipc::SteadyTime now, std::string_view group) {
    ResourceActions out;
    for (auto& g : groups_) {
        if (g.config->key() != group || !g.clearance_asked) continue;
        g.clearance_asked = false;
        g.cleared = g.wanted && !g.held;
        pump_and_settle(now, out);
        return out;
    }
    log_.debug("acquire clearance for {} not awaited; ignored", group);
    return out;
}

ResourceActions ResourceOwner::set_isolated(ipc::SteadyTime now, bool isolated) {
    ResourceActions out;
    if (isolated == isolated_) return out;
    isolated_ = isolated;
    if (isolated) {
        log_.warn("No ping node and no peer visible: giving up all HA resources until a ping node answers.");
        // What the guard cleared before is stale once we gave everything up: ask again afterwards.
        for (auto& g : groups_) {
            if (g.clearance_asked) cancelled_clearances_.push_back(g.config->key());
            g.clearance_asked = g.cleared = false;
            drop_early_probe(g);
        }
    } else {
        log_.info("A ping node answers again: resources may be acquired.");
    }
    pump_and_settle(now, out);
    return out;
}

ResourceActions ResourceOwner::on_resources_lost(ipc::SteadyTime now) {
    ResourceActions out;
    std::string lost;
    for (std::size_t i = 0; i < groups_.size(); ++i) {
        Group& g = groups_[i];
        const bool flying = in_flight_ && in_flight_->index == i;
        if (!g.held && !flying) continue;
        lost += (lost.empty() ? "" : ", ") + g.config->key();
        g.held = false;
        g.cleared = false;  // a clearance belongs to one start; what it allowed is gone
        g.lost_in_silence = true;
        g.held_twice = g.announce_when_started = false;  // a start again announces the VIPs itself
    }
    in_flight_.reset();
    if (lost.empty()) return out;
    log_.warn("rscd released resource groups [{}] on its own (the master was silent too long): acquiring them again "
              "under the acquisition rule, with the split-brain guard's clearance.",
              lost);
    pump_and_settle(now, out);
    return out;
}

ResourceActions ResourceOwner::on_tick(ipc::SteadyTime now) {
    ResourceActions out;
    if (const auto expired = standby_.on_tick(now)) {
        if (peer_ == PeerState::alive) peer_stable_ = true;
        // A failback nobody answered is asked again while its reason holds (we hold the peer's
        // groups and it is alive): maybe_auto_failback() checks that now and at every report.
        if (expired->failback) {
            failback_armed_ = true;
            maybe_auto_failback(now, out);
        }
    }
    if (report_deadline_ && now >= *report_deadline_ && phase_ == Phase::starting) {
        log_.warn("No resource report from {} after starting; acquiring local resources.", params_.peer_node);
        decide_initial(now, out);
    }
    if (failed_standby_ && now >= failed_standby_->at) {
        const FailedStartStandby due = *std::exchange(failed_standby_, std::nullopt);
        // Only the classes that still have a failed group nobody restarted since.
        ResourceSet set = ResourceSet::none;
        for (const auto& g : groups_) {
            const ResourceSet cls = g.local ? ResourceSet::local : ResourceSet::foreign;
            if (has(due.set, cls) && g.failed && !g.held) set = set | cls;
        }
        if (set != ResourceSet::none && phase_ == Phase::running && peer_alive()) {
            if (!due.retry)
                log_.info("Failed start: going standby [{}] so that {} can run it.", resource_set_word(set),
                          params_.peer_node);
            if (params_.auto_failback == conf::AutoFailback::legacy) {
                log_.info("Standby mode only implemented when nice_failback on");
            } else {
                request_standby(now, std::string(resource_set_word(set)), false, out);
                if (standby_.idle()) {  // refused (in flux, another standby): try again
                    failed_standby_ = FailedStartStandby{now + params_.standby_reply_timeout, set, true};
                }
            }
        }
    }
    return out;
}

}  // namespace ha::master
