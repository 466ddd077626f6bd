#include "master/cluster_shell.hpp"

#include <unistd.h>

#include <random>

#include "master/core/membership_replies.hpp"
#include "master/core/serial_pace.hpp"

#include <algorithm>

namespace ha::master {

namespace {

std::map<std::string, std::chrono::milliseconds, std::less<>> serial_link_deadtimes(
    const std::map<std::string, SerialPace, std::less<>>& paces) {
    std::map<std::string, std::chrono::milliseconds, std::less<>> out;
    for (const auto& [device, pace] : paces) out.emplace(device, pace.link_deadtime);
    return out;
}

}  // namespace

LinkTableParams link_table_params(const conf::Config& config, const std::map<std::string, SerialPace, std::less<>>& paces) {
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
    p.guard_window = conf::guard_window(cf.keepalive);
    p.link_deadtime = serial_link_deadtimes(paces);
    return p;
}

ClusterShell::ClusterShell(boost::asio::io_context& io, const conf::Config& config, const ipc::Clock& clock, ipc::Log& log,
                           HeartbeatSourceParams source, std::vector<std::string> media_children, Sender send)
    : config_(config),
      clock_(clock),
      log_(log),
      serial_paces_(serial_paces(config)),
      table_(link_table_params(config, serial_paces_), log, clock.now()),
      source_(std::move(source)),
      history_(log),
      requests_(log, config.ha_cf.max_rexmit_delay, config.ha_cf.deadtime),
      media_children_(std::move(media_children)),
      send_(std::move(send)),
      keepalive_timer_(io),
      deadline_timer_(io),
      rexmit_timer_(io),
      media_counters_(log),
      ack_pick_(std::random_device{}() % 10) {}

void ClusterShell::set_timings() {
    const auto& cf = config_.ha_cf;
    serial_paces_ = serial_paces(config_);
    table_.set_timings(cf.keepalive, cf.deadtime, cf.warntime, cf.initdead, cf.deadping, serial_link_deadtimes(serial_paces_));
}

void ClusterShell::start() {
    send_heartbeat();
    arm_keepalive();
    arm_deadline();
}

void ClusterShell::stop() {
    stopped_ = true;
    keepalive_timer_.cancel();
    deadline_timer_.cancel();
    rexmit_timer_.cancel();
}

void ClusterShell::send_heartbeat() {
    if (shutdown_announced_) return;
    send_sequenced(source_.make_status(clock_.wall_now(), table_.local_status(), table_.effective_deadtime()));
}

void ClusterShell::send_sequenced(const ipc::Message& message) {
    history_.record(message);  // only what has a seq is kept (not the NS_ types)
    for (const auto& child : media_children_) send_(child, message);
}

void ClusterShell::answer_rexmit(const ipc::Message& request) {
    // After `shutdone` nothing goes out (see announce_shutdown): an old status sent again would
    // read as this node returning.
    if (shutdown_announced_) return;
    auto answer = history_.answer(request, config_.local_node, clock_.now());
    // The kept message as it was first sent: its seq is what the peer misses (no new stamp).
    // `_rexmit` (a bus annotation, never signed) tells the serial daemon that this old status
    // must not take the place of a newer one waiting for the cable.
    for (auto kept : answer.resend) {
        kept.add("_rexmit", "1");
        for (const auto& child : media_children_) send_(child, kept);
    }
    for (auto& nak : answer.naks) {
        if (const auto* uuid = request.find("srcuuid")) nak.add("destuuid", uuid->value, ipc::FieldType::binary);
        send_cluster(std::move(nak));
    }
}

void ClusterShell::announce_shutdown() {
    // Our `shutdone` already told the peer; a 3.0.6 peer that marked us dead would read any later
    // status as "returning after partition". So nothing more goes out.
    shutdown_announced_ = true;
    handle_events(table_.set_local_status(kStatusDead));
}

void ClusterShell::send_cluster(ipc::Message message, Origin origin) {
    source_.stamp(message, clock_.wall_now(), origin);
    send_sequenced(message);
}

bool ClusterShell::peer_dead(const std::string& node) const {
    for (const auto& n : table_.nodes()) {
        if (n.name == node) return n.status == kStatusDead;
    }
    return false;
}

void ClusterShell::arm_rexmit() {
    if (stopped_) return;
    auto next = requests_.next_deadline();
    rexmit_timer_.cancel();
    if (!next) return;
    rexmit_timer_.expires_at(std::max(*next, clock_.now()));
    rexmit_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        for (auto& request : requests_.due(clock_.now())) {
            if (!shutdown_announced_) send_cluster(std::move(request));  // after shutdone nothing goes out
        }
        arm_rexmit();
    });
}

