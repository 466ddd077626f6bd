#include "master/control_service.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "master/prometheus_metrics.hpp"

namespace ha::master {
namespace {

constexpr int kParamError = 11;

// Every JSON answer is built as a nlohmann::ordered_json value and dumped, so it is valid whatever bytes
// a node, link or parameter name holds (a name that is not UTF-8 is replaced, never copied raw).
std::string dump(const nlohmann::ordered_json& j) { return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n"; }

ipc::Message reply(int rc, std::string out, std::string err = {}, bool usage = false) {
    return ipc::bus::ControlReply{rc, std::move(out), std::move(err), usage, std::nullopt, std::nullopt}.encode();
}

const NodeView* find_node(const ClusterView& v, std::string_view name) {
    for (const auto& n : v.nodes)
        if (n.name == name) return &n;
    return nullptr;
}

ipc::Message unknown_node() { return reply(kParamError, "", "Error. May be due to incorrect node name\n"); }

std::uint64_t drops_of(const LinkView& l) {
    std::uint64_t n = 0;
    for (const auto* counts : {&l.dropped, &l.wire_dropped})
        for (const auto& [reason, count] : *counts) n += count;
    return n;
}

nlohmann::ordered_json ms_or_null(const std::optional<std::chrono::milliseconds>& d) {
    return d ? nlohmann::ordered_json(d->count()) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json link_json(const LinkView& l) {
    nlohmann::ordered_json dropped = nlohmann::ordered_json::object();
    for (const auto* counts : {&l.dropped, &l.wire_dropped})
        for (const auto& [reason, n] : *counts) dropped[reason] = dropped.value(reason, std::uint64_t{0}) + n;
    const std::uint64_t drops = drops_of(l), expected = l.received + drops;
    return {{"link", l.link},
            {"status", l.up ? "up" : "dead"},
            {"age_ms", ms_or_null(l.age)},
            {"received", l.received},
            {"sent", l.sent},
            {"late", l.late},
            {"dropped", dropped},
            {"interval_ms", ms_or_null(l.interval)},
            {"pace_ms", ms_or_null(l.pace)},
            {"link_deadtime_ms", ms_or_null(l.link_deadtime)},
            {"loss_pct", expected ? 100.0 * static_cast<double>(drops) / static_cast<double>(expected) : 0.0}};
}

nlohmann::ordered_json links_json(const ClusterView& v, std::string_view node) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& l : v.links)
        if (l.node == node) out.push_back(link_json(l));
    return out;
}

}  // namespace

ipc::Message handle_control(const ipc::Message& request, const ClusterView& v) {
    auto decoded = ipc::bus::ClStatusRequest::decode(request);
    if (!decoded) return reply(kParamError, "", fmt::format("cl_status: refused request: {}\n", decoded.error().message));
    return handle_control(*decoded, v);
}

ipc::Message handle_control(const ipc::bus::ClStatusRequest& r, const ClusterView& v) {
    const bool sentences = r.has_flag("m");
    auto arg = [&](std::size_t i) -> const std::string* { return i < r.args.size() ? &r.args[i] : nullptr; };

    if (r.cmd == "hbstatus") {
        if (r.json) return reply(0, dump({{"running", true}, {"node", v.local_node}, {"pid", v.pid}}));
        return reply(0, "Heartbeat is running on this machine.\n");
    }
    if (r.cmd == "listnodes") {
        const bool ping_only = r.has_flag("p"), normal_only = r.has_flag("n");
        std::string out;
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& n : v.nodes) {
            if (ping_only && n.type != "ping") continue;
            if (normal_only && n.type != "normal") continue;
            if (r.json) list.push_back({{"node", n.name}, {"type", n.type}, {"status", n.status}});
            else out += n.name + "\n";
        }
        return reply(0, r.json ? dump(list) : out);
    }
    if (r.cmd == "nodetype" || r.cmd == "nodestatus") {
        const std::string* name = arg(0);
        if (!name) return reply(kParamError, "", "cl_status: missing node name\n", true);
        const NodeView* n = find_node(v, *name);
        if (!n) return unknown_node();
        if (r.cmd == "nodetype") {
            if (r.json) return reply(0, dump({{"node", n->name}, {"type", n->type}}));
            return reply(0, sentences ? fmt::format("The type of cluster node {} is {}\n", n->name, n->type) : n->type + "\n");
        }
        const bool good = n->status == "active" || n->status == "up" || n->status == "ping";
        if (r.json) return reply(good ? 0 : 1, dump({{"node", n->name}, {"status", n->status}}));
        return reply(good ? 0 : 1, sentences ? fmt::format("The cluster node {} is {}\n", n->name, n->status) : n->status + "\n");
    }
    if (r.cmd == "listhblinks") {
        const std::string* name = arg(0);
        if (!name) return reply(kParamError, "", "cl_status: missing node name\n", true);
        if (!find_node(v, *name)) return unknown_node();
        if (r.json) return reply(0, dump(links_json(v, *name)));
        std::string out;
        for (const auto& l : v.links) {
            if (l.node != *name) continue;
            out += "\t" + l.link;
            if (r.has_flag("v")) out += std::string("\t") + (l.up ? "up" : "dead");
            out += "\n";
        }
        return reply(0, out);
    }
    if (r.cmd == "hblinkstatus") {
        const std::string *name = arg(0), *link = arg(1);
        if (!name || !link) return reply(kParamError, "", "cl_status: hblinkstatus needs a node and a link\n", true);
        if (!find_node(v, *name)) return unknown_node();
        for (const auto& l : v.links) {
            if (l.node != *name || l.link != *link) continue;
            const char* word = l.up ? "up" : "dead";
            if (r.json) return reply(l.up ? 0 : 1, dump({{"node", *name}, {"link", *link}, {"status", word}}));
            return reply(l.up ? 0 : 1, sentences ? fmt::format("Link {}:{} is {}\n", *name, *link, word) : std::string(word) + "\n");
        }
        return reply(kParamError, "", fmt::format("Error. No link {} to node {}\n", *link, *name));
    }
    if (r.cmd == "rscstatus") {
        if (r.json) return reply(0, dump({{"rsc_hold", v.rsc_hold}}));
        if (!sentences) return reply(0, v.rsc_hold + "\n");
        std::string s;
        if (v.rsc_hold == "none") s = "This node is holding none resources.";
        else if (v.rsc_hold == "local") s = "This node is holding local resources.";
        else if (v.rsc_hold == "foreign") s = "This node is holding foreign resources.";
        else if (v.rsc_hold == "all") s = "This node is holding all resources.";
        else s = "This node is in transition.";
        return reply(0, s + "\n");
    }
    if (r.cmd == "hbparameter") {
        if (r.param.empty()) return reply(kParamError, "", "cl_status: hbparameter needs -p NAME\n", true);
        auto value = v.parameter ? v.parameter(r.param) : std::nullopt;
        if (!value) return reply(1, "", "");
        if (r.json) return reply(0, dump({{r.param, *value}}));
        return reply(0, *value + "\n");
    }
    if (r.cmd == "clientstatus") {
        // Heartbeat's words and codes: online 0, offline 1 (join 2 and leave 3 are transient
        // there; hamaster reports the settled state). The optional timeout is accepted: nothing
        // here waits for the peer, the master already knows what its messages said.
        const std::string *name = arg(0), *client = arg(1);
        if (!name || !client) return reply(kParamError, "", "cl_status: clientstatus needs a node and a client\n", true);
        if (!find_node(v, *name)) return unknown_node();
        std::string status = "offline";
        for (const auto& c : v.clients)
            if (c.node == *name && c.client == *client) status = c.status;
        const int rc = status == "online" ? 0 : 1;
        if (r.json)
            return reply(rc, dump({{"node", *name}, {"client", *client}, {"status", status}}));
        return reply(rc, sentences ? fmt::format("The client {} on node {} is {}\n", *client, *name, status) : status + "\n");
    }
    if (r.cmd == "nodeweight" || r.cmd == "nodesite") {
        // Heartbeat 3.0.6's answers, seen on a live node: the number or the site (an empty line
        // for the default empty site), exit 0, also for a ping node. An unknown node is exit 11
        // on stderr, and there Heartbeat's nodeweight words its error differently from every
        // other node sub-command ("Maybe", with a full stop): kept, scripts may match it.
        const bool weight = r.cmd == "nodeweight";
        const std::string* name = arg(0);
        if (!name) return reply(kParamError, "", "cl_status: missing node name\n", true);
        const NodeView* n = find_node(v, *name);
        if (!n) return weight ? reply(kParamError, "", "Error. Maybe due to incorrect node name.\n") : unknown_node();
        if (weight) {
            if (r.json) return reply(0, dump({{"node", n->name}, {"weight", n->weight}}));
            return reply(0, sentences ? fmt::format("The weight of the cluster node {} is {}\n", n->name, n->weight) : fmt::format("{}\n", n->weight));
        }
        if (r.json) return reply(0, dump({{"node", n->name}, {"site", n->site}}));
        return reply(0, sentences ? fmt::format("The site of the cluster node {} is {}\n", n->name, n->site) : n->site + "\n");
    }
    if (r.cmd == "status") return reply(0, r.json ? dump(status_json(v)) : render_status(v));
    if (r.cmd == "metrics") return reply(0, render_prometheus(v));  // hamaster status --prometheus
    return reply(kParamError, "", fmt::format("ERROR: {}: invalid sub-command.\n", r.cmd));
}

