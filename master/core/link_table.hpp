// LinkTable — the master's node and link table: who is alive, on which links, in which status.
//
// Heartbeat's words: every configured node (normal or ping) has links (media); a link is `up` while
// packets arrive on it and `dead` after deadtime of silence; a node is dead only when ALL its links
// are (deadping for ping nodes); until comm is up (every node heard from or declared dead) the
// larger of initdead and that deadtime applies. Peers' `st` words become their node status; ping
// nodes read `ping` while they answer. Generation and sequence checks (SeqTrack) run on every
// message that carries seq; replays (lower hg), duplicates and unconfirmed jumps are dropped.
// Liveness (docs/security.md, "Wire"): only a `status` heartbeat that is fresh and in order
// (the peer's newest seq, not a retransmission filling a gap) of the current generation refreshes
// its link and the node. Nothing else does: not other message types, not NS_ messages (no seq;
// dropped as `stale` unless they carry the current hg), not a replay or duplicate. The one
// exception keeps redundant links up: a copy of one of the peer's recent proofs of life (the
// statuses that proved it alive within the longest link deadtime, at most kMaxProofs) arriving on
// another link of a live node, newer than anything that link brought before, refreshes that link
// dated when the status first arrived, so a slow link (a paced serial cable) stays up and a copy
// captured and replayed later extends nothing.
//
// Owns no socket, no timer: the shell feeds decoded messages (on_heartbeat), ping replies
// (on_ping_reply) and timer expiries (on_tick), arms one timer at next_deadline(), and acts on the
// returned events. The local node is listed first in snapshots, with its own links always `dead`
// (as cl_status reports them).
//
// Time and blocking: only the `now` arguments (monotonic); nothing blocks.
// Diagnostics (each exactly once per transition, spec §10.3):
//   info `Local status now set to: 'up'` (constructor), info `Comm_now_up(): updating status to active`,
//   info `Link web2:eth1 up.` / `Link web2:eth1 dead.`, WARN `node web2: is dead`,
//   debug `node web2: silent for 300 ms: late` / `node web2: on time again` (PeerLate / PeerOnTime:
//   once comm is up, a heard normal node silent for late_after() is late until a fresh status or
//   its death; only then is it reported, once per silence),
//   info `Status update for node web2: status active`, info `Heartbeat restart on node web2`,
//   CRIT `Cluster node web2 returning after partition.`,
//   WARN `Late heartbeat: Node web2: interval 17010 ms`, CRIT `... ms (> deadtime)`,
//   WARN `3 lost packet(s) for [web2] [40:44]`,
//   WARN `node web2: seq moved to 4660 in generation 5, confirmed by 3 messages in a row` (a jump).
//   Counters per node and per link: received, accepted, late, lost, dropped by DropReason
//   (`stale`: an NS_ message not of the current generation; `seq_jump`: a jump not yet confirmed).
// See also: master/core/seq_track.hpp, master/core/cluster_event.hpp, master/cluster_view.hpp,
//   compat spec §7.3 and §8, docs/architecture.md "The data path".
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "master/core/cluster_event.hpp"
#include "master/core/heartbeat_info.hpp"
#include "master/core/seq_track.hpp"

