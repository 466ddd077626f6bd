#include "master/control_service.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ha::master {
namespace {

constexpr int kParamError = 11;
constexpr int kUnknownError = 13;

std::string json_escape(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            out += fmt::format("\\u{:04x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

struct Request {
    std::string cmd;
    std::vector<std::string> args;
    std::vector<std::string> flags;
    std::string param;
    bool json = false;
    bool has_flag(std::string_view f) const { return std::find(flags.begin(), flags.end(), f) != flags.end(); }
};

Request parse(const ipc::Message& m) {
    Request r;
    for (const auto& f : m.fields()) {
        if (f.name == "cmd") r.cmd = f.value;
        else if (f.name == "arg") r.args.push_back(f.value);
        else if (f.name == "flag") r.flags.push_back(f.value);
        else if (f.name == "param") r.param = f.value;
        else if (f.name == "json") r.json = f.value == "1";
    }
    return r;
}

ipc::Message reply(int rc, std::string out, std::string err = {}, bool usage = false) {
    ipc::Message m;
    m.add("t", "control_reply");
    m.add("rc", std::to_string(rc));
    m.add("out", out);
    if (!err.empty()) m.add("err", err);
    if (usage) m.add("usage", "1");
    return m;
}

const NodeView* find_node(const ClusterView& v, std::string_view name) {
    for (const auto& n : v.nodes)
        if (n.name == name) return &n;
    return nullptr;
}

ipc::Message unknown_node() { return reply(kParamError, "", "Error. May be due to incorrect node name\n"); }

std::string links_json(const ClusterView& v, std::string_view node) {
    std::string out = "[";
    bool first = true;
    for (const auto& l : v.links) {
        if (l.node != node) continue;
        out += fmt::format("{}{{\"link\":\"{}\",\"status\":\"{}\",\"age_ms\":{},\"received\":{},\"sent\":{},\"late\":{},\"dropped\":{{",
                           first ? "" : ",", json_escape(l.link), l.up ? "up" : "dead",
                           l.age ? std::to_string(l.age->count()) : "null", l.received, l.sent, l.late);
        bool f2 = true;
        for (const auto* counts : {&l.dropped, &l.wire_dropped}) {
            for (const auto& [reason, n] : *counts) {
                out += fmt::format("{}\"{}\":{}", f2 ? "" : ",", json_escape(reason), n);
                f2 = false;
            }
        }
        out += "}}";
        first = false;
    }
    return out + "]";
}

}  // namespace

ipc::Message handle_control(const ipc::Message& request, const ClusterView& v) {
    const Request r = parse(request);
    const bool sentences = r.has_flag("m");
    auto arg = [&](std::size_t i) -> const std::string* { return i < r.args.size() ? &r.args[i] : nullptr; };

    if (r.cmd == "hbstatus") {
        if (r.json) return reply(0, fmt::format("{{\"running\":true,\"node\":\"{}\",\"pid\":{}}}\n", json_escape(v.local_node), v.pid));
        return reply(0, "Heartbeat is running on this machine.\n");
    }
    if (r.cmd == "listnodes") {
        const bool ping_only = r.has_flag("p"), normal_only = r.has_flag("n");
        std::string out = r.json ? "[" : "";
        bool first = true;
        for (const auto& n : v.nodes) {
            if (ping_only && n.type != "ping") continue;
            if (normal_only && n.type != "normal") continue;
            if (r.json) {
                out += fmt::format("{}{{\"node\":\"{}\",\"type\":\"{}\",\"status\":\"{}\"}}", first ? "" : ",",
                                   json_escape(n.name), n.type, n.status);
            } else {
                out += n.name + "\n";
            }
            first = false;
        }
        if (r.json) out += "]\n";
        return reply(0, out);
    }
    if (r.cmd == "nodetype" || r.cmd == "nodestatus") {
        const std::string* name = arg(0);
        if (!name) return reply(kParamError, "", "cl_status: missing node name\n", true);
        const NodeView* n = find_node(v, *name);
        if (!n) return unknown_node();
        if (r.cmd == "nodetype") {
            if (r.json) return reply(0, fmt::format("{{\"node\":\"{}\",\"type\":\"{}\"}}\n", json_escape(n->name), n->type));
            return reply(0, sentences ? fmt::format("The type of cluster node {} is {}\n", n->name, n->type) : n->type + "\n");
        }
        const bool good = n->status == "active" || n->status == "up" || n->status == "ping";
        if (r.json) return reply(good ? 0 : 1, fmt::format("{{\"node\":\"{}\",\"status\":\"{}\"}}\n", json_escape(n->name), n->status));
        return reply(good ? 0 : 1, sentences ? fmt::format("The cluster node {} is {}\n", n->name, n->status) : n->status + "\n");
    }
    if (r.cmd == "listhblinks") {
        const std::string* name = arg(0);
        if (!name) return reply(kParamError, "", "cl_status: missing node name\n", true);
        if (!find_node(v, *name)) return unknown_node();
        if (r.json) return reply(0, links_json(v, *name) + "\n");
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
            if (r.json) return reply(l.up ? 0 : 1, fmt::format("{{\"node\":\"{}\",\"link\":\"{}\",\"status\":\"{}\"}}\n", json_escape(*name), json_escape(*link), word));
            return reply(l.up ? 0 : 1, sentences ? fmt::format("Link {}:{} is {}\n", *name, *link, word) : std::string(word) + "\n");
        }
        return reply(kParamError, "", fmt::format("Error. No link {} to node {}\n", *link, *name));
    }
    if (r.cmd == "rscstatus") {
        if (r.json) return reply(0, fmt::format("{{\"rsc_hold\":\"{}\"}}\n", v.rsc_hold));
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
        if (r.json) return reply(0, fmt::format("{{\"{}\":\"{}\"}}\n", json_escape(r.param), json_escape(*value)));
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
            return reply(rc, fmt::format("{{\"node\":\"{}\",\"client\":\"{}\",\"status\":\"{}\"}}\n", json_escape(*name),
                                         json_escape(*client), status));
        return reply(rc, sentences ? fmt::format("The client {} on node {} is {}\n", *client, *name, status) : status + "\n");
    }
    if (r.cmd == "nodeweight" || r.cmd == "nodesite")
        return reply(kUnknownError, "", fmt::format("cl_status: {} is not supported by hamaster (no weights or sites)\n", r.cmd));
    if (r.cmd == "status") return reply(0, render_status(v));
    return reply(kParamError, "", fmt::format("ERROR: {}: invalid sub-command.\n", r.cmd));
}

std::string render_status(const ClusterView& v) {
    std::string out = fmt::format("hamaster on {} (pid {}): {}, generation {}\n", v.local_node, v.pid, v.local_status, v.generation);
    for (const auto& n : v.nodes) {
        if (n.name == v.local_node) continue;
        out += fmt::format("{} {:<12} {}\n", n.type == "ping" ? "ping node" : "peer     ", n.name, n.status);
        for (const auto& l : v.links) {
            if (l.node != n.name) continue;
            std::uint64_t drops = 0;
            for (const auto& [reason, count] : l.dropped) drops += count;
            for (const auto& [reason, count] : l.wire_dropped) drops += count;
            const std::uint64_t expected = l.received + drops;
            out += fmt::format("    link {:<14} {:<5} last heard {:>8}  received {}  sent {}  late {}  dropped {}{}\n", l.link,
                               l.up ? "up" : "dead", l.age ? fmt::format("{}ms ago", l.age->count()) : "never", l.received,
                               l.sent, l.late, drops,
                               expected ? fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(drops) / static_cast<double>(expected)) : "");
        }
    }
    out += fmt::format("resources held here: {}\n", v.rsc_hold);
    for (const auto& line : v.groups) out += fmt::format("    group {}\n", line);
    return out;
}

}  // namespace ha::master
