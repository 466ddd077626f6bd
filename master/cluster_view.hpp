// ClusterView — a read-only snapshot of what the master knows, for queries and the status table.
//
// Built by the master's shell from its cores after every change; consumed by ControlService and
// the status table writer. Plain data, no behaviour.
//
// Time and blocking: none.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ha::master {

inline constexpr int kDefaultNodeWeight = 100;  // Heartbeat's weight of a node nobody has set

struct NodeView {
    std::string name;
    std::string type;    // "normal" or "ping"
    std::string status;  // init, up, active, dead, ping
    std::uint64_t lost = 0;  // sequence numbers of this node's messages never received
    // cl_status nodeweight / nodesite. Heartbeat 3.0.6 has no ha.cf directive for either: every
    // node it knows, ping nodes included, starts at weight 100 and an empty site, and only its
    // hb_setweight / hb_setsite (cluster messages t=setweight / t=setsite) change them. hamaster
    // has neither tool and does not apply those messages from a Heartbeat peer: always 100 and "".
    int weight = kDefaultNodeWeight;
    std::string site = {};
};

struct GroupView {
    std::string resources;  // the haresources line
    std::string where;      // "held here", "held by the peer", "not running", ...
    // For the metrics (master/prometheus_metrics.hpp): the group key (its first resource), one
    // word for `where` (kGroupStates) and what this master counted since it started.
    std::string key = {};
    std::string state = {};
    std::uint64_t acquisitions = 0;    // successful starts here
    std::uint64_t failovers = 0;       // of those, while the peer was dead
    std::uint64_t releases = 0;        // successful stops here
    std::uint64_t start_failures = 0;
    std::uint64_t stop_failures = 0;
};
inline constexpr const char* kGroupStates[] = {"held", "starting", "stopping", "releasing", "waiting", "peer", "failed", "stopped"};

// A recent change of state, as logged (the master's info, WARN, ERROR and CRIT lines).
struct EventView {
    std::string time;  // local wall time, "Dec 06 23:41:02"
    std::string level;
    std::string text;
};

struct LinkView {
    std::string node;
    std::string link;
    bool up = false;
    std::optional<std::chrono::milliseconds> age;  // since the last packet on this link
    std::uint64_t received = 0;
    std::uint64_t late = 0;
    std::map<std::string, std::uint64_t> dropped;  // by reason: the master's (duplicate, replay...)
    // From the media daemon that owns the link (its counters segment, <run-dir>/<program>.counters): what it sent and what it dropped
    // before anything reached the master (bad_auth, bad_framing, too_big, ...).
    std::uint64_t sent = 0;
    std::map<std::string, std::uint64_t> wire_dropped;
    std::optional<std::chrono::milliseconds> interval;  // between the last two packets (LinkCounters)
    // A serial cable: how often it can carry a heartbeat at its baud rate, and its link deadtime
    // (master/core/serial_pace.hpp). Absent for UDP links.
    std::optional<std::chrono::milliseconds> pace;
    std::optional<std::chrono::milliseconds> link_deadtime;
};

// An API client (ipfail) as cl_status clientstatus reports it: on the local node, online while
// its daemon is connected to the master's bus; on the peer, what the peer's messages said (its
// `hbapi-clstat` join/leave, any message from it), offline once the peer is dead.
struct ClientView {
    std::string node;
    std::string client;  // from_id: "ipfail"
    std::string status;  // online / offline
};

struct ClusterView {
    std::string local_node;
    std::string local_status;
    std::vector<NodeView> nodes;  // local node first, then peers, then ping nodes
    std::vector<LinkView> links;  // links to peers (and the local node's own, as "dead")
    std::string rsc_hold = "none";
    std::vector<GroupView> groups;
    std::vector<EventView> events;  // the last state changes, oldest first
    std::optional<std::chrono::milliseconds> initdead_left;  // until comm is up (then empty)
    std::chrono::milliseconds keepalive{0}, deadtime{0};
    std::vector<ClientView> clients;  // API clients known online or offline (others: offline)
    // Counters since this master started, for the metrics: the split-brain guard's verdicts
    // (clear, held, error) and the respawns of each child (every child listed, 0 included).
    std::map<std::string, std::uint64_t> guard_verdicts;
    std::map<std::string, std::uint64_t> respawns;

    std::uint64_t generation = 0;
    int pid = 0;
    std::function<std::optional<std::string>(std::string_view)> parameter;
};

}  // namespace ha::master
