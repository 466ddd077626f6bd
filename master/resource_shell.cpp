#include "master/resource_shell.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ha::master {

ResourceShell::ResourceShell(boost::asio::io_context& io, ResourceOwnerParams params, const ipc::Clock& clock,
                             ipc::Log& log, Outputs outputs)
    : clock_(clock), log_(log), peer_node_(params.peer_node), owner_(std::move(params), log), out_(std::move(outputs)), timer_(io) {}

void ResourceShell::apply(const ResourceActions& actions) {
    for (const auto& action : actions) {
        if (const auto* send = std::get_if<SendToPeer>(&action)) {
            out_.to_peer(send->message);
        } else if (const auto* run = std::get_if<RunGroup>(&action)) {
            in_flight_ = *run;
            if (run->op == GroupOp::start)
                log_.debug("takeover path: start of {} sent to rscd ({})", run->group, ipc::mono_text(clock_.now()));
            if (!out_.to_rscd(run_message(*run)))
                log_.info("rscd is not connected (yet); {} of {} waits for it", run->op == GroupOp::start ? "start" : "stop",
                          run->group);
        } else if (const auto* await = std::get_if<AwaitClearance>(&action)) {
            // rscd decides the early session of this group, if any, with this new seq.
            probes_[await->group] = Probe{"p" + std::to_string(next_probe_++), await->preferred, "", false};
            log_.debug("takeover path: clearance of {} asked of rscd ({})", await->group, ipc::mono_text(clock_.now()));
            if (!out_.to_rscd(probe_message(await->group)))
                log_.info("rscd is not connected (yet); the address check of {} waits for it", await->group);
        } else if (const auto* early = std::get_if<EarlyProbe>(&action)) {
            probes_[early->group] = Probe{"p" + std::to_string(next_probe_++), early->preferred, "", true};
            out_.to_rscd(probe_message(early->group));  // a hint: lost with rscd, resent on rscd_ready
        } else if (const auto* cancel = std::get_if<CancelClearance>(&action)) {
            auto it = probes_.find(cancel->group);
            if (it == probes_.end()) continue;
            const ipc::Message m = ipc::bus::RscProbe{cancel->group, it->second.seq, false, true, false}.encode();
            probes_.erase(it);
            out_.to_rscd(m);
        } else if (const auto* announce = std::get_if<AnnounceGroup>(&action)) {
            // Not an operation of the core's: answered beside the queue, only logged here.
            const std::string seq = "a" + std::to_string(next_announce_++);
            if (!out_.to_rscd(ipc::bus::RscOp{ipc::bus::GroupOp::announce, announce->group, seq}.encode()))
                log_.info("rscd is not connected: resource group {} is not announced again", announce->group);
        } else if (std::holds_alternative<ShutdownComplete>(action)) {
            if (out_.shutdown_complete) out_.shutdown_complete();
        }
    }
    if (out_.changed) out_.changed();
    arm();
    send_reload();
}

void ResourceShell::reload_groups(std::vector<conf::ResourceGroup> next, std::function<void()> applied) {
    if (reload_) log_.info("reload: this haresources replaces the one still waiting for rscd");
    reload_ = PendingReload{std::move(next), std::move(applied), "l" + std::to_string(next_reload_++), false};
    send_reload();
    if (!reload_->sent)
        log_.info("reload: the haresources change waits for {}", in_flight_ ? "the resource operation in flight" : "rscd");
}

void ResourceShell::send_reload() {
    if (!reload_ || reload_->sent || in_flight_) return;
    reload_->sent = out_.to_rscd(ipc::bus::RscReload{reload_->seq}.encode());
}

void ResourceShell::on_reloaded(const ipc::bus::RscReloaded& r) {
    if (!reload_ || !reload_->sent || reload_->seq != r.seq) {
        log_.debug("rsc_reloaded seq {} not expected; ignored", r.seq);
        return;
    }
    if (!r.ok) {
        if (r.error == "busy") {  // rscd runs something of its own (a resync): ask after its result
            reload_->sent = false;
            return;
        }
        log_.warn("reload: rscd refused the haresources change ({}); nothing of haresources changed", r.error);
        reload_.reset();
        return;
    }
    PendingReload done = std::move(*reload_);
    reload_.reset();
    if (r.groups != done.groups.size())
        log_.error("reload: rscd read {} resource groups, hamaster {}: haresources changed again during the reload; "
                   "reload again", r.groups, done.groups.size());
    // A group may have become busy since the reload was planned (a takeover meanwhile).
    if (const auto busy = owner_.busy_groups(done.groups); !busy.empty()) {
        log_.error("reload: rscd has the new haresources but hamaster keeps the running one (resource group {} is "
                   "held or in flight here); run hb_standby, then reload again", busy.front());
        return;
    }
    // Logged before replace_groups so that the starts it brings follow the change that caused them.
    for (const auto& c : conf::diff_groups(owner_.groups(), done.groups))
        log_.info("reload: resource group {} {}; applied{}", c.key, conf::group_change_word(c.kind),
                  c.kind == conf::GroupChange::Kind::added ? "" : " (not held here)");
    auto actions = owner_.replace_groups(clock_.now(), std::move(done.groups));
    if (!actions) {
        log_.error("reload: {}", actions.error().message);  // not reached: busy_groups was checked above
        return;
    }
    if (done.applied) done.applied();
    apply(*actions);
}

