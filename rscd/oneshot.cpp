// Oneshot — see oneshot.hpp.
#include "rscd/oneshot.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>

#include "rscd/group_executor.hpp"

namespace ha::rsc {

const conf::ResourceGroup* find_group(const conf::Config& config, const std::string& key) {
    for (const auto& g : config.haresources.groups)
        if (g.key() == key || g.key() == "IPaddr::" + key) return &g;
    return nullptr;
}

int run_oneshot(const conf::Config& config, const RscdOptions::Oneshot& oneshot, ipc::Log& log) {
    const conf::ResourceGroup* group = find_group(config, oneshot.group_key);
    if (!group) {
        log.error("no resource group {} in {}/haresources", oneshot.group_key, config.dir);
        return 78;
    }
    boost::asio::io_context io;
    ipc::SystemClock clock;
    ProcessLauncher launcher(io, log);
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
