// RscService — see rsc_service.hpp.
#include "rscd/rsc_service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "ipc/config/group_diff.hpp"

namespace ha::rsc {

RscService::RscService(const conf::Haresources& haresources, GroupOperator& groups, Send send, ipc::Log& log,
                       ipc::SteadyTime now, std::chrono::milliseconds master_timeout, Loader loader)
    : haresources_(haresources), groups_(groups), send_(std::move(send)), loader_(std::move(loader)), log_(log),
      master_timeout_(master_timeout), confirm_(confirm_window(master_timeout)), last_heard_(now) {}

std::chrono::milliseconds RscService::confirm_window(std::chrono::milliseconds master_timeout) {
    return std::clamp(master_timeout / 10, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
}

const conf::ResourceGroup* RscService::find(const std::string& key) const {
    for (const auto& g : haresources_.groups)
        if (g.key() == key) return &g;
    return nullptr;
}

void RscService::on_bus_message(const ipc::Message& message, ipc::SteadyTime now) {
    last_heard_ = now;
    suspect_until_.reset();
    if (message.type() == kRscReload) return reload(message);
    if (message.type() != kRscOp) return;
    auto request = decode_rsc_request(message);
    if (!request) {
        log_.error("dropped bus message from master: {}", request.error().message);
        return;
    }
    if (shutting_down_) {
        send_(encode_rsc_refusal(*request, "shutting_down"));
        return;
    }
    const conf::ResourceGroup* group = find(request->group);
    if (!group) {
        log_.warn("unknown resource group {} (op {}, seq {})", request->group, group_op_name(request->op), request->seq);
        send_(encode_rsc_refusal(*request, "unknown_group"));
        return;
    }
    if (request->op == GroupOp::announce) {
        // Beside the queue, answered at once: it only sends packets for addresses already here,
        // and a stop that removes one later cancels its rounds.
        log_.info("Announcing the addresses of resource group {} again", group->text);
        send_(encode_rsc_result(*request, groups_.announce(*group)));
        return;
    }
    queue_.push_back({std::move(*request), group, true});
    pump();
}

void RscService::reload(const ipc::Message& message) {
    auto seq = decode_rsc_reload(message);
    if (!seq) {
        log_.error("dropped bus message from master: {}", seq.error().message);
        return;
    }
    auto refuse = [&](const std::string& why) {
        log_.warn("haresources reload refused: {}", why);
        send_(encode_rsc_reload_refusal(*seq, why));
    };
    if (shutting_down_) return refuse("shutting_down");
    if (busy_ || !queue_.empty()) return refuse("busy");
    if (!loader_) return refuse("reload not supported");
    auto next = loader_();
    if (!next) return refuse(next.error().message);
    for (const auto& change : conf::diff_groups(haresources_.groups, next->groups)) {
        if (change.kind == conf::GroupChange::Kind::added) continue;
        if (std::find(held_.begin(), held_.end(), change.key) != held_.end())
            return refuse(fmt::format("held group {} {}", change.key, conf::group_change_word(change.kind)));
    }
    haresources_ = std::move(*next);  // idle: no Pending points into the old groups
    log_.info("haresources reloaded: {} resource group(s)", haresources_.groups.size());
    send_(encode_rsc_reloaded(*seq, haresources_.groups.size()));
}

void RscService::pump() {
    if (busy_ || queue_.empty()) return maybe_done();
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    busy_op_ = p.request.op;
    const conf::ResourceGroup& group = *p.group;
    const GroupOp op = p.request.op;
    groups_.run(group, op, [this, p = std::move(p)](const GroupOutcome& outcome) {
        busy_ = false;
        finished(p, outcome);
        pump();
    });
}

void RscService::finished(const Pending& p, const GroupOutcome& outcome) {
    const std::string& key = p.group->key();
    const auto it = std::find(held_.begin(), held_.end(), key);
    const bool held = it != held_.end();
    switch (p.request.op) {
        case GroupOp::start:
            if (outcome.ok && !held) held_.push_back(key);
            if (!outcome.ok && !outcome.any_running && held) held_.erase(it);
            break;
        case GroupOp::stop:
            if (!outcome.any_running && held) held_.erase(it);
            break;
        case GroupOp::status:
        case GroupOp::announce: break;  // (announce is never queued)
    }
    if (p.reply) send_(encode_rsc_result(p.request, outcome));
}

void RscService::on_tick(ipc::SteadyTime now) {
    const auto deadline = next_deadline();
    if (!deadline || now < *deadline) return;
    // The shell read the bus just before this tick, but a message the master sent while we were
    // frozen may still be on its way to the socket: listen for one more window, awake, first.
    // A window whose own tick comes late (we were frozen again) proves nothing and starts over.
    if (!suspect_until_ || now - *suspect_until_ > confirm_) {
        suspect_until_ = now + confirm_;
        log_.debug("No message from the master for {} ms; listening {} ms more before releasing",
                   std::chrono::duration_cast<std::chrono::milliseconds>(now - last_heard_).count(), confirm_.count());
        return;
    }
    const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_heard_);
    shutdown(fmt::format("no message from the master for {} ms", silent.count()));
}

std::optional<ipc::SteadyTime> RscService::next_deadline() const {
    if (master_timeout_.count() <= 0 || shutting_down_) return std::nullopt;
    if (suspect_until_) return *suspect_until_;
    return last_heard_ + master_timeout_;
}

void RscService::shutdown(std::string_view why) {
    if (shutting_down_) return;
    shutting_down_ = true;
    log_.crit("Master gone ({}): releasing {} resource group(s)", why, held_.size() + (busy_ && busy_op_ == GroupOp::start ? 1 : 0));
    for (const auto& p : queue_)
        if (p.reply) send_(encode_rsc_refusal(p.request, "shutting_down"));
    queue_.clear();
    if (busy_) groups_.abort();
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
        const conf::ResourceGroup* g = find(*it);
        if (g) queue_.push_back({RscRequest{GroupOp::stop, *it, "shutdown"}, g, true});
    }
    pump();
}

void RscService::maybe_done() {
    if (!shutting_down_ || busy_ || !queue_.empty() || released_) return;
    released_ = true;
    if (held_.empty())
        log_.info("All resource groups released.");
    else
        log_.crit("{} resource group(s) could not be released: {}", held_.size(), fmt::format("{}", fmt::join(held_, " ")));
    if (on_released_) on_released_();
}

}  // namespace ha::rsc
