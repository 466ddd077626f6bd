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
        } else if (std::holds_alternative<ShutdownComplete>(action)) {
            if (out_.shutdown_complete) out_.shutdown_complete();
        }
        // AwaitClearance: the split-brain guard is not configured yet (require_acquire_clearance off).
    }
    if (out_.changed) out_.changed();
    arm();
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
        return;
    }
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
