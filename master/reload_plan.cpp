#include "master/reload_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ha::master {
namespace {

std::set<std::string> link_names(const conf::HaCf& cf) {
    std::set<std::string> out;
    for (const auto& m : cf.media)
        if (!m.self) out.insert(m.device);
    return out;
}

std::string media_text(const conf::HaCf& cf) {
    std::string out = fmt::format("udpport={} baud={};", cf.udpport, cf.baud);
    for (const auto& m : cf.media)
        out += fmt::format("{}:{}:{}:{}:{}:{}:{}:{};", static_cast<int>(m.kind), m.device, m.peer, m.group, m.port, m.ttl,
                           m.loop, m.self);
    for (const auto& p : cf.ping_nodes) {
        out += "ping:" + p.name;
        for (const auto& h : p.hosts) out += "," + h;
        out += ";";
    }
    for (const auto& r : cf.respawns) {
        out += "respawn:" + r.user + ":" + r.path;
        for (const auto& a : r.args) out += "," + a;
        out += ";";
    }
    for (const auto& e : cf.env) out += "env:" + e.name + "=" + e.value + ";";
    return out + (cf.realtime ? "rt" : "") + std::to_string(cf.debug);
}

}  // namespace

ReloadPlan plan_reload(const conf::Config& running, const conf::Config& next, const std::vector<std::string>& held) {
    ReloadPlan plan;
    const auto &a = running.ha_cf, &b = next.ha_cf;
    if (a.keepalive != b.keepalive || a.deadtime != b.deadtime || a.warntime != b.warntime || a.initdead != b.initdead ||
        a.deadping != b.deadping) {
        plan.timings = true;
        plan.notes.push_back(fmt::format("reload: timings now keepalive {}ms, deadtime {}ms, warntime {}ms, initdead {}ms, deadping {}ms",
                                         b.keepalive.count(), b.deadtime.count(), b.warntime.count(), b.initdead.count(),
                                         b.deadping.count()));
    }
    if (a.nodes != b.nodes) {
        plan.restart_needed = true;
        plan.notes.push_back("reload: the node list changed; restart hamaster to apply it (not applied)");
    }
    const bool links_changed = link_names(a) != link_names(b);
    if (links_changed) {
        plan.restart_needed = true;
        plan.notes.push_back("reload: the set of heartbeat links changed; restart hamaster to apply it (not applied)");
    }
    if (!links_changed && a.nodes == b.nodes && media_text(a) != media_text(b)) {
        plan.children = true;
        plan.notes.push_back("reload: media, ping or respawn lines changed; restarting the affected children");
    }
    std::vector<std::string> changed;
    for (const auto& g : next.haresources.groups) {
        auto it = std::find_if(running.haresources.groups.begin(), running.haresources.groups.end(),
                               [&](const conf::ResourceGroup& o) { return o.key() == g.key(); });
        if (it == running.haresources.groups.end() || it->text != g.text) changed.push_back(g.key());
    }
    for (const auto& g : running.haresources.groups) {
        bool kept = std::any_of(next.haresources.groups.begin(), next.haresources.groups.end(),
                                [&](const conf::ResourceGroup& o) { return o.key() == g.key(); });
        if (!kept) changed.push_back(g.key());
    }
    for (const auto& key : changed) {
        const bool held_here = std::find(held.begin(), held.end(), key) != held.end();
        plan.notes.push_back(held_here
                                 ? fmt::format("reload: resource group {} changed and is held here: run hb_standby, then "
                                               "restart hamaster on this node to apply it (not applied)", key)
                                 : fmt::format("reload: resource group {} changed; not held here, it applies at the next "
                                               "start of hamaster on this node", key));
    }
    if (plan.notes.empty()) plan.notes.push_back("reload: configuration unchanged");
    return plan;
}

}  // namespace ha::master
