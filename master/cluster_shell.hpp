// ClusterShell — the master's loop glue between the bus and the cluster cores.
//
// Feeds authenticated messages forwarded by the media daemons into the LinkTable, sends a status
// heartbeat to every media daemon each keepalive (HeartbeatSource), keeps one timer armed at the
// LinkTable's next deadline, and rebuilds the ClusterView after every change. The media daemons'
// own counters (sent, dropped on the wire) are read from their counters segments when a view is
// built (MediaCountersCache), never asked for on the bus: `sent` is the live value. Every sequenced
// message it sends is kept (RetransmitHistory) and sent again when the peer asks (NS_rexmit); what
// it misses of the peer's it asks for in turn (RexmitRequests, on a timer of its own). It decides nothing
// itself: transitions and their log lines come from master/core.
//
// Time and blocking: monotonic clock for deadlines, wall clock for the `ts` field; never blocks.
// Diagnostics: the core's transition lines; WARN `dropped message from media daemon X: reason`
//   (rate-limited by count) for a bus message that is not a valid forwarded packet.
// See also: master/core/link_table.hpp, master/core/heartbeat_source.hpp, docs/architecture.md "The data path".
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "ipc/clock.hpp"
#include "ipc/deadline_timer.hpp"
#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "master/cluster_view.hpp"
#include "master/media_counters_cache.hpp"
#include "master/core/heartbeat_source.hpp"
#include "master/core/link_table.hpp"
#include "master/core/retransmit_history.hpp"
#include "master/core/rexmit_requests.hpp"
#include "master/core/serial_pace.hpp"

namespace ha::master {

// The LinkTable's parameters from the configuration: every peer gets every medium's link name,
// each serial cable its link deadtime from `paces` (serial_paces(config)).
LinkTableParams link_table_params(const conf::Config& config, const std::map<std::string, SerialPace, std::less<>>& paces);

class ClusterShell {
public:
    using Sender = std::function<void(const std::string& child, const ipc::Message&)>;

    ClusterShell(boost::asio::io_context& io, const conf::Config& config, const ipc::Clock& clock, ipc::Log& log,
                 HeartbeatSourceParams source, std::vector<std::string> media_children, Sender send);

    void start();
    void stop();
    // A message a media daemon forwarded (with `_link`, `_from`).
    void on_media_message(const std::string& child, ipc::Message message);
    // view() reads the media children's counters segments in `run_dir`; `pid_of` gives a child's
    // current pid (0: not running), so a segment of an old incarnation is not shown.
    void read_media_counters(const std::string& run_dir, MediaCountersCache::PidOf pid_of) {
        media_counters_.start(run_dir, media_children_, std::move(pid_of));
    }
    // The local node leaves: status `dead` goes out once more.
    void announce_shutdown();
    // A cluster message we originate (resource, ask_resources...): default fields added, sent on
    // every medium (the media daemons sign it).
    void send_cluster(ipc::Message message, Origin origin = Origin::daemon);

    // Reload: the LinkTable takes the timings and the serial cables' paces of the config in force
    // now (the keepalive timer reads the config it was given).
    void set_timings();

    // ipfaild's verdict on a ping node (cl_status shows it as type ping, status ping/dead).
    void set_ping_status(const std::string& node, bool up) {
        ping_status_[node] = up;
        if (on_change) on_change();
    }

    ClusterView view() const;
    // One status heartbeat now, on every medium (a media daemon that just connected).
    void heartbeat_now() { send_heartbeat(); }
    std::function<void()> on_change;  // after any transition (status table refresh)
    std::function<void(const std::vector<ClusterEvent>&)> on_events;  // every transition, in order
    std::function<void(const ipc::Message&)> on_peer_message;         // accepted non-status messages
    std::function<void(ClusterView&)> decorate_view;                  // adds what other shells own
    // Reads what waits on the bus (the media daemons' heartbeats) before a deadtime verdict.
    std::function<void()> read_pending;

private:
    void send_heartbeat();
    void send_sequenced(const ipc::Message& message);  // to every medium, kept for retransmission
    void answer_rexmit(const ipc::Message& request);
    void arm_rexmit();
    bool peer_dead(const std::string& node) const;
    void arm_keepalive();
    void arm_deadline();
    void handle_events(const std::vector<ClusterEvent>& events);

    const conf::Config& config_;
    const ipc::Clock& clock_;
    ipc::Log& log_;
    std::map<std::string, SerialPace, std::less<>> serial_paces_;  // serial cables only
    LinkTable table_;
    HeartbeatSource source_;
    RetransmitHistory history_;
    RexmitRequests requests_;
    std::vector<std::string> media_children_;
    Sender send_;
    boost::asio::steady_timer keepalive_timer_;
    ipc::DeadlineTimer deadline_timer_;
    boost::asio::steady_timer rexmit_timer_;
    std::uint64_t bad_bus_messages_ = 0;
    mutable MediaCountersCache media_counters_;  // a cache: view() refreshes it
    std::map<std::string, bool> ping_status_;
    bool stopped_ = false;
    bool shutdown_announced_ = false;  // after `shutdone` no status goes out any more
    unsigned ack_pick_ = 0;            // we ack the peer's seqs with this value modulo 10
};

}  // namespace ha::master