std::string render_status(const ClusterView& v) {
    std::string out = fmt::format("hamaster on {} (pid {}): {}, generation {}\n", v.local_node, v.pid, v.local_status, v.generation);
    if (v.initdead_left)
        out += fmt::format("initdead: {:.1f} s left before a silent peer is declared dead\n", static_cast<double>(v.initdead_left->count()) / 1000.0);
    for (const auto& n : v.nodes) {
        if (n.name == v.local_node) continue;
        if (n.type == "ping") {  // a ping node answers ICMP echo; it has no heartbeat link
            out += fmt::format("ping node {:<12} {}\n", n.name, n.status == "ping" ? "answers" : n.status == "dead" ? "dead (no echo reply)" : n.status);
            continue;
        }
        out += fmt::format("peer      {:<12} {}{}\n", n.name, n.status, n.lost ? fmt::format("  lost {}", n.lost) : "");
        for (const auto& l : v.links) {
            if (l.node != n.name) continue;
            const std::uint64_t drops = drops_of(l), expected = l.received + drops;
            out += fmt::format("    link {:<14} {:<5} last heard {:>8}  interval {:>6}  received {}  sent {}  late {}  dropped {}{}\n", l.link,
                               l.up ? "up" : "dead", l.age ? fmt::format("{}ms ago", l.age->count()) : "never",
                               l.interval ? fmt::format("{}ms", l.interval->count()) : "-", l.received, l.sent, l.late, drops,
                               expected ? fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(drops) / static_cast<double>(expected)) : "");
            if (l.pace && l.link_deadtime)  // a serial cable: the pace its baud rate allows
                out += fmt::format("         cable beats every {}ms at most, dead after {}ms of silence\n", l.pace->count(),
                                   l.link_deadtime->count());
        }
    }
    out += fmt::format("resources held here: {}\n", v.rsc_hold);
    for (const auto& g : v.groups) out += fmt::format("    group {}: {}\n", g.resources, g.where);
    if (!v.events.empty()) {
        out += "last changes:\n";
        for (const auto& e : v.events) out += fmt::format("    {} {}: {}\n", e.time, e.level, e.text);
    }
    return out;
}

