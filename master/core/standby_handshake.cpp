// StandbyHandshake — see standby_handshake.hpp.
#include "master/core/standby_handshake.hpp"

#include <utility>

namespace ha::master {

StandbyHandshake::StandbyHandshake(StandbyHandshakeParams params, ipc::Log& log)
    : params_(std::move(params)), log_(log) {}

ResourceSet StandbyHandshake::set() const { return parse_resource_set(word_).value_or(ResourceSet::none); }

ResourceSet StandbyHandshake::taking() const {
    return phase_ == Phase::acquiring ? mirror(set()) : ResourceSet::none;
}

std::int64_t StandbyHandshake::seconds_left(ipc::SteadyTime now) const {
    if (!timer_running(now)) return 0;
    return std::chrono::ceil<std::chrono::seconds>(*deadline_ - now).count();
}

void StandbyHandshake::to(Phase phase, std::optional<ipc::SteadyTime> deadline) {
    phase_ = phase;
    deadline_ = deadline;
}

void StandbyHandshake::end(std::string outcome) {
    ++ends_;
    last_end_ = std::move(outcome);
}

void StandbyHandshake::request(ipc::SteadyTime now, std::string_view requester, std::string word, bool failback) {
    log_.info("{} wants to go standby [{}]", requester, word);
    word_ = std::move(word);
    failback_ = failback;
    to(Phase::requested, now + params_.reply_timeout);
}

StandbyHandshake::Step StandbyHandshake::on_ask(ipc::SteadyTime now, const AskResources& ask, std::string_view from,
                                                bool peer_stable, bool local_stable) {
    const std::string_view info = ask_phase_word(ask.phase);
    if (ask.phase == AskPhase::me && timer_running(now)) {
        log_.warn("Standby in progress- new request from {} ignored [{} seconds left]", from, seconds_left(now));
        return Step::none;
    }
    auto ignored = [&] {
        log_.error("Ignored standby message '{}' from {} in state {}", info, from, static_cast<int>(phase_));
        return Step::none;
    };
    const ipc::SteadyTime moving = now + params_.resource_timeout;
    switch (phase_) {
        case Phase::idle:
            if (ask.phase != AskPhase::me) return ignored();
            if (!peer_stable) {
                log_.warn("standby message [{}] from {} ignored.  Other side is in flux.", info, from);
                return Step::none;
            }
            if (!local_stable) {
                log_.warn("standby message [{}] from {} ignored.  local resources in flux.", info, from);
                return Step::none;
            }
            log_.info("{} wants to go standby [{}]", from, ask.word);
            word_ = ask.word;
            to(Phase::granted, moving);
            return Step::grant;
        case Phase::requested:
            if (ask.phase != AskPhase::other) return ignored();
            log_.info("standby: {} can take our {} resources", from, word_);
            to(Phase::releasing, moving);
            return Step::release;
        case Phase::released:
            if (ask.phase != AskPhase::done) return ignored();
            log_.info("Other node completed standby takeover of {} resources.", word_);
            end("done");
            to(Phase::idle, std::nullopt);
            failback_ = false;
            return Step::complete;
        case Phase::granted:
            if (ask.phase != AskPhase::done) return ignored();
            log_.info("standby: acquire [{}] resources from {}", word_, from);
            to(Phase::acquiring, moving);
            return Step::acquire;
        case Phase::releasing:
        case Phase::acquiring:
            return ignored();
    }
    return Step::none;
}

StandbyHandshake::Settled StandbyHandshake::on_converged(ipc::SteadyTime now) {
    switch (phase_) {
        case Phase::releasing:
            log_.info("Local standby process completed [{}].", word_);
            to(Phase::released, now + params_.resource_timeout);
            return Settled::released;
        case Phase::acquiring:
            log_.info("Standby resource acquisition done [{}].", word_);
            to(Phase::idle, std::nullopt);
            end("done");
            return Settled::acquired;
        default:
            return Settled::none;
    }
}

std::optional<StandbyHandshake::Expired> StandbyHandshake::on_tick(ipc::SteadyTime now) {
    if (!deadline_ || now < *deadline_) return std::nullopt;
    log_.warn("No reply to standby request.  Standby request cancelled.");
    const bool unanswered = phase_ == Phase::requested;
    const Expired expired{unanswered && failback_};
    end(unanswered ? fmt::format("no_reply: {} did not answer", params_.peer_node)
                   : fmt::format("cancelled: resources still moving after {} s",
                                 std::chrono::duration_cast<std::chrono::seconds>(params_.resource_timeout).count()));
    to(Phase::idle, std::nullopt);
    failback_ = false;
    return expired;
}

void StandbyHandshake::cancel(std::string_view why) {
    if (phase_ != Phase::idle) {
        log_.info("Cancelling pending standby operation");
        end(fmt::format("cancelled: {}", why));
    }
    to(Phase::idle, std::nullopt);
    failback_ = false;
}

}  // namespace ha::master
