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

ReloadPlan plan_reload(const conf::Config& running, const conf::Config& next, const std::vector<std::string>& busy) {
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
        plan.warnings.push_back("reload: the node list changed; restart hamaster to apply it (not applied)");
    }
    const bool links_changed = link_names(a) != link_names(b);
    if (links_changed) {
        plan.restart_needed = true;
        plan.warnings.push_back("reload: the set of heartbeat links changed; restart hamaster to apply it (not applied)");
    }
    // The watchdog is opened, and the core limits set, once at start (master_run.cpp).
    if (a.watchdog != b.watchdog || a.coredumps != b.coredumps || a.coreroot != b.coreroot) {
        plan.restart_needed = true;
        plan.warnings.push_back("reload: watchdog, coredumps or coreroot changed; restart hamaster to apply it (not applied)");
    }
    // So is the metrics textfile (MetricsTextfile in master_run.cpp).
    if (a.metrics_textfile_dir != b.metrics_textfile_dir || a.metrics_interval != b.metrics_interval) {
        plan.restart_needed = true;
        plan.warnings.push_back("reload: metrics_textfile_dir or metrics_interval changed; restart hamaster to apply it (not applied)");
    }
    if (!links_changed && a.nodes == b.nodes && media_text(a) != media_text(b)) {
        plan.children = true;
        plan.notes.push_back("reload: media, ping or respawn lines changed; restarting the affected children");
    }
    plan.group_changes = conf::diff_groups(running.haresources.groups, next.haresources.groups);
    if (!plan.group_changes.empty()) {
        if (running.haresources.groups.empty() != next.haresources.groups.empty()) {
            plan.restart_needed = true;
            plan.warnings.push_back(fmt::format("reload: haresources {} resource groups; restart hamaster to apply it "
                                                "(not applied)", next.haresources.groups.empty() ? "has no more" : "now has"));
        } else if (!busy.empty()) {
            for (const auto& c : plan.group_changes) {
                const bool is_busy = std::find(busy.begin(), busy.end(), c.key) != busy.end();
                if (is_busy)
                    plan.warnings.push_back(fmt::format("reload: resource group {} {} and is held here: run hb_standby, "
                                                        "then reload again (no haresources change applied)",
                                                        c.key, conf::group_change_word(c.kind)));
                else
                    plan.notes.push_back(fmt::format("reload: resource group {} {}; not applied (a changed group is "
                                                     "held here)", c.key, conf::group_change_word(c.kind)));
            }
        } else {
            plan.groups = true;
            plan.notes.push_back(fmt::format("reload: haresources changed ({} group(s)); applying it with rscd",
                                             plan.group_changes.size()));
        }
    }
    if (plan.notes.empty() && plan.warnings.empty()) plan.notes.push_back("reload: configuration unchanged");
    return plan;
}

}  // namespace ha::master
