#include "master/child_specs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>

namespace ha::master {

std::string daemon_path(const std::string& name) {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto sibling = self.parent_path() / name;
        if (::access(sibling.c_str(), X_OK) == 0) return sibling.string();
    }
    return "/usr/lib/hamaster/" + name;
}

namespace {

std::vector<std::string> common_args(const std::string& name, const conf::Config& config, const Options& o) {
    std::vector<std::string> a{daemon_path(name),
                               "--node", config.local_node,
                               "--config", o.config_dir,
                               "--run-dir", o.run_dir,
                               "--log-dir", o.log_dir,
                               "--state-dir", o.state_dir,
                               "--parent-pid", std::to_string(::getpid())};
    if (o.verbose || config.ha_cf.debug > 0) a.push_back("-v");
    const auto shared = shared_log_config(config.ha_cf);
    if (!shared.logfile.empty()) a.insert(a.end(), {"--ha-logfile", shared.logfile});
    if (!shared.debugfile.empty()) a.insert(a.end(), {"--ha-debugfile", shared.debugfile});
    if (shared.logfacility != "none") a.insert(a.end(), {"--logfacility", shared.logfacility});
    if (!shared.syslogmsgfmt) a.insert(a.end(), {"--syslogmsgfmt", "off"});
    if (!shared.journal.empty()) a.insert(a.end(), {"--journal", shared.journal});
    return a;
}

std::string node_list(const conf::Config& config) {
    std::string out;
    for (const auto& n : config.ha_cf.nodes) out += (out.empty() ? "" : ",") + n;
    return out;
}

}  // namespace

ipc::SharedLogConfig shared_log_config(const conf::HaCf& cf) {
    return ipc::SharedLogConfig{cf.logfile, cf.debugfile, cf.logfacility.empty() ? "none" : cf.logfacility, cf.syslogmsgfmt,
                                ipc::journal_socket()};
}

std::vector<ChildSpec> child_specs(const conf::Config& config, const Options& o) {
    std::vector<ChildSpec> specs;
    const auto& cf = config.ha_cf;
    std::vector<std::string> net;
    std::vector<std::string> serial;
    for (const auto& m : cf.media) {
        switch (m.kind) {
            case conf::MediumKind::ucast:
                if (m.self || (!o.bind_address.empty() && m.peer == o.bind_address)) break;
                net.insert(net.end(), {"--ucast", fmt::format("{}:{}:{}", m.device, m.peer, m.port ? m.port : cf.udpport)});
                break;
            case conf::MediumKind::bcast:
                net.insert(net.end(), {"--bcast", fmt::format("{}:{}", m.device, m.port ? m.port : cf.udpport)});
                break;
            case conf::MediumKind::mcast:
                net.insert(net.end(), {"--mcast", fmt::format("{}:{}:{}:{}:{}", m.device, m.group, m.port, m.ttl, m.loop ? 1 : 0)});
                break;
            case conf::MediumKind::serial:
                serial.insert(serial.end(), {"--serial", m.device});
                break;
        }
    }
    if (!net.empty()) {
        auto a = common_args("heartbeatd-net", config, o);
        a.insert(a.end(), {"--udpport", std::to_string(cf.udpport), "--nodes", node_list(config)});
        if (!o.bind_address.empty()) a.insert(a.end(), {"--bind", o.bind_address});
        if (cf.realtime) a.push_back("--realtime");
        a.insert(a.end(), net.begin(), net.end());
        specs.push_back(ChildSpec{"heartbeatd-net", std::move(a), {}, true, true, true});
    }
    if (!serial.empty()) {
        auto a = common_args("heartbeatd-serial", config, o);
        a.insert(a.end(), {"--baud", std::to_string(cf.baud), "--nodes", node_list(config)});
        if (cf.realtime) a.push_back("--realtime");
        a.insert(a.end(), serial.begin(), serial.end());
        specs.push_back(ChildSpec{"heartbeatd-serial", std::move(a), {}, true, true, true});
    }
    // `respawn USER PROGRAM [ARGS]`: Heartbeat's ipfail (under any of its historical paths) is our
    // ipfaild; any other program runs as written, as USER, with the `env` lines in its environment.
    int n = 0;
    for (const auto& r : cf.respawns) {
        ChildSpec spec;
        if (r.is_ipfail()) {
            spec.name = "ipfaild";
            spec.argv = common_args("ipfaild", config, o);
            spec.argv.insert(spec.argv.end(), {"--user", r.user});
        } else {
            spec.name = fmt::format("respawn{}:{}", ++n, r.path);
            spec.argv.push_back(r.path);
            spec.argv.insert(spec.argv.end(), r.args.begin(), r.args.end());
            spec.beats = false;
            if (auto user = lookup_user(r.user)) {
                spec.spawn.uid = user->first;
                spec.spawn.gid = user->second;
            } else {
                // The config check refuses an unknown user; one deleted since must still never
                // mean "run as root": setuid(-1) fails in the child, which exits 77 (permanent).
                spec.spawn.uid = static_cast<uid_t>(-1);
                spec.spawn.gid = static_cast<gid_t>(-1);
            }
        }
        for (const auto& e : cf.env) spec.spawn.env.push_back(e.name + "=" + e.value);
        specs.push_back(std::move(spec));
    }
    if (!config.haresources.groups.empty()) {
        auto a = common_args("rscd", config, o);
        specs.push_back(ChildSpec{"rscd", std::move(a), {}, true, false});
    }
    return specs;
}

}  // namespace ha::master
