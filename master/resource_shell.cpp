#include "master/resource_shell.hpp"

namespace ha::master {

ResourceShell::ResourceShell(boost::asio::io_context& io, ResourceOwnerParams params, const ipc::Clock& clock,
                             ipc::Log& log, Outputs outputs)
    : clock_(clock), log_(log), owner_(std::move(params), log), out_(std::move(outputs)), timer_(io) {}

void ResourceShell::apply(const ResourceActions& actions) {
    for (const auto& action : actions) {
        if (const auto* send = std::get_if<SendToPeer>(&action)) {
            out_.to_peer(send->message);
        } else if (const auto* run = std::get_if<RunGroup>(&action)) {
            in_flight_ = *run;
            if (!out_.to_rscd(run->to_message()))
                log_.error("rscd is not connected; {} of {} waits for it", run->op == GroupOp::start ? "start" : "stop",
                           run->group);
        } else if (const auto* await = std::get_if<AwaitClearance>(&action)) {
            probes_[await->group] = Probe{"p" + std::to_string(next_probe_++), await->preferred};
            if (!out_.to_rscd(probe_message(await->group)))
                log_.error("rscd is not connected; the address check of {} waits for it", await->group);
        } else if (const auto* cancel = std::get_if<CancelClearance>(&action)) {
            auto it = probes_.find(cancel->group);
            if (it == probes_.end()) continue;
            ipc::Message m;
            m.add("t", "rsc_probe_cancel").add("group", cancel->group).add("seq", it->second.seq);
            probes_.erase(it);
            out_.to_rscd(m);
        } else if (std::holds_alternative<ShutdownComplete>(action)) {
            if (out_.shutdown_complete) out_.shutdown_complete();
        }
    }
    if (out_.changed) out_.changed();
    arm();
}

ipc::Message ResourceShell::probe_message(const std::string& group) const {
    const Probe& p = probes_.at(group);
    ipc::Message m;
    m.add("t", "rsc_probe").add("group", group).add("seq", p.seq).add("preferred", p.preferred ? "yes" : "no");
    return m;
}

void ResourceShell::on_clearance(const ipc::Message& message) {
    const std::string group = message.get_or("group", "");
    auto it = probes_.find(group);
    if (it == probes_.end() || it->second.seq != message.get_or("seq", "")) {
        log_.debug("stale rsc_clearance for {} ignored", group);
        return;
    }
    const std::string verdict = message.get_or("verdict", "");
    if (verdict == "held") {
        log_.info("Resource group {} waits: {} is still answered by {} (split-brain guard)", group,
                  message.get_or("ip", "?"), message.get_or("mac", "?"));
        return;
    }
    if (verdict != "clear" && verdict != "error") {
        log_.error("dropped rsc_clearance from rscd: bad verdict \"{}\"", verdict);
        return;
    }
    if (verdict == "error") log_.warn("Address check of {} failed ({}); acquiring it anyway", group, message.get_or("error", "?"));
    probes_.erase(it);
    apply(owner_.on_acquire_clearance(clock_.now(), group));
}

void ResourceShell::arm() {
    auto next = owner_.next_deadline();
    timer_.cancel();
    if (!next) return;
    timer_.expires_at(*next);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        apply(owner_.on_tick(clock_.now()));
    });
}

void ResourceShell::on_cluster_events(const std::vector<ClusterEvent>& events) {
    for (const auto& e : events) apply(owner_.on_cluster_event(clock_.now(), e));
}

void ResourceShell::on_peer_message(const ipc::Message& message) { apply(owner_.on_peer_message(clock_.now(), message)); }

void ResourceShell::on_rscd_message(const ipc::Message& message) {
    if (message.type() == "liveness") {
        return;
    }
    if (message.type() == "rscd_ready") {
        // A (re)started rscd knows nothing: tell it again what we hold (a start of a running group
        // only checks its status) and repeat the operation in flight, if any.
        for (const auto& group : owner_.held_groups()) {
            if (in_flight_ && in_flight_->group == group) continue;
            RunGroup again{GroupOp::start, group, "resync"};
            out_.to_rscd(again.to_message());
        }
        if (in_flight_) out_.to_rscd(in_flight_->to_message());
        for (const auto& [group, probe] : probes_) out_.to_rscd(probe_message(group));
        return;
    }
    if (message.type() == "rsc_clearance") return on_clearance(message);
    auto result = decode_group_result(message);
    if (!result) {
        log_.error("dropped message from rscd: {}", result.error().message);
        return;
    }
    if (in_flight_ && in_flight_->seq == result->seq) in_flight_.reset();
    apply(owner_.on_group_result(clock_.now(), *result));
}

std::string ResourceShell::standby(std::string_view kind_word) {
    auto kind = parse_standby_kind(kind_word);
    if (!kind) return "unknown standby kind";
    apply(owner_.standby(clock_.now(), *kind));
    return "standby requested";
}

std::string ResourceShell::takeover(std::string_view kind_word) {
    auto kind = parse_standby_kind(kind_word);
    if (!kind) return "unknown takeover kind";
    apply(owner_.takeover(clock_.now(), *kind));
    return "takeover requested";
}

void ResourceShell::set_isolated(bool isolated) {
    if (isolated != owner_.isolated()) apply(owner_.set_isolated(clock_.now(), isolated));
}

void ResourceShell::shutdown() { apply(owner_.shutdown(clock_.now())); }

}  // namespace ha::master
