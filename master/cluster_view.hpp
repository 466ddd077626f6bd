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

struct NodeView {
    std::string name;
    std::string type;    // "normal" or "ping"
    std::string status;  // init, up, active, dead, ping
};

struct LinkView {
    std::string node;
    std::string link;
    bool up = false;
    std::optional<std::chrono::milliseconds> age;  // since the last packet on this link
    std::uint64_t received = 0;
    std::uint64_t late = 0;
    std::map<std::string, std::uint64_t> dropped;  // by reason: the master's (duplicate, replay...)
    // From the media daemon that owns the link (its `_stats`): what it sent and what it dropped
    // before anything reached the master (bad_auth, bad_framing, too_big, ...).
    std::uint64_t sent = 0;
    std::map<std::string, std::uint64_t> wire_dropped;
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
    std::vector<std::string> groups;  // `hamaster status`: "<haresources line>: <where it is>"
    std::vector<ClientView> clients;  // API clients known online or offline (others: offline)

    std::uint64_t generation = 0;
    int pid = 0;
    std::function<std::optional<std::string>(std::string_view)> parameter;
};

}  // namespace ha::master