ipc::Message ResourceShell::probe_message(const std::string& group) const {
    const Probe& p = probes_.at(group);
    return ipc::bus::RscProbe{group, p.seq, p.preferred, false, p.early}.encode();
}

ipc::Message ResourceShell::run_message(const RunGroup& run) const {
    return ipc::bus::RscOp{run.op == GroupOp::start ? ipc::bus::GroupOp::start : ipc::bus::GroupOp::stop, run.group, run.seq}.encode();
}

void ResourceShell::on_clearance(const ipc::bus::RscClearance& c) {
    using ipc::bus::ProbeVerdict;
    auto it = probes_.find(c.group);
    if (it == probes_.end() || it->second.seq != c.seq) {
        log_.debug("stale rsc_clearance for {} ignored", c.group);
        return;
    }
    const std::string_view verdict = ipc::bus::probe_verdict_name(c.verdict);
    if (it->second.early) {
        // An early session answers only when it could not run; the decision asks afresh.
        log_.debug("early address check of {} ended ({} {})", c.group, verdict, c.error);
        probes_.erase(it);
        return;
    }
    if (c.verdict == ProbeVerdict::held && it->second.holder.empty()) ++guard_verdicts_["held"];  // once per session
    if (c.verdict == ProbeVerdict::held) {
        log_.info("Resource group {} waits: {} is still answered by {} (split-brain guard)", c.group, c.ip, c.mac);
        it->second.holder = fmt::format("{} answered by {} on {}", c.ip, c.mac, c.iface);
        if (out_.changed) out_.changed();
        return;
    }
    ++guard_verdicts_[std::string(verdict)];
    if (c.verdict == ProbeVerdict::error) log_.warn("Address check of {} failed ({}); acquiring it anyway", c.group, c.error);
    log_.debug("takeover path: split-brain guard answered {} for {} ({})", verdict, c.group, ipc::mono_text(clock_.now()));
    probes_.erase(it);
    apply(owner_.on_acquire_clearance(clock_.now(), c.group));
}

std::vector<GroupView> ResourceShell::group_views() const {
    std::vector<GroupView> lines;
    for (const auto& g : owner_.group_states()) {
        std::string where;
        if (g.in_flight) {
            where = g.op == GroupOp::start ? "starting here" : "stopping here";
        } else if (g.held) {
            where = g.wanted ? "held here" : "held here, to be released";
        } else if (g.waiting) {
            auto p = probes_.find(g.key);
            where = p != probes_.end() && !p->second.holder.empty()
                        ? "waiting: " + p->second.holder + " (split-brain guard)"
                        : "waiting: checking that its address is free (split-brain guard)";
        } else if (g.peer_holds) {
            where = "held by the peer";
        } else if (g.failed) {
            where = "not running: its start failed here";
        } else {
            where = "not running";
        }
        std::string state = g.in_flight ? (g.op == GroupOp::start ? "starting" : "stopping")
                            : g.held      ? (g.wanted ? "held" : "releasing")
                            : g.waiting   ? "waiting"
                            : g.peer_holds ? "peer"
                            : g.failed    ? "failed"
                                          : "stopped";
        GroupView view{g.text, std::move(where), g.key, std::move(state)};
        if (auto c = counts_.find(g.key); c != counts_.end()) {
            view.acquisitions = c->second.acquisitions;
            view.failovers = c->second.failovers;
            view.releases = c->second.releases;
            view.start_failures = c->second.start_failures;
            view.stop_failures = c->second.stop_failures;
        }
        lines.push_back(std::move(view));
    }
    return lines;
}

void ResourceShell::arm() {
    timer_.arm(owner_.next_deadline(), [this] {
        // An answer already waiting (the peer's, rscd's) counts before a "no reply" verdict.
        if (out_.read_pending) out_.read_pending();
        apply(owner_.on_tick(clock_.now()));
    });
}

