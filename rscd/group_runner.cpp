// GroupRunner — see group_runner.hpp.
#include "rscd/group_runner.hpp"

#include <cstdlib>

#include "rscd/agent_command.hpp"

namespace ha::rsc {

namespace {

long long ms_between(ipc::SteadyTime from, ipc::SteadyTime to) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

GroupRunner::GroupRunner(const conf::ResourceGroup& group, GroupOp op, RunnerOptions options, ipc::Log& log)
    : group_(group), op_(op), options_(options), log_(log) {
    if (group_.resources.empty()) {
        log_.crit("GroupRunner: resource group on line {} has no resources", group_.line);
        std::abort();  // the config loader never hands out an empty group
    }
    switch (op_) {
        case GroupOp::start: phase_ = Phase::start_status; break;
        case GroupOp::stop: phase_ = Phase::stop_stop; index_ = static_cast<std::ptrdiff_t>(group_.resources.size()) - 1; break;
        case GroupOp::status: phase_ = Phase::status_check; break;
        case GroupOp::announce:
            log_.crit("GroupRunner: announce is not a runner operation (GroupOperator::announce)");
            std::abort();  // RscService answers it beside the queue; reaching here is a bug
    }
}

std::chrono::milliseconds GroupRunner::timeout_for(AgentAction action) const {
    switch (action) {
        case AgentAction::start: return options_.start_timeout;
        case AgentAction::stop: return options_.stop_timeout;
        case AgentAction::status: return options_.status_timeout;
    }
    return options_.status_timeout;
}

void GroupRunner::abort() {
    if (op_ != GroupOp::start || phase_ == Phase::done || rolling_back_ || aborted_) return;
    aborted_ = true;
    log_.warn("Start of resource group {} aborted: releasing what was started", group_.key());
}

Step GroupRunner::next(ipc::SteadyTime now) {
    if (in_flight_) {
        log_.crit("GroupRunner::next called while {} is still running", command_text(current(), in_flight_action_));
        std::abort();  // a bug in the shell
    }
    if (!begun_) {
        begun_ = true;
        began_at_ = now;
        if (op_ == GroupOp::start) log_.info("Acquiring resource group: {}", group_.text);
        if (op_ == GroupOp::stop) log_.info("Releasing resource group: {}", group_.text);
    }
    if (aborted_ && (phase_ == Phase::start_status || phase_ == Phase::start_start)) {
        // Resources left of index_ are up; index_ itself has not been started.
        rolling_back_ = true;
        failed_rsc_.clear();
        begin_stop(index_ - 1, now);
    }
    AgentAction action = AgentAction::status;
    switch (phase_) {
        case Phase::done: return Finished{outcome_};
        case Phase::start_status:
        case Phase::status_check:
        case Phase::stop_check_status: action = AgentAction::status; break;
        case Phase::start_start: action = AgentAction::start; break;
        case Phase::stop_stop:
            if (retry_at_ && now < *retry_at_) return WaitUntil{*retry_at_};
            retry_at_.reset();
            action = AgentAction::stop;
            break;
    }
    if (action == AgentAction::status)
        log_.debug("Running {}", command_text(current(), action));
    else
        log_.info("Running {}", command_text(current(), action));
    in_flight_ = true;
    in_flight_action_ = action;
    return RunAgent{static_cast<std::size_t>(index_), action, timeout_for(action)};
}

void GroupRunner::log_failure(const AgentResult& result, AgentAction action) {
    const conf::Resource& r = current();
    const std::string& path = r.kind == conf::AgentKind::builtin ? r.agent : r.path;
    switch (result.kind) {
        case AgentResult::Kind::exited: log_.error("Return code {} from {}", result.code, path); break;
        case AgentResult::Kind::timed_out:
            log_.error("{} timed out after {} ms", command_text(r, action), timeout_for(action).count());
            break;
        case AgentResult::Kind::signaled:
        case AgentResult::Kind::spawn_failed: log_.error("{} {}", command_text(r, action), describe(result)); break;
    }
}

void GroupRunner::on_result(const AgentResult& result, ipc::SteadyTime now) {
    if (!in_flight_) {
        log_.crit("GroupRunner::on_result without an action in flight");
        std::abort();
    }
    in_flight_ = false;
    const conf::Resource& r = current();
    const std::size_t n = group_.resources.size();
    switch (phase_) {
        case Phase::start_status:
            if (status_running(r.kind, result)) {
                log_.info("Resource {} is already running", r.word);
                if (static_cast<std::size_t>(++index_) == n) finish({true, "", true, true}, now);
            } else {
                phase_ = Phase::start_start;
            }
            break;
        case Phase::start_start:
            if (result.success()) {
                if (static_cast<std::size_t>(++index_) == n) {
                    finish({true, "", true, true}, now);
                } else {
                    phase_ = Phase::start_status;
                }
            } else {
                log_failure(result, AgentAction::start);
                log_.crit("Giving up resources due to failure of {}", r.word);
                rolling_back_ = true;
                failed_rsc_ = r.word;
                begin_stop(index_, now);  // the failed one may be half up: stop it too
            }
            break;
        case Phase::stop_stop:
            if (result.success()) {
                --index_;
                stop_next(now);
            } else {
                log_failure(result, AgentAction::stop);
                if (++stop_attempts_ < options_.stop_retry_max) {
                    log_.warn("Stop of {} failed (attempt {} of {}); retrying in {} ms", r.word, stop_attempts_,
                              options_.stop_retry_max, options_.stop_retry_interval.count());
                    retry_at_ = now + options_.stop_retry_interval;
                } else {
                    phase_ = Phase::stop_check_status;
                }
            }
            break;
        case Phase::stop_check_status:
            if (status_running(r.kind, result)) {
                log_.crit("Resource {} failed to stop after {} attempts and is still running", r.word, stop_attempts_);
                stop_failed_ = true;
                if (failed_rsc_.empty()) failed_rsc_ = r.word;
            } else {
                log_.error("Resource {} failed to stop, but its status says stopped (probably not LSB-compliant)", r.word);
            }
            --index_;
            phase_ = Phase::stop_stop;
            stop_next(now);
            break;
        case Phase::status_check:
            if (status_running(r.kind, result)) {
                ++running_count_;
            } else if (failed_rsc_.empty()) {
                failed_rsc_ = r.word;
            }
            if (static_cast<std::size_t>(++index_) == n)
                finish({true, failed_rsc_, running_count_ == n, running_count_ > 0}, now);
            break;
        case Phase::done: break;
    }
}

void GroupRunner::begin_stop(std::ptrdiff_t from, ipc::SteadyTime now) {
    phase_ = Phase::stop_stop;
    index_ = from;
    stop_next(now);
}

void GroupRunner::stop_next(ipc::SteadyTime now) {
    stop_attempts_ = 0;
    retry_at_.reset();
    if (index_ >= 0) return;
    // Everything is stopped (or given up on).
    if (rolling_back_)
        finish({false, failed_rsc_, false, stop_failed_}, now);
    else
        finish({!stop_failed_, failed_rsc_, false, stop_failed_}, now);
}

void GroupRunner::finish(GroupOutcome outcome, ipc::SteadyTime now) {
    phase_ = Phase::done;
    outcome_ = std::move(outcome);
    const long long ms = ms_between(began_at_, now);
    const std::string_view op = group_op_name(op_);
    if (op_ == GroupOp::status) {
        log_.debug("Resource group {}: status {} in {} ms", group_.key(),
                   outcome_.running ? "running" : (outcome_.any_running ? "partially running" : "stopped"), ms);
    } else if (outcome_.ok) {
        log_.info("Resource group {}: {} done in {} ms", group_.key(), op, ms);
    } else if (aborted_ && failed_rsc_.empty()) {
        log_.warn("Resource group {}: start aborted, released in {} ms", group_.key(), ms);
    } else {
        log_.error("Resource group {}: {} failed ({}) after {} ms", group_.key(), op, outcome_.failed_rsc, ms);
    }
}

}  // namespace ha::rsc
