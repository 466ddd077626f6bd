// render_prometheus — see prometheus_metrics.hpp.
#include "master/prometheus_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "ipc/version.hpp"

namespace ha::master {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

std::string label_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

class Exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(std::string_view name, const Labels& labels, std::uint64_t value) { line(name, labels, std::to_string(value)); }
    void sample(std::string_view name, const Labels& labels, double value) { line(name, labels, fmt::format("{}", value)); }
    void sample(std::string_view name, const Labels& labels, bool value) { line(name, labels, value ? "1" : "0"); }
    std::string take() { return std::move(out_); }

private:
    void line(std::string_view name, const Labels& labels, const std::string& value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            for (std::size_t i = 0; i < labels.size(); ++i)
                out_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, label_value(labels[i].second));
            out_ += '}';
        }
        out_ += ' ' + value + '\n';
    }
    std::string out_;
};

double seconds(std::chrono::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// One series per state, 1 for the current one (a "state set"); a state outside `known` is added.
void state_set(Exposition& x, std::string_view name, Labels labels, std::string_view label, const std::vector<std::string_view>& known,
               const std::string& current) {
    std::vector<std::string_view> states = known;
    if (std::find(states.begin(), states.end(), current) == states.end()) states.push_back(current);
    labels.emplace_back(label, "");
    for (auto s : states) {
        labels.back().second = std::string(s);
        x.sample(name, labels, s == current);
    }
}

}  // namespace

