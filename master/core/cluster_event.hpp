// ClusterEvent — the typed decisions the LinkTable returns to the master's shell.
//
// Every transition the table detects is returned once as one of these structs (in the order it
// happened) and logged once by the table itself; the shell turns them into actions (status table
// update, resource takeover, NS_rexmit requests, ...). Plain data, no behaviour.
//
// Time and blocking: none. Diagnostics: none.
// See also: master/core/link_table.hpp, compat spec §7.3 and §8.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace ha::master {

// Node status words (compat spec §7): init, up, active, dead, ping. Kept as strings because a
// peer's `st` field is copied verbatim, as Heartbeat does.
inline constexpr std::string_view kStatusInit = "init";
inline constexpr std::string_view kStatusUp = "up";
inline constexpr std::string_view kStatusActive = "active";
inline constexpr std::string_view kStatusDead = "dead";
inline constexpr std::string_view kStatusPing = "ping";

enum class NodeType { normal, ping };
enum class LinkStatus { up, dead };

// "normal" / "ping" (cl_status nodetype); "up" / "dead" (cl_status hblinkstatus).
std::string_view node_type_word(NodeType type);
std::string_view link_status_word(LinkStatus status);

// Why an incoming packet was not used. Each reason has a counter per node and per link.
enum class DropReason {
    unknown_node,  // src is not a configured node
    unknown_link,  // the link is not configured for that node
    own_node,      // our own message came back
    replay,        // lower generation (hg) than the one we know
    duplicate,     // seq already seen
    stale,         // no seq (NS_ types) and not of the peer's current generation: cannot prove fresh
    seq_jump,      // seq too far ahead within the generation, held until confirmed (SeqTrack)
};
std::string_view drop_reason_word(DropReason reason);

struct NodeStatusChanged {
    std::string node;
    std::string old_status;
    std::string new_status;
    bool operator==(const NodeStatusChanged&) const = default;
};

struct LinkStatusChanged {
    std::string node;
    std::string link;
    LinkStatus status = LinkStatus::dead;
    bool operator==(const LinkStatusChanged&) const = default;
};

// The node is dead (every link silent for the node's deadtime). Follows its NodeStatusChanged.
struct NodeDead {
    std::string node;
    bool operator==(const NodeDead&) const = default;
};

// A higher generation arrived from a node whose previous generation was known.
struct NodeRestarted {
    std::string node;
    std::uint64_t old_generation = 0;
    std::uint64_t new_generation = 0;
    bool operator==(const NodeRestarted&) const = default;
};

// A `status` arrived more than warntime after the previous one; beyond_deadtime when > deadtime.
struct LateHeartbeat {
    std::string node;
    std::chrono::milliseconds interval{0};
    bool beyond_deadtime = false;
    bool operator==(const LateHeartbeat&) const = default;
};

// A node we had declared dead talks again with the same generation: it was partitioned, not
// restarted. R1 resource management restarts the local node on this.
struct ReturningAfterPartition {
    std::string node;
    bool operator==(const ReturningAfterPartition&) const = default;
};

struct LocalStatusChanged {
    std::string old_status;
    std::string new_status;
    bool operator==(const LocalStatusChanged&) const = default;
};

// Sequence numbers from+1 .. to-1 of `node` never arrived (log: `N lost packet(s) for [node]
// [from:to]`). The shell asks for each with NS_rexmit (RexmitRequests).
struct LostPackets {
    std::string node;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
    std::uint64_t count() const { return to - from - 1; }
    bool operator==(const LostPackets&) const = default;
};

// Every link of a live peer has been silent for LinkTable's late_after(): the dead decision may
// be near, so the split-brain guard starts probing now (docs/split-brain.md, "Timing").
struct PeerLate {
    std::string node;
    bool operator==(const PeerLate&) const = default;
};

// A late peer proved itself alive again (a fresh status) before it was declared dead.
struct PeerOnTime {
    std::string node;
    bool operator==(const PeerOnTime&) const = default;
};

using ClusterEvent = std::variant<NodeStatusChanged, LinkStatusChanged, NodeDead, NodeRestarted,
                                  LateHeartbeat, ReturningAfterPartition, LocalStatusChanged,
                                  LostPackets, PeerLate, PeerOnTime>;

}  // namespace ha::master
