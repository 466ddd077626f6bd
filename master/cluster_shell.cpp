#include "master/cluster_shell.hpp"

#include <unistd.h>

#include <random>

#include "master/core/membership_replies.hpp"
#include "master/core/serial_pace.hpp"

#include <algorithm>

namespace ha::master {

std::map<std::string, std::chrono::milliseconds, std::less<>> serial_link_deadtimes(
    const std::map<std::string, SerialPace, std::less<>>& paces) {
    std::map<std::string, std::chrono::milliseconds, std::less<>> out;
    for (const auto& [device, pace] : paces) out.emplace(device, pace.link_deadtime);
    return out;
}

LinkTableParams link_table_params(const conf::Config& config) {
    const auto& cf = config.ha_cf;
    std::vector<std::string> links;
    for (const auto& m : cf.media) {
        if (m.self) continue;
        if (std::find(links.begin(), links.end(), m.device) == links.end()) links.push_back(m.device);
    }
    LinkTableParams p;
    p.local_node = config.local_node;
    p.local_links = links;
    for (const auto& peer : config.peers()) p.peers.push_back(PeerParams{peer, links});
    // Ping nodes are judged by ipfaild (it owns the pinging); the master shows what it reports.
    p.keepalive = cf.keepalive;
    p.deadtime = cf.deadtime;
    p.warntime = cf.warntime;
    p.initdead = cf.initdead;
    p.deadping = cf.deadping;
    // rscd's ARP window at its defaults (3 probes one interval apart, verdict one interval after
    // the last; the master starts it without --arp-probe-*) needs 3 intervals after the first
    // probe; twice that plus one leaves room for the bus and both loops: the verdict is due
    // before the dead decision (docs/split-brain.md, "Timing").
    p.guard_lead = conf::guard_lead(cf.keepalive);
    p.link_deadtime = serial_link_deadtimes(serial_paces(config));
    return p;
}

ClusterShell::ClusterShell(boost::asio::io_context& io, const conf::Config& config, const ipc::Clock& clock, ipc::Log& log,
                           HeartbeatSourceParams source, std::vector<std::string> media_children, Sender send)
    : config_(config),
      clock_(clock),
      log_(log),
      table_(link_table_params(config), log, clock.now()),
      serial_paces_(serial_paces(config)),
      source_(std::move(source)),
      media_children_(std::move(media_children)),
      send_(std::move(send)),
      keepalive_timer_(io),
      deadline_timer_(io),
      ack_pick_(std::random_device{}() % 10) {}

void ClusterShell::start() {
    send_heartbeat();
    arm_keepalive();
    arm_deadline();
}

void ClusterShell::stop() {
    stopped_ = true;
    keepalive_timer_.cancel();
    deadline_timer_.cancel();
}

void ClusterShell::send_heartbeat() {
    if (shutdown_announced_) return;
    ipc::Message msg = source_.make_status(clock_.wall_now(), table_.local_status(), table_.effective_deadtime());
    for (const auto& child : media_children_) send_(child, msg);
}

void ClusterShell::announce_shutdown() {
    // Our `shutdone` already told the peer; a 3.0.6 peer that marked us dead would read any later
    // status as "returning after partition". So nothing more goes out.
    shutdown_announced_ = true;
    handle_events(table_.set_local_status(kStatusDead));
}

void ClusterShell::send_cluster(ipc::Message message, Origin origin) {
    source_.stamp(message, clock_.wall_now(), origin);
    for (const auto& child : media_children_) send_(child, message);
}

void ClusterShell::arm_keepalive() {
    if (stopped_) return;
    keepalive_timer_.expires_after(config_.ha_cf.keepalive);
    keepalive_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        send_heartbeat();
        // The media daemons' own counters (sent, dropped on the wire), after every second heartbeat:
        // the bus keeps order, so each reply counts the heartbeat just sent and `sent` lags
        // `received` by at most one keepalive (issue 21: every 10 keepalives it lagged by up to 10).
        // Not after every one: each reply wakes both processes and their ZMQ threads once more,
        // a large share of the idle CPU at a 10 ms keepalive (issue 13).
        if (++heartbeats_since_stats_ >= kHeartbeatsPerStats) {
            heartbeats_since_stats_ = 0;
            ask_media_stats();
        }
        arm_keepalive();
    });
}

void ClusterShell::arm_deadline() {
    if (stopped_) return;
    auto next = table_.next_deadline();
    if (next) next = std::max(*next, clock_.now());
    deadline_timer_.arm(next, [this] {
        if (stopped_) return;
        // Heartbeats already waiting on the bus count before a link or node is declared dead:
        // after a freeze of the master its timer and the bus are ready at once.
        if (read_pending) read_pending();
        if (stopped_) return;
        const auto now = clock_.now();
        // Fired much later than asked: the loop (or the whole node) stalled, and the media daemons
        // that stalled with us may not have forwarded yet what the peer sent meanwhile. Give them
        // one stall threshold (at least a keepalive's worth of reading) before any verdict.
        const auto stall = std::chrono::duration_cast<std::chrono::milliseconds>(now - deadline_timer_.expiry());
        if (stall >= table_.stall_threshold()) table_.confirm_silences(now + table_.stall_threshold(), stall);
        handle_events(table_.on_tick(now));
        arm_deadline();
    });
}