namespace ha::master {

struct PeerParams {
    std::string name;
    std::vector<std::string> links;  // e.g. {"eth1", "/dev/ttyS0"}
};

struct LinkTableParams {
    std::string local_node;
    std::vector<std::string> local_links;  // listed as `dead`, like cl_status does for our own
    std::vector<PeerParams> peers;         // normal nodes other than the local one
    std::vector<std::string> ping_nodes;   // each has one link named after itself
    std::chrono::milliseconds keepalive{1000};
    std::chrono::milliseconds deadtime{30000};
    std::chrono::milliseconds warntime{15000};
    std::chrono::milliseconds initdead{60000};
    std::chrono::milliseconds deadping{30000};
    // The split-brain guard's lead (docs/split-brain.md, "Timing"): a live peer is reported
    // PeerLate after late_after() of silence so that rscd's ARP window is complete at the dead
    // decision. 0: never.
    std::chrono::milliseconds guard_lead{0};
    // The guard's window itself (its probes and the verdict after them). When the lead's rule
    // would start it too late to end by the decision (a deadtime of a few keepalives, where
    // warntime holds it back), the peer is reported late as early as the window needs, but never
    // before two keepalives of silence: one late heartbeat is ordinary jitter. 0: no such move.
    std::chrono::milliseconds guard_window{0};
    // Links that may stay silent longer than deadtime, by link name: a slow serial cable beats at
    // its own pace (master/core/serial_pace.hpp). Each link is dead after max(deadtime, its entry);
    // the node after every link is. Absent: deadtime.
    std::map<std::string, std::chrono::milliseconds, std::less<>> link_deadtime;
};

using DropCounters = std::map<DropReason, std::uint64_t>;

struct LinkCounters {
    std::uint64_t received = 0;  // every packet attributed to this link, dropped or not
    std::uint64_t late = 0;      // late `status` messages that arrived on this link
    DropCounters dropped;
    // The gap between the last two fresh packets on this link: keepalive plus the link's delay
    // jitter, the nearest thing to a latency that one-way status messages can show.
    std::optional<std::chrono::milliseconds> interval;
};

struct NodeCounters {
    std::uint64_t received = 0;
    std::uint64_t accepted = 0;
    std::uint64_t late = 0;
    std::uint64_t lost = 0;  // sequence numbers reported lost
    DropCounters dropped;
};

struct NodeSnapshot {
    std::string name;
    NodeType type = NodeType::normal;
    std::string status;
    std::optional<ipc::SteadyTime> last_heard;
    std::optional<std::uint64_t> generation;
    std::optional<std::uint64_t> last_seq;
    std::optional<std::chrono::milliseconds> peer_deadtime;  // the peer's `dt`, for display
    bool has_protocol = false;                               // peer sends `protocol`
    NodeCounters counters;
};

struct LinkSnapshot {
    std::string node;
    std::string link;
    LinkStatus status = LinkStatus::dead;
    std::optional<ipc::SteadyTime> last_heard;
    LinkCounters counters;
};

// What became of one incoming packet: dropped (and why) or accepted, plus the transitions it caused
// (a duplicate can still bring its link up).
struct HeartbeatOutcome {
    std::optional<DropReason> dropped;
    std::vector<ClusterEvent> events;
    // Accepted as the confirmation of a seq jump: the node's sequence tracking started over here,
    // so gaps seen before it will never be filled (the caller stops asking for them).
    bool resynced = false;
    bool accepted() const { return !dropped.has_value(); }
};

class LinkTable {
public:
    // Sets the local status to `up` and logs it. Nodes start `init`, links `dead`.
    LinkTable(LinkTableParams params, ipc::Log& log, ipc::SteadyTime start);

    // An authenticated message from `node` that arrived on `link`.
    HeartbeatOutcome on_heartbeat(ipc::SteadyTime now, std::string_view node, std::string_view link,
                                  const HeartbeatInfo& info);
    // An echo reply from a ping node (its one link is named after itself).
    HeartbeatOutcome on_ping_reply(ipc::SteadyTime now, std::string_view ping_node);
    // Declares links and nodes dead whose silence reached their deadtime (at exactly deadtime, not
    // before; a link's own deadtime, see LinkTableParams::link_deadtime), and brings comm up when
    // every node was heard from or declared dead.
    std::vector<ClusterEvent> on_tick(ipc::SteadyTime now);
    // The master's own loop stalled (its timer fired `stall` late: a frozen process, a paused VM, a
    // starved CPU): silences measured across the stall are not evidence yet — what the peer sent
    // meanwhile still waits in the media daemons' sockets, which woke with us. No link or node is
    // declared dead or late before now + stall_threshold(); what arrives by then counts. Logs the stall (info), at
    // most once per 10 s.
    // Once per silence: after a confirmation ended, another is granted only once a heartbeat proved
    // a peer alive in between, so a machine whose timers are always late still reaches a verdict.
    void confirm_silences(ipc::SteadyTime now, std::chrono::milliseconds stall);
    // The lateness of a timer that shows a stall of the loop: max(10 ms, min(keepalive, deadtime/4)).
    std::chrono::milliseconds stall_threshold() const;
    // The silence after which a live peer is reported PeerLate: max(warntime, deadtime − guard_lead,
    // keepalive); none when guard_lead is 0 or that is not below deadtime (warntime ≥ deadtime).
    std::optional<std::chrono::milliseconds> late_after() const;
    // When on_tick must run next; empty when nothing can time out. May lie in the past.
    std::optional<ipc::SteadyTime> next_deadline() const;

