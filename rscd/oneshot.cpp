// Oneshot — see oneshot.hpp.
#include "rscd/oneshot.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>

#include "ipc/daemon.hpp"
#include "rscd/arp_guard.hpp"
#include "rscd/agent_command.hpp"
#include "rscd/group_executor.hpp"

namespace ha::rsc {

const conf::ResourceGroup* find_group(const conf::Config& config, const std::string& key) {
    for (const auto& g : config.haresources.groups)
        if (g.key() == key || g.key() == "IPaddr::" + key) return &g;
    return nullptr;
}

namespace {

// `--oneshot probe`: one split-brain guard session through the same ArpGuard as the daemon.
int run_probe(const conf::Config& config, const RscdOptions& options, const conf::ResourceGroup& group, ipc::Log& log) {
    boost::asio::io_context io;
    ipc::SystemClock clock;
    int exit_code = 1;
    ArpGuard guard(io, config.haresources, arp_probe_options(config.ha_cf, options),
                   [&](const ipc::Message& m) {
                       std::string line(m.get_or("verdict", "?"));
                       for (const char* f : {"ip", "mac", "iface", "error"})
                           if (m.has(f)) line += fmt::format(" {}={}", f, m.get_or(f, ""));
                       std::puts(line.c_str());
                       std::fflush(stdout);
                       if (m.get_or("verdict", "") == "held") return;
                       exit_code = m.get_or("verdict", "") == "clear" ? 0 : 1;
                       io.stop();
                   },
                   clock, log);
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        log.warn("rscd: signal {} during the probe of {}: no verdict", sig, group.key());
        io.stop();
    });
    guard.on_bus_message(ProbeRequest{group.key(), "oneshot", options.oneshot->preferred, false, false}.encode());
    if (guard.sessions() > 0) io.run();  // else the verdict is already out
    return exit_code;
}

}  // namespace

int run_oneshot(const conf::Config& config, const RscdOptions& options, ipc::Log& log) {
    const RscdOptions::Oneshot& oneshot = *options.oneshot;
    const conf::ResourceGroup* group = find_group(config, oneshot.group_key);
    if (!group) {
        log.error("no resource group {} in {}/haresources", oneshot.group_key, config.dir);
        return ipc::kExitConfig;
    }
    if (oneshot.probe) return run_probe(config, options, *group, log);
    boost::asio::io_context io;
    ipc::SystemClock clock;
    ProcessLauncher launcher(io, log, std::chrono::seconds(5), agent_environment(config));
    IpAddr ip_addr(log);
    ArpAnnouncer arp(io, log);
    GroupExecutor executor(io, launcher, ip_addr, arp, clock, log);

    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    std::function<void()> wait_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            log.warn("rscd: signal {} during {} of {}", sig, group_op_name(oneshot.op), group->key());
            executor.abort();
            wait_signal();
        });
    };
    wait_signal();

    int exit_code = 1;
    bool finished = false;
    auto maybe_stop = [&] {
        if (finished && arp.active() == 0) io.stop();
    };
    arp.on_idle(maybe_stop);
    if (oneshot.op == GroupOp::announce) {
        exit_code = executor.announce(*group).ok ? 0 : 1;
        if (arp.active() == 0) return exit_code;
        finished = true;
        io.run();
        return exit_code;
    }
    executor.run(*group, oneshot.op, [&](const GroupOutcome& out) {
        if (oneshot.op == GroupOp::status) {
            std::puts(out.running ? "running" : out.any_running ? "partial" : "stopped");
            std::fflush(stdout);
            exit_code = out.running ? 0 : 1;
        } else {
            exit_code = out.ok ? 0 : 1;
        }
        finished = true;
        maybe_stop();
    });
    io.run();
    return exit_code;
}

}  // namespace ha::rsc