void ClusterShell::arm_keepalive() {
    if (stopped_) return;
    keepalive_timer_.expires_after(config_.ha_cf.keepalive);
    keepalive_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        // Nothing else per keepalive: the media daemons' counters are read from their segments
        // when a view is built (a `_stats` ask every other keepalive used to wake both processes
        // and their ZMQ threads once more, a large share of the idle CPU: issue 13).
        send_heartbeat();
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
        if (stall >= table_.stall_threshold()) table_.confirm_silences(now, stall);
        handle_events(table_.on_tick(now));
        arm_deadline();
    });
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
    // After a confirmed seq jump the old gaps are behind the new position: asking for them, and
    // holding acks back for them, would only stall the peer's send window until give-up.
    if (outcome.resynced) requests_.forget(src);
    handle_events(outcome.events);
    // The same message arrives once per medium; the LinkTable lets only the first copy through.
    if (outcome.accepted() && !info->is_status() && on_peer_message) on_peer_message(message);
    if (outcome.accepted()) {
        if (auto rep = repnodes_for(message, config_.local_node, config_.ha_cf.nodes)) send_cluster(std::move(*rep));
        // Heartbeat takes an ack for "all up to ackseq arrived" and never sends those again:
        // no ack past a gap we are still asking to fill (seen in the interop lab: one seq of a
        // gap never came back after an ack of a later one).
        const bool gap_below = info->seq && requests_.missing_below(src, *info->seq);
        if (auto ack = ack_for(message, config_.local_node, ack_pick_); ack && !gap_below) send_cluster(std::move(*ack));
        if (message.type() == "NS_rexmit") answer_rexmit(message);
        if (message.type() == "NS_nak_rexmit") requests_.on_nak(message, config_.local_node);
        if (info->seq) requests_.on_received(src, *info->seq, message);
        arm_rexmit();
    }
    arm_deadline();
}

void ClusterShell::handle_events(const std::vector<ClusterEvent>& events) {
    if (events.empty()) return;
    if (on_events) on_events(events);
    for (const auto& e : events) {
        // Our status changes go out at once rather than at the next keepalive.
        if (std::holds_alternative<LocalStatusChanged>(e)) send_heartbeat();
        // A gap is asked to be filled only while the peer is alive to us. What it sent while we
        // held it dead (a partition) is not asked for: partition recovery settles that, and
        // those messages delivered now, out of order, would be read as news (seen in lab.node_loss:
        // the peer's ipfail count of 0 from the partition, retransmitted after the fresh one,
        // made our ipfail give everything up).
        if (const auto* lost = std::get_if<LostPackets>(&e); lost && !peer_dead(lost->node))
            requests_.on_lost(clock_.now(), lost->node, lost->from, lost->to);
        // A restarted, dead or partitioned peer will never fill its old gaps.
        if (const auto* r = std::get_if<NodeRestarted>(&e)) requests_.forget(r->node);
        if (const auto* d = std::get_if<NodeDead>(&e)) requests_.forget(d->node);
        if (const auto* p = std::get_if<ReturningAfterPartition>(&e)) requests_.forget(p->node);
    }
    arm_rexmit();
    if (on_change) on_change();
}

ClusterView ClusterShell::view() const {
    ClusterView v;
    v.local_node = config_.local_node;
    v.local_status = table_.local_status();
    v.generation = source_.generation();
    v.pid = static_cast<int>(::getpid());
    const auto now = clock_.now();
    // The live counters (issue 21: `sent` keeps pace with `received`).
    const auto media_stats = media_counters_.refresh();
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
        if (auto it = media_stats.find(l.link); it != media_stats.end() && l.node != config_.local_node) {
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
