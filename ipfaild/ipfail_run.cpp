#include "ipfaild/ipfail_run.hpp"

#include <random>

#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/config/config.hpp"
#include "ipc/deadline_timer.hpp"
#include "ipfaild/ipfail_service.hpp"
#include "ipfaild/pinger.hpp"
#include "ipfaild/privileges.hpp"

namespace ha::ipfail {

namespace {

ServiceConfig service_config(const conf::Config& c) {
    const auto peers = c.peers();
    return ServiceConfig{c.local_node, peers.empty() ? std::string() : peers.front(), c.ha_cf.ping_nodes,
                         c.ha_cf.keepalive, c.ha_cf.deadping, c.ha_cf.auto_failback == conf::AutoFailback::on};
}

// The probe payload: a random token that is no cluster message at all. Heartbeat puts a signed
// `t=NS_st st=ping` into its echoes, and so did we — but those bytes go in clear to a host on the
// public LAN, and a signed message with `src=<this node>` is something a peer could be made to
// accept as this node's voice (issue 20: replayed, it kept a dead node alive). A ping node only
// echoes what it gets, and the EchoMatcher only needs bytes an outsider cannot guess, so the
// payload carries no name, no key and no signature: 16 random bytes (OpenSSL's CSPRNG) and the
// probe's sequence number, in hex behind a fixed prefix.
Pinger::PayloadFn payload_fn() {
    return [](std::uint16_t seq) {
        unsigned char nonce[16] = {};
        if (RAND_bytes(nonce, sizeof nonce) != 1) {
            // Never in practice (the kernel's getrandom backs it); a weaker token still matches.
            static std::mt19937_64 rng(std::random_device{}());
            for (auto& b : nonce) b = static_cast<unsigned char>(rng());
        }
        std::string out = "hamaster-ping ";
        for (unsigned char b : nonce) out += fmt::format("{:02x}", b);
        out += fmt::format(" {:04x}", seq);
        return out;
    };
}

}  // namespace

int run_ipfaild(const ipc::DaemonOptions& opts, std::string user, ipc::Log& log) {
    auto loaded = conf::load_config(opts.config_dir, opts.node);
    for (const auto& d : loaded.diagnostics)
        if (d.severity == conf::Severity::error) log.error("{}", conf::render(d));
    if (!loaded.ok()) {
        log.crit("ipfaild: bad configuration in {}; exiting.", opts.config_dir);
        return ipc::kExitConfig;
    }
    const conf::Config& config = *loaded.config;
    if (user.empty())
        for (const auto& r : config.ha_cf.respawns)
            if (r.is_ipfail()) user = r.user;

    ipc::DaemonLoop loop(log);
    ipc::SystemClock clock;
    auto pinger = Pinger::open(loop.io(), clock, log);
    if (!pinger) {
        log.crit("ipfaild: {}; exiting.", pinger.error().message);
        return ipc::kExitNoPerm;
    }
    auto targets = resolve_targets(PingTable(config.ha_cf.ping_nodes, {}, {}).hosts(), log);
    zmq::context_t zmq_context;
    ipc::BusClient bus(loop.io(), zmq_context, ipc::bus_endpoint(opts.run_dir), "ipfaild", log);
    IpfailService service(service_config(config), [&bus](const ipc::Message& m) { bus.send(m); }, clock, log);

    ipc::DeadlineTimer tick(loop.io());
    std::function<void()> arm = [&] {
        tick.arm(service.next_deadline(), [&] {
            // Replies and messages already waiting count before a deadping or no-reply verdict.
            (*pinger)->read_pending();
            bus.read_pending();
            service.on_tick(clock.now());
            arm();
        });
    };
    bool dropped = false;
    int exit_code = ipc::kExitOk;
    auto drop = [&] {
        if (dropped) return;
        dropped = true;
        auto r = drop_privileges(user, log);
        if (!r) {
            log.crit("ipfaild: {}; exiting.", r.error().message);
            exit_code = ipc::kExitNoPerm;
            return loop.stop(ipc::kExitNoPerm);
        }
        if (*r) ipc::child_setup(opts);
        // Only now, unprivileged, read the first reply (issue 20: drop before the first packet).
        (*pinger)->start(std::move(targets), config.ha_cf.keepalive, payload_fn(), [&](const std::string& host) {
            service.on_reply(host, clock.now());
            arm();
        });
    };
    boost::asio::steady_timer drop_deadline(loop.io());
    drop_deadline.expires_after(kDropDeadline);
    drop_deadline.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) drop();
    });
    bus.on_message([&](ipc::Message m) {
        drop();
        service.on_bus_message(m, clock.now());
        arm();
    });
    loop.attach_bus(&bus);
    const auto sc = service_config(config);
    if (sc.ping_nodes.empty()) log.warn("ha.cf names no ping node: ipfaild has nothing to watch.");
    if (sc.peer.empty()) log.warn("ha.cf names no peer node: no ping node counts to exchange.");
    log.info("ipfaild started on node {}: {} ping nodes, peer {}, deadping {} ms", sc.local_node, sc.ping_nodes.size(),
             sc.peer.empty() ? "none" : sc.peer, sc.deadping.count());
    service.start();
    arm();
    const int rc = loop.run();
    loop.attach_bus(nullptr);
    return exit_code != ipc::kExitOk ? exit_code : rc;
}

}  // namespace ha::ipfail
