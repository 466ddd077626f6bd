// IpfailService — ipfaild's core: checks what the master sends, feeds the ping table and the arbiter.
//
// The shell gives it matching echo replies (by ping host as written in ha.cf), ticks and bus
// messages; it reports each ping node transition to the master (`t=ping_status`) and lets the
// Arbiter talk to the peer's ipfail through the master. Bus messages are checked as docs/conventions.md §8
// asks: a dispatch table by `t`, then strict fields; anything else is dropped, counted by reason
// and logged through a RateLimitedLog. Messages from the peer are accepted only with `src` equal
// to the peer named in ha.cf and, when they carry `dest`, addressed to this node.
// It owns no socket, timer or file.
//
// Time and blocking: reads the Clock only for log rate limiting; decisions use the `now` given.
// Diagnostics: info `Status update: Node N now has status ping|dead` and `A ping node just came up.`
// per transition; WARN (rate-limited per reason) `dropped bus message <t> from <src>: <why>` with
// counters dropped("unknown_type" | "bad_field" | "not_from_peer" | "not_for_us").
// See also: ping_table.hpp, arbiter.hpp, README.md (the bus contract).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/clock.hpp"
#include "ipc/config/ha_cf.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/rate_limit.hpp"
#include "ipfaild/arbiter.hpp"
#include "ipfaild/ping_table.hpp"

namespace ha::ipfail {

struct ServiceConfig {
    std::string local_node;
    std::string peer;
    std::vector<conf::PingNode> ping_nodes;
    std::chrono::milliseconds keepalive{1000};
    std::chrono::milliseconds deadping{30000};
    bool auto_failback = false;
};

class IpfailService {
public:
    using Send = std::function<void(const ipc::Message&)>;

    // `clock` and `log` must outlive the service. Ping nodes start in `init` at clock.now().
    IpfailService(ServiceConfig config, Send send, const ipc::Clock& clock, ipc::Log& log);

    // Sends the sign-on (`hbapi-clstat st=join`) for the peer's ipfail.
    void start();
    void on_reply(std::string_view host, ipc::SteadyTime now);
    void on_bus_message(const ipc::Message& message, ipc::SteadyTime now);
    void on_tick(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;

    const PingTable& pings() const { return pings_; }
    const Arbiter& arbiter() const { return arbiter_; }
    std::uint64_t dropped(std::string_view reason) const;

private:
    void report(const std::vector<PingChange>& changes, ipc::SteadyTime now);
    bool from_peer(const ipc::Message& m);
    void drop(const ipc::Message& m, std::string_view reason, std::string_view why);

    ServiceConfig config_;
    Send send_;
    ipc::Log& log_;
    ipc::RateLimitedLog limited_;
    PingTable pings_;
    Arbiter arbiter_;
    std::map<std::string, std::uint64_t, std::less<>> dropped_;
    std::string peer_st_;  // the peer's last node status, to log "Other side is now stable" once
};

}  // namespace ha::ipfail