    // Reload: new timings apply from now on (a link's silence so far counts against the new
    // deadtime at the next tick). Peers, links and ping nodes stay as constructed.
    void set_timings(std::chrono::milliseconds keepalive, std::chrono::milliseconds deadtime,
                     std::chrono::milliseconds warntime, std::chrono::milliseconds initdead,
                     std::chrono::milliseconds deadping,
                     std::map<std::string, std::chrono::milliseconds, std::less<>> link_deadtime = {});
    // The most recent proofs of life a copy on another link may repeat (see the header); fewer
    // when older than the longest link deadtime.
    static constexpr std::size_t kMaxProofs = 4096;
    const LinkTableParams& params() const { return params_; }

    // Changes the local status word (e.g. `dead` at shutdown); logs `Local status now set to: 'x'`.
    std::vector<ClusterEvent> set_local_status(std::string_view status);

    const std::string& local_status() const { return local_status_; }
    bool comm_up() const { return comm_up_; }
    // When the table started: initdead runs from here until comm_up().
    ipc::SteadyTime started() const { return start_; }
    // The deadtime in force for normal nodes (initdead-derived until comm is up): the `dt` we send.
    std::chrono::milliseconds effective_deadtime() const { return effective_deadtime(NodeType::normal); }

    std::vector<NodeSnapshot> nodes() const;  // local node, peers, ping nodes
    std::vector<LinkSnapshot> links() const;  // local links, peers' links, ping links
    std::optional<std::string> node_status(std::string_view node) const;
    std::optional<NodeType> node_type(std::string_view node) const;
    std::optional<LinkStatus> link_status(std::string_view node, std::string_view link) const;
    // Drops that could not be attributed to a configured node (unknown_node, own_node).
    const DropCounters& unattributed_drops() const { return unattributed_drops_; }

private:
    struct Link {
        std::string name;
        LinkStatus status = LinkStatus::dead;
        std::optional<ipc::SteadyTime> last_heard;
        std::optional<std::uint64_t> status_seq;  // newest status seq that refreshed this link (generation)
        LinkCounters counters;
    };
    struct Node {
        std::string name;
        NodeType type = NodeType::normal;
        std::string status{kStatusInit};
        std::vector<Link> links;
        bool heard = false;  // any packet accepted since start
        bool late = false;   // PeerLate reported for the current silence
        std::optional<ipc::SteadyTime> last_status_at;  // last accepted `status` message
        // The statuses that proved it alive, newest last, with when each first arrived.
        std::deque<std::pair<std::uint64_t, ipc::SteadyTime>> proofs;
        std::optional<std::uint64_t> generation_at_death;
        std::optional<std::chrono::milliseconds> peer_deadtime;
        bool has_protocol = false;
        SeqTrack seq;
        NodeCounters counters;
    };

    std::chrono::milliseconds effective_deadtime(NodeType type) const;
    std::chrono::milliseconds link_deadtime(const Node& node, const Link& link) const;
    // How long a proof of life may be repeated by a copy: the longest deadtime of any link.
    std::chrono::milliseconds proof_horizon() const;
    // When `node` is due to be declared dead: every link silent for its own deadtime.
    ipc::SteadyTime death_due(const Node& node) const;
    std::optional<ipc::SteadyTime> last_heard(const Node& node) const;
    Node* find_node(std::string_view name);
    const Node* find_node(std::string_view name) const;
    static Link* find_link(Node& node, std::string_view name);
    // Marks `link` heard at `at` (never moving it back) and up.
    void refresh_link(ipc::SteadyTime at, Node& node, Link& link, std::vector<ClusterEvent>& events);
    void set_node_status(Node& node, std::string_view status, std::vector<ClusterEvent>& events);
    void declare_dead(Node& node, std::vector<ClusterEvent>& events);
    void check_comm_up(std::vector<ClusterEvent>& events);
    // A live normal node heard since start, not yet reported late, once comm is up.
    bool late_candidate(const Node& node) const;
    // When a live peer becomes late (PeerLate), if it can.
    std::optional<ipc::SteadyTime> late_at(const Node& node) const;
    bool every_node_heard_or_dead() const;
    HeartbeatOutcome drop(Node* node, Link* link, DropReason reason, HeartbeatOutcome out);

    LinkTableParams params_;
    ipc::Log& log_;
    ipc::SteadyTime start_;
    std::string local_status_;
    bool comm_up_ = false;
    std::optional<ipc::SteadyTime> confirm_until_;  // confirm_silences(): no verdict before
    bool confirm_spent_ = false;                     // a confirmation ended, no proof of life since
    std::optional<ipc::SteadyTime> stall_logged_at_;  // the last "Loop stalled" line (one per 10 s)
    std::vector<Node> nodes_;  // peers, then ping nodes
    DropCounters unattributed_drops_;
};

}  // namespace ha::master