void ResourceShell::on_cluster_events(const std::vector<ClusterEvent>& events) {
    for (const auto& e : events) {
        // The status change comes first (NodeDead follows it) and is what starts a takeover.
        const auto* changed = std::get_if<NodeStatusChanged>(&e);
        if (changed && changed->new_status == kStatusDead)
            log_.debug("takeover path: {} declared dead ({})", changed->node, ipc::mono_text(clock_.now()));
        if (changed && changed->node == peer_node_) peer_dead_ = changed->new_status == kStatusDead;
        apply(owner_.on_cluster_event(clock_.now(), e));
    }
}

void ResourceShell::on_peer_message(const ipc::Message& message) { apply(owner_.on_peer_message(clock_.now(), message)); }

void ResourceShell::on_rscd_ready() {
    // A (re)started rscd knows nothing: tell it again what we hold (a start of a running group
    // only checks its status) and repeat the operation in flight, if any. A pending reload
    // goes first, while the new rscd is idle.
    if (reload_) reload_->sent = false;
    send_reload();
    for (const auto& group : owner_.held_groups()) {
        if (in_flight_ && in_flight_->group == group) continue;
        out_.to_rscd(run_message(RunGroup{GroupOp::start, group, "resync"}));
    }
    if (in_flight_) out_.to_rscd(run_message(*in_flight_));
    for (const auto& [group, probe] : probes_) out_.to_rscd(probe_message(group));
}

void ResourceShell::on_rsc_result(const ipc::bus::RscResult& r) {
    if (r.op == ipc::bus::GroupOp::status) {
        log_.error("dropped rsc_result from rscd: op status is not the master's");
        return;
    }
    if (r.op == ipc::bus::GroupOp::announce) {
        // rscd logged which address is missing; the core does not wait for this answer.
        if (r.ok)
            log_.debug("resource group {} announced again", r.group);
        else
            log_.warn("Resource group {} could not be announced again ({}{})", r.group,
                      r.running ? "running=" + std::string(ipc::bus::running_name(*r.running)) : r.error,
                      r.failed_rsc.empty() ? std::string() : ", at " + r.failed_rsc);
        return;
    }
    GroupResult result{r.op == ipc::bus::GroupOp::start ? GroupOp::start : GroupOp::stop, r.group, r.seq, r.ok,
                       r.running ? std::string(ipc::bus::running_name(*r.running)) : std::string(), r.failed_rsc, r.error};
    // Counted only for the operation in flight: a resync re-checks a group held already, and a
    // stale answer is ignored by the core.
    if (in_flight_ && in_flight_->seq == result.seq) {
        in_flight_.reset();
        auto& counts = counts_[result.group];
        if (result.op == GroupOp::start) {
            if (!result.ok) ++counts.start_failures;
            else if (++counts.acquisitions; peer_dead_) ++counts.failovers;
        } else {
            ++(result.ok ? counts.releases : counts.stop_failures);
        }
    }
    apply(owner_.on_group_result(clock_.now(), result));
}

ResourceShell::RequestAnswer ResourceShell::request(std::string_view what, std::string_view kind_word,
                                                    std::optional<ResourceOwner::Refusal> (ResourceOwner::*refusal)(ipc::SteadyTime) const,
                                                    ResourceActions (ResourceOwner::*act)(ipc::SteadyTime, StandbyKind)) {
    RequestAnswer answer{std::nullopt, owner_.standby_ends()};
    auto kind = parse_standby_kind(kind_word);
    if (!kind) {
        answer.refusal = ResourceOwner::Refusal{"usage", fmt::format("unknown {} kind [{}]", what, kind_word)};
        return answer;
    }
    answer.refusal = (owner_.*refusal)(clock_.now());
    apply((owner_.*act)(clock_.now(), *kind));  // logs the request, and the refusal if any
    return answer;
}

ResourceShell::RequestAnswer ResourceShell::standby(std::string_view kind_word) {
    return request("standby", kind_word, &ResourceOwner::standby_refusal, &ResourceOwner::standby);
}

ResourceShell::RequestAnswer ResourceShell::takeover(std::string_view kind_word) {
    return request("takeover", kind_word, &ResourceOwner::takeover_refusal, &ResourceOwner::takeover);
}

void ResourceShell::set_isolated(bool isolated) {
    if (isolated != owner_.isolated()) apply(owner_.set_isolated(clock_.now(), isolated));
}

void ResourceShell::on_rscd_released() {
    in_flight_.reset();  // the old rscd's operation died with it; the owner decides what follows
    apply(owner_.on_resources_lost(clock_.now()));
}

void ResourceShell::shutdown() { apply(owner_.shutdown(clock_.now())); }

}  // namespace ha::master
