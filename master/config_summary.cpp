// format_summary — see config_summary.hpp.
#include "master/config_summary.hpp"

#include <fmt/format.h>

#include "master/core/serial_pace.hpp"

namespace ha::master {
namespace {

std::string_view method_word(ipc::AuthMethod m) {
    // Local on purpose: ipc::method_name lives in ipc/auth.cpp, which -t does not otherwise need.
    switch (m) {
        case ipc::AuthMethod::crc: return "crc";
        case ipc::AuthMethod::md5: return "md5";
        case ipc::AuthMethod::sha1: return "sha1";
    }
    return "?";
}

std::string join(const std::vector<std::string>& words, std::string_view sep = " ") {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
    return out;
}

std::string describe(const conf::Medium& m) {
    switch (m.kind) {
        case conf::MediumKind::ucast:
            return fmt::format("ucast  {} -> {}:{}{}", m.device, m.peer, m.port,
                               m.self ? "  (this node's own address: skipped)" : "");
        case conf::MediumKind::bcast: return fmt::format("bcast  {} -> broadcast:{}", m.device, m.port);
        case conf::MediumKind::mcast:
            return fmt::format("mcast  {} -> {}:{} ttl {} loop {}", m.device, m.group, m.port, m.ttl, m.loop ? 1 : 0);
        case conf::MediumKind::serial: return fmt::format("serial {} ({} baud)", m.device, m.baud);
    }
    return "?";
}

}  // namespace

std::string format_summary(const conf::Config& c, const std::vector<std::string>& processes, std::string_view log_dir) {
    const conf::HaCf& cf = c.ha_cf;
    std::string s;
    auto line = [&s](std::string_view label, std::string_view value) { s += fmt::format("{:<16}{}\n", label, value); };

    s += fmt::format("hamaster: configuration in {} is valid (ha.cf, haresources, authkeys)\n", c.dir);
    line("this node:", c.local_node);
    const auto peers = c.peers();
    line("peers:", peers.empty() ? "(none)" : join(peers));
    s += "links:\n";
    const auto paces = serial_paces(c);
    for (const auto& m : cf.media) {
        s += "  " + describe(m) + "\n";
        auto p = paces.find(m.device);
        if (m.kind != conf::MediumKind::serial || p == paces.end()) continue;
        const SerialPace& sp = p->second;
        s += fmt::format("         a {}-byte heartbeat and a {}-byte ack take {}ms on the line: the cable beats every {}ms, "
                         "dead after {}ms\n",
                         sp.frame_bytes, sp.ack_bytes, sp.frame_time.count(), sp.pace.count(), sp.link_deadtime.count());
        if (sp.link_deadtime > cf.deadtime)
            s += fmt::format("         note: at {} baud the cable cannot beat every keepalive ({}ms); a peer is declared dead only "
                             "once every link was silent for its own deadtime, so a peer that dies is declared dead after "
                             "{}ms, not deadtime {}ms (a higher baud rate shortens it)\n",
                             m.baud, cf.keepalive.count(), sp.link_deadtime.count(), cf.deadtime.count());
    }
    line("timings:", fmt::format("keepalive {}ms, deadtime {}ms, warntime {}ms, initdead {}ms, deadping {}ms", cf.keepalive.count(),
                                 cf.deadtime.count(), cf.warntime.count(), cf.initdead.count(), cf.deadping.count()));
    line("auto_failback:", conf::auto_failback_name(cf.auto_failback));
    std::vector<std::string> pings;
    for (const auto& p : cf.ping_nodes) {
        pings.push_back(p.group ? fmt::format("{} (group: {})", p.name, join(p.hosts)) : p.name);
    }
    line("ping nodes:", pings.empty() ? "(none)" : join(pings, ", "));
    if (cf.respawns.empty()) line("respawn:", "(none)");
    for (const auto& r : cf.respawns) {
        std::string cmd = r.path;
        for (const auto& a : r.args) cmd += " " + a;
        line("respawn:", r.is_ipfail() ? fmt::format("{} {} -> ipfaild (built-in)", r.user, cmd) : fmt::format("{} {}", r.user, cmd));
    }
    s += "resource groups:\n";
    if (c.haresources.groups.empty()) s += "  (none)\n";
    for (const auto& g : c.haresources.groups) {
        s += fmt::format("  {} (preferred node {}{})\n", g.key(), g.node, g.node == c.local_node ? ", this node" : "");
        for (const auto& r : g.resources) {
            const std::string where = r.kind == conf::AgentKind::builtin ? std::string("built-in")
                                                                         : fmt::format("{} ({})", r.path, conf::agent_kind_name(r.kind));
            s += fmt::format("    {:<32} {}\n", r.word, where);
        }
    }
    std::vector<std::string> defined;
    for (int i = 0; i <= ipc::AuthKeys::kMaxIndex; ++i) {
        if (const auto* k = c.authkeys.key(i)) defined.push_back(fmt::format("{} {}", i, method_word(k->method)));
    }
    const auto* active = c.authkeys.active_key();
    // Which keys an incoming message may use (ipc/auth_key.hpp: the active one and one rollover key).
    const int rollover = c.authkeys.rollover();
    const std::string verify = rollover >= 0 ? fmt::format("{} and {} (rollover)", c.authkeys.active, rollover)
                                             : fmt::format("{} only", c.authkeys.active);
    line("authkeys:", fmt::format("auth {} ({}); keys defined: {}; incoming verified with key {}", c.authkeys.active,
                                  active ? method_word(active->method) : "?", join(defined, ", "), verify));

    // Where to look when something happens: each of our processes has its own file and also writes
    // the ha.cf destinations, as Heartbeat's processes did; `respawn` programs other than ipfail log
    // however they do (their stdout and stderr are the master's: /dev/null once it detached).
    std::vector<std::string> shared;
    shared.push_back(cf.logfile.empty() ? "no logfile" : fmt::format("logfile {} (info and up)", cf.logfile));
    shared.push_back(cf.debugfile.empty() ? "no debugfile" : fmt::format("debugfile {} (every line)", cf.debugfile));
    shared.push_back(cf.logfacility.empty() || cf.logfacility == "none" ? "no syslog"
                                                                         : fmt::format("syslog facility {}", cf.logfacility));
    line("logs:", "each process its own file, and " + join(shared, ", "));
    std::vector<std::string> ours{"hamaster"};
    ours.insert(ours.end(), processes.begin(), processes.end());
    for (const auto& p : ours) {
        if (p.starts_with("respawn")) {
            s += fmt::format("  {:<18} its own logging, not hamaster's\n", p);
        } else {
            s += fmt::format("  {:<18} {}/{}.log\n", p, log_dir, p);
        }
    }
    return s;
}

}  // namespace ha::master