void ClusterShell::ask_media_stats() {
    const ipc::Message ask = ipc::bus::MediaStatsAsk{}.encode();
    for (const auto& child : media_children_) send_(child, ask);
}

void ClusterShell::on_media_stats(ipc::bus::MediaStats stats) {
    std::string link = stats.link;
    media_stats_[std::move(link)] = std::move(stats);
}

void ClusterShell::on_media_message(const std::string& child, ipc::Message message) {
    std::string link = message.get_or("_link", "");
    std::string src(message.src());
    // The `_` fields are our own annotations, never part of the cluster message.
    std::erase_if(message.fields(), [](const ipc::Field& f) { return !f.name.empty() && f.name[0] == '_'; });
    auto info = heartbeat_info_from(message);
    if (link.empty() || src.empty() || !info) {
        if (bad_bus_messages_++ < 10 || bad_bus_messages_ % 1000 == 0)
            log_.warn("dropped message from media daemon {}: {} ({} so far)", child,
                      !info ? info.error().message : link.empty() ? "missing _link" : "missing src", bad_bus_messages_);
        return;
    }
    auto outcome = table_.on_heartbeat(clock_.now(), src, link, *info);
    handle_events(outcome.events);
    // The same message arrives once per medium; the LinkTable lets only the first copy through.
    if (outcome.accepted() && !info->is_status() && on_peer_message) on_peer_message(message);
    if (outcome.accepted()) {
        if (auto rep = repnodes_for(message, config_.local_node, config_.ha_cf.nodes)) send_cluster(std::move(*rep));
        if (auto ack = ack_for(message, config_.local_node, ack_pick_)) send_cluster(std::move(*ack));
    }
    arm_deadline();
}

void ClusterShell::handle_events(const std::vector<ClusterEvent>& events) {
    if (events.empty()) return;
    if (on_events) on_events(events);
    for (const auto& e : events) {
        // Our status changes go out at once rather than at the next keepalive.
        if (std::holds_alternative<LocalStatusChanged>(e)) send_heartbeat();
    }
    if (on_change) on_change();
}

ClusterView ClusterShell::view() const {
    ClusterView v;
    v.local_node = config_.local_node;
    v.local_status = table_.local_status();
    v.generation = source_.generation();
    v.pid = static_cast<int>(::getpid());
    const auto now = clock_.now();
    for (const auto& n : table_.nodes()) {
        v.nodes.push_back(NodeView{n.name, std::string(node_type_word(n.type)), n.status, n.counters.lost});
    }
    for (const auto& l : table_.links()) {
        LinkView lv;
        lv.node = l.node;
        lv.link = l.link;
        lv.up = l.status == LinkStatus::up;
        if (l.last_heard) lv.age = std::chrono::duration_cast<std::chrono::milliseconds>(now - *l.last_heard);
        lv.received = l.counters.received;
        lv.late = l.counters.late;
        lv.interval = l.counters.interval;
        if (auto pace = serial_paces_.find(l.link); pace != serial_paces_.end() && l.node != config_.local_node) {
            lv.pace = pace->second.pace;
            lv.link_deadtime = pace->second.link_deadtime;
        }
        for (const auto& [reason, count] : l.counters.dropped) lv.dropped[std::string(drop_reason_word(reason))] = count;
        if (auto it = media_stats_.find(l.link); it != media_stats_.end() && l.node != config_.local_node) {
            lv.sent = it->second.tx;
            for (const auto& [reason, n] : it->second.drops)
                if (n > 0) lv.wire_dropped[reason] = n;
        }
        v.links.push_back(std::move(lv));
    }
    for (const auto& ping : config_.ha_cf.ping_nodes) {
        auto it = ping_status_.find(ping.name);
        const std::string status = it == ping_status_.end() ? "init" : it->second ? "ping" : "dead";
        v.nodes.push_back(NodeView{ping.name, "ping", status, 0});
        LinkView lv;
        lv.node = lv.link = ping.name;
        lv.up = it != ping_status_.end() && it->second;
        v.links.push_back(std::move(lv));
    }
    if (!table_.comm_up()) {
        const auto end = table_.started() + table_.params().initdead;
        v.initdead_left = std::chrono::duration_cast<std::chrono::milliseconds>(std::max(end - now, ipc::SteadyTime::duration::zero()));
    }
    v.keepalive = table_.params().keepalive;
    v.deadtime = table_.params().deadtime;
    const auto& cf = config_.ha_cf;
    v.parameter = [&cf](std::string_view name) { return cf.parameter(name); };
    if (decorate_view) decorate_view(v);
    return v;
}

}  // namespace ha::master
