// GroupExecutor — see group_executor.hpp.
#include "rscd/group_executor.hpp"

#include <boost/asio/post.hpp>

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "rscd/agent_command.hpp"

namespace ha::rsc {

GroupExecutor::GroupExecutor(boost::asio::io_context& io, ProcessLauncher& launcher, IpAddr& ip_addr, ArpAnnouncer& arp,
                             ipc::Clock& clock, ipc::Log& log, RunnerOptions options)
    : io_(io), launcher_(launcher), ip_addr_(ip_addr), arp_(arp), clock_(clock), log_(log), options_(options), timer_(io) {}

void GroupExecutor::run(const conf::ResourceGroup& group, GroupOp op, Done done) {
    if (busy()) {
        log_.crit("GroupExecutor::run while {} is in progress", runner_->group().key());
        std::abort();  // the caller queues; a second run is a bug
    }
    runner_ = std::make_unique<GroupRunner>(group, op, options_, log_);
    done_ = std::move(done);
    drive();
}

void GroupExecutor::abort() {
    if (!runner_) return;
    runner_->abort();
    // A retry wait may be pending: wake up now (the runner decides what is next).
    if (!runner_->in_flight()) {
        timer_.cancel();
        boost::asio::post(io_, [this] {
            if (runner_ && !runner_->in_flight()) drive();
        });
    }
}

GroupOutcome GroupExecutor::announce(const conf::ResourceGroup& group) {
    GroupOutcome outcome{true, "", true, false};
    std::size_t here = 0;
    std::size_t vips = 0;
    for (const auto& resource : group.resources) {
        if (resource.kind != conf::AgentKind::builtin || !resource.ip) continue;
        ++vips;
        auto present = ip_addr_.present_announcement(resource);
        if (!present) log_.error("{}: cannot announce {}: {}", resource.agent, resource.ip->address, present.error().message);
        else if (!*present) log_.info("{}: {} is not on this node: not announcing it", resource.agent, resource.ip->address);
        if (!present || !*present) {
            if (outcome.failed_rsc.empty()) outcome.failed_rsc = resource.word;
            outcome.ok = outcome.running = false;
            continue;
        }
        ++here;
        if (!arp_.announce(**present)) {
            if (outcome.failed_rsc.empty()) outcome.failed_rsc = resource.word;
            outcome.ok = false;
        }
    }
    outcome.any_running = here > 0 || vips == 0;
    return outcome;
}

void GroupExecutor::drive() {
    while (runner_) {
        Step step = runner_->next(clock_.now());
        if (auto* f = std::get_if<Finished>(&step)) {
            const GroupOutcome outcome = f->outcome;
            runner_.reset();
            Done done = std::move(done_);
            if (done) done(outcome);
            return;
        }
        if (auto* w = std::get_if<WaitUntil>(&step)) {
            timer_.expires_at(w->when);
            timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec && runner_ && !runner_->in_flight()) drive();
            });
            return;
        }
        const RunAgent run = std::get<RunAgent>(step);
        const conf::Resource& resource = runner_->group().resources.at(run.index);
        if (resource.kind == conf::AgentKind::builtin) {
            const auto t0 = std::chrono::steady_clock::now();
            IpAddr::Outcome o = ip_addr_.run(resource, run.action);
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
            const std::string text = fmt::format("{} {}: {} in {}.{:03} ms", resource.word, agent_action_name(run.action),
                                                 describe(o.result), us / 1000, us % 1000);
            if (run.action == AgentAction::status) log_.debug("{}", text); else log_.info("{}", text);
            if (o.withdrawn) arp_.cancel(*o.withdrawn);
            if (o.announce) arp_.announce(*o.announce);
            runner_->on_result(o.result, clock_.now());
            continue;  // built-ins answer at once
        }
        launcher_.launch(make_agent_command(resource, run.action), run.timeout,
                         [this, index = run.index, action = run.action](AgentResult r) {
                             on_agent_result(index, action, std::move(r));
                         });
        return;
    }
}

void GroupExecutor::on_agent_result(std::size_t index, AgentAction action, AgentResult result) {
    if (!runner_) return;
    log_output(runner_->group().resources.at(index), action, result);
    runner_->on_result(result, clock_.now());
    drive();
}

void GroupExecutor::log_output(const conf::Resource& resource, AgentAction action, const AgentResult& result) {
    auto emit = [&](const std::string& text, std::string_view stream) {
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            const std::string_view line(text.data() + start, end - start);
            if (!line.empty()) {
                if (action == AgentAction::status)
                    log_.debug("{}[{}]: {}{}", resource.agent, result.pid, stream, line);
                else
                    log_.info("{}[{}]: {}{}", resource.agent, result.pid, stream, line);
            }
            start = end + 1;
        }
    };
    emit(result.out, "");
    emit(result.err, "stderr: ");
}

}  // namespace ha::rsc