nlohmann::ordered_json status_json(const ClusterView& v) {
    nlohmann::ordered_json peers = nlohmann::ordered_json::array(), pings = nlohmann::ordered_json::array(), groups = nlohmann::ordered_json::array(),
                   events = nlohmann::ordered_json::array();
    for (const auto& n : v.nodes) {
        if (n.name == v.local_node) continue;
        if (n.type == "ping") pings.push_back({{"node", n.name}, {"status", n.status}});
        else peers.push_back({{"node", n.name}, {"status", n.status}, {"lost", n.lost}, {"links", links_json(v, n.name)}});
    }
    for (const auto& g : v.groups) groups.push_back({{"resources", g.resources}, {"where", g.where}});
    for (const auto& e : v.events) events.push_back({{"time", e.time}, {"level", e.level}, {"text", e.text}});
    return {{"version", kStatusJsonVersion},
            {"node", v.local_node},
            {"pid", v.pid},
            {"status", v.local_status},
            {"generation", v.generation},
            {"keepalive_ms", v.keepalive.count()},
            {"deadtime_ms", v.deadtime.count()},
            {"initdead_left_ms", ms_or_null(v.initdead_left)},
            {"rsc_hold", v.rsc_hold},
            {"peers", peers},
            {"ping_nodes", pings},
            {"groups", groups},
            {"events", events}};
}

}  // namespace ha::master