std::string render_prometheus(const ClusterView& v) {
    Exposition x;
    x.family("hamaster_info", "gauge", "This hamaster master: its node name and version (always 1).");
    x.sample("hamaster_info", {{"node", v.local_node}, {"version", std::string(ipc::hamaster_version())}}, std::uint64_t{1});
    x.family("hamaster_generation", "gauge", "This node's generation (Heartbeat's hb_generation), one more at every start.");
    x.sample("hamaster_generation", {}, v.generation);
    x.family("hamaster_keepalive_seconds", "gauge", "Configured interval between heartbeats.");
    x.sample("hamaster_keepalive_seconds", {}, seconds(v.keepalive));
    x.family("hamaster_deadtime_seconds", "gauge", "Configured silence after which a node is declared dead.");
    x.sample("hamaster_deadtime_seconds", {}, seconds(v.deadtime));
    x.family("hamaster_local_status", "gauge", "This node's status (1 for the current one).");
    state_set(x, "hamaster_local_status", {}, "status", {"up", "active", "dead"}, v.local_status);
    x.family("hamaster_resources_held", "gauge", "Which resource groups this node holds, as cl_status rscstatus says (1 for the current word).");
    state_set(x, "hamaster_resources_held", {}, "hold", {"none", "local", "foreign", "all", "transition"}, v.rsc_hold);

    x.family("hamaster_peer_status", "gauge", "The peer's status as this node sees it (1 for the current one).");
    for (const auto& n : v.nodes)
        if (n.name != v.local_node && n.type != "ping") state_set(x, "hamaster_peer_status", {{"peer", n.name}}, "status", {"init", "up", "active", "dead"}, n.status);
    x.family("hamaster_peer_lost_messages_total", "counter", "Sequence numbers of the peer's messages never received.");
    for (const auto& n : v.nodes)
        if (n.name != v.local_node && n.type != "ping") x.sample("hamaster_peer_lost_messages_total", {{"peer", n.name}}, n.lost);
    x.family("hamaster_ping_node_up", "gauge", "1 while the ping node (ha.cf ping/ping_group) answers ICMP echo.");
    for (const auto& n : v.nodes)
        if (n.type == "ping") x.sample("hamaster_ping_node_up", {{"ping_node", n.name}}, n.status == "ping");

    auto link_labels = [](const LinkView& l) { return Labels{{"peer", l.node}, {"link", l.link}}; };
    x.family("hamaster_link_up", "gauge", "1 while the link to the peer is up (heard within deadtime).");
    for (const auto& l : v.links) x.sample("hamaster_link_up", link_labels(l), l.up);
    x.family("hamaster_link_received_packets_total", "counter", "Packets from the peer on this link, dropped or not.");
    for (const auto& l : v.links) x.sample("hamaster_link_received_packets_total", link_labels(l), l.received);
    x.family("hamaster_link_sent_packets_total", "counter", "Packets the media daemon sent on this link.");
    for (const auto& l : v.links) x.sample("hamaster_link_sent_packets_total", link_labels(l), l.sent);
    x.family("hamaster_link_late_heartbeats_total", "counter", "Heartbeats that came later than warntime.");
    for (const auto& l : v.links) x.sample("hamaster_link_late_heartbeats_total", link_labels(l), l.late);
    x.family("hamaster_link_dropped_packets_total", "counter", "Packets dropped on this link, by reason (the master's and the media daemon's).");
    for (const auto& l : v.links) {
        std::map<std::string, std::uint64_t> by_reason;
        for (const auto* counts : {&l.dropped, &l.wire_dropped})
            for (const auto& [reason, n] : *counts) by_reason[reason] += n;
        for (const auto& [reason, n] : by_reason) {
            Labels labels = link_labels(l);
            labels.emplace_back("reason", reason);
            x.sample("hamaster_link_dropped_packets_total", labels, n);
        }
    }
    x.family("hamaster_link_loss_ratio", "gauge", "Dropped / (received + dropped) on this link since the master started.");
    for (const auto& l : v.links) {
        std::uint64_t drops = 0;
        for (const auto* counts : {&l.dropped, &l.wire_dropped})
            for (const auto& [reason, n] : *counts) drops += n;
        const std::uint64_t expected = l.received + drops;
        x.sample("hamaster_link_loss_ratio", link_labels(l), expected ? static_cast<double>(drops) / static_cast<double>(expected) : 0.0);
    }
    x.family("hamaster_link_last_heard_seconds", "gauge", "Time since the last packet on this link (absent: never heard).");
    for (const auto& l : v.links)
        if (l.age) x.sample("hamaster_link_last_heard_seconds", link_labels(l), seconds(*l.age));
    x.family("hamaster_link_heartbeat_interval_seconds", "gauge",
             "Time between the last two packets on this link: keepalive plus the heartbeat's latency and jitter (heartbeats are one-way).");
    for (const auto& l : v.links)
        if (l.interval) x.sample("hamaster_link_heartbeat_interval_seconds", link_labels(l), seconds(*l.interval));

    std::vector<std::string_view> group_states(std::begin(kGroupStates), std::end(kGroupStates));
    x.family("hamaster_resource_group_state", "gauge", "Where each resource group is, seen from this node (1 for the current state).");
    for (const auto& g : v.groups) state_set(x, "hamaster_resource_group_state", {{"group", g.key}}, "state", group_states, g.state);
    x.family("hamaster_resource_group_acquisitions_total", "counter", "Successful starts of the group on this node.");
    for (const auto& g : v.groups) x.sample("hamaster_resource_group_acquisitions_total", {{"group", g.key}}, g.acquisitions);
    x.family("hamaster_failovers_total", "counter", "Starts of the group on this node while the peer was dead (takeovers).");
    for (const auto& g : v.groups) x.sample("hamaster_failovers_total", {{"group", g.key}}, g.failovers);
    x.family("hamaster_resource_group_releases_total", "counter", "Successful stops of the group on this node.");
    for (const auto& g : v.groups) x.sample("hamaster_resource_group_releases_total", {{"group", g.key}}, g.releases);
    x.family("hamaster_resource_group_failures_total", "counter", "Failed starts and stops of the group on this node.");
    for (const auto& g : v.groups) {
        x.sample("hamaster_resource_group_failures_total", {{"group", g.key}, {"op", "start"}}, g.start_failures);
        x.sample("hamaster_resource_group_failures_total", {{"group", g.key}, {"op", "stop"}}, g.stop_failures);
    }
    x.family("hamaster_guard_verdicts_total", "counter",
             "Split-brain guard verdicts before a takeover: clear (address free), held (another machine answers), error (could not check).");
    for (const auto& [verdict, n] : v.guard_verdicts) x.sample("hamaster_guard_verdicts_total", {{"verdict", verdict}}, n);
    x.family("hamaster_child_respawns_total", "counter", "Restarts of a child process after it died or hung.");
    for (const auto& [child, n] : v.respawns) x.sample("hamaster_child_respawns_total", {{"child", child}}, n);
    return x.take();
}

}  // namespace ha::master
