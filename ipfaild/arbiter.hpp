// Arbiter — Heartbeat's ipfail decision (compat spec §7.2) plus hamaster's isolation tie-breaker.
//
// It compares the number of ping nodes visible here with the count the peer's ipfail reports and
// decides who gives up: the side that sees more tells the other `you_are_dead`; the side that sees
// fewer (or is told `you_are_dead`) schedules a give-up of `all` 2 × keepalive later, which the
// peer's `abort_giveup` cancels; equal counts answer `abort_giveup`, and with `auto_failback on` a
// node that holds foreign resources gives those up (resources move back to their preferred node).
// A give-up is a request to the master (`t=standby rsc_hold=...`); the master runs the standby
// handshake. Beyond Heartbeat (issue 8 item 3): when every ping node is dead AND the master says
// the peer is dead, this node has lost its own public link, so it asks the master to release its
// resources (`t=ipfail_release`) and says `t=ipfail_ok` once a ping node answers again.
// Owns no socket, timer or resource; every output goes through the Send callback (to the master).
//
// Time and blocking: only the time points it is given; nothing blocks.
// Diagnostics (info unless noted): `Asking other side for ping node count.`, `Telling other node
// that we have more visible ping nodes.`, `Giving up because we have less visible ping nodes.`,
// `We are dead. :<`, `Giving up because we were told that we have less ping nodes.`, `Ping node
// count is balanced.`, `Giving up foreign resources (auto_failback).`, `Delayed giveup in N ms.`,
// `Aborted delayed giveup.`, `Giving up [all]: asking the master for standby.`, WARN `No ping node
// and peer web2 dead: our public link is down; asking the master to release our resources.`,
// `A ping node answers again: resources may be held again.`
// See also: ping_table.hpp, ipfail_service.hpp, README.md (bus contract), compat spec §7.2.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipfaild/ping_table.hpp"

namespace ha::ipfail {

struct ArbiterConfig {
    std::string local_node;
    std::string peer;  // empty: no peer in ha.cf, nothing to arbitrate
    std::chrono::milliseconds keepalive{1000};
    bool auto_failback = false;  // `auto_failback on`
};

enum class PeerStatus { unknown, alive, dead };

class Arbiter {
public:
    using Send = std::function<void(const ipc::Message&)>;

    // `pings` and `log` must outlive the arbiter.
    Arbiter(ArbiterConfig config, const PingTable& pings, Send send, ipc::Log& log);

    // A ping node changed state (the table already holds the new state): send our count to the
    // peer and check isolation.
    void on_ping_change(ipc::SteadyTime now);
    // The peer's ipfail signed on (`hbapi-clstat st=join from_id=ipfail`): send our count.
    void on_peer_joined(ipc::SteadyTime now);
    // The peer's `num_ping_nodes num_ping=N`.
    void on_peer_count(int num_ping, ipc::SteadyTime now);
    void on_you_are_dead(ipc::SteadyTime now);
    void on_abort_giveup();
    // From the master's `node_status` for the peer.
    void on_peer_status(PeerStatus status, ipc::SteadyTime now);
    // From the master's `rsc_hold word=...`: what this node holds now.
    void on_rsc_hold(std::string word) { rsc_hold_ = std::move(word); }

    // Fires a due give-up.
    void on_tick(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;

    bool giveup_pending() const { return giveup_.has_value(); }
    std::string giveup_type() const { return giveup_ ? giveup_->type : std::string(); }
    bool released() const { return released_; }
    PeerStatus peer_status() const { return peer_status_; }

private:
    struct Giveup {
        std::string type;
        ipc::SteadyTime at;
    };

    ipc::Message to_peer(std::string_view type) const;
    void send_count();
    void delay_giveup(std::string type, ipc::SteadyTime now);
    void check_isolation();
    bool hold_foreign() const { return rsc_hold_ == "foreign" || rsc_hold_ == "all"; }

    ArbiterConfig config_;
    const PingTable& pings_;
    Send send_;
    ipc::Log& log_;
    std::optional<Giveup> giveup_;
    PeerStatus peer_status_ = PeerStatus::unknown;
    std::string rsc_hold_;  // empty until the master tells us
    bool released_ = false;
};

}  // namespace ha::ipfail
