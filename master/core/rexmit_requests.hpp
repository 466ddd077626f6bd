// RexmitRequests — asking a peer to send again the messages we missed (`t=NS_rexmit`), as a
// Heartbeat 3.0.6 node does (compat spec §7.3).
//
// The LinkTable reports a gap in a peer's `seq` (LostPackets: `3 lost packet(s) for [web1]
// [70:74]`); the shell passes it on while the peer is alive to us (not a gap that spans a
// partition: see cluster_shell.cpp), and each missing seq is then asked for, one seq per request (dest, firstseq, lastseq in
// decimal, destuuid when the peer's uuid is known), after a random 50 ms..max_rexmit_delay delay
// and again after each further such delay, until it arrives, the peer answers NS_nak_rexmit (it no
// longer keeps it), the peer restarts or dies, or `give_up_after` (the caller passes deadtime) has
// passed since the gap was seen. The random delay keeps two nodes that lost the same packets from
// asking at the same instant (Heartbeat's reason for max_rexmit_delay).
//
// Bounds: at most kMaxMissing seqs are kept per peer (a Heartbeat sender keeps its last 500
// messages, so an older one cannot be sent again; the oldest are given up first, counted lost),
// and at most kMaxPerCall requests per peer leave in one due() call (the rest are put off by a
// random delay), so bursts of gaps from a peer on a bad link never flood it.
// Time and blocking: the caller passes the monotonic time and arms one timer at next_deadline();
// the random delays come from a seeded generator (tests pass a fixed seed). Nothing blocks.
// Diagnostics: info `No pkts missing from web1!` once every gap of the peer is filled (Heartbeat's
//   words); ERROR `Irretrievably lost packet: node web1 seq N` on NS_nak_rexmit; WARN `Gave up
//   asking web1 for N packet(s)` after give_up_after. Counters: asked, filled, lost.
// See also: master/core/retransmit_history.hpp (the answering side), master/cluster_shell.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::master {

struct RexmitRequestCounters {
    std::uint64_t asked = 0;   // NS_rexmit sent (one seq each)
    std::uint64_t filled = 0;  // missing seqs that arrived after all
    std::uint64_t lost = 0;    // given up: NAK'ed by the peer, or no answer in time
};

class RexmitRequests {
public:
    static constexpr std::size_t kMaxMissing = 500;
    static constexpr std::size_t kMaxPerCall = 50;

    RexmitRequests(ipc::Log& log, std::chrono::milliseconds max_rexmit_delay, std::chrono::milliseconds give_up_after,
                   std::uint32_t seed = std::random_device{}());

    // Seqs from+1 .. to-1 of `node` are missing (LostPackets).
    void on_lost(ipc::SteadyTime now, const std::string& node, std::uint64_t from, std::uint64_t to);
    // An accepted sequenced message of `node` (a missing seq that arrives is crossed off). Keeps
    // the node's uuid (`srcuuid`) for the requests' destuuid.
    void on_received(const std::string& node, std::uint64_t seq, const ipc::Message& message);
    // A peer's NS_nak_rexmit addressed to us: that seq is not kept there any more.
    void on_nak(const ipc::Message& nak, const std::string& local_node);
    // The peer restarted or died: its old gaps will never be filled.
    void forget(const std::string& node);

    // Whether a seq of `node` below `seq` is still asked for. A Heartbeat peer reads our NS_ackmsg
    // as "everything up to ackseq arrived" and ignores requests for seqs at or below it, so no
    // ack may go past a gap still open.
    bool missing_below(const std::string& node, std::uint64_t seq) const;

    // The requests due at `now` (unstamped messages), each rescheduled.
    std::vector<ipc::Message> due(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;

    const RexmitRequestCounters& counters() const { return counters_; }

private:
    struct Missing {
        ipc::SteadyTime seen;
        ipc::SteadyTime next;
    };
    struct Peer {
        std::map<std::uint64_t, Missing> missing;
        std::string uuid;
    };
    std::chrono::milliseconds random_delay();
    void drop(const std::string& node, Peer& peer, std::map<std::uint64_t, Missing>::iterator it);

    ipc::Log& log_;
    std::chrono::milliseconds max_delay_;
    std::chrono::milliseconds give_up_after_;
    std::mt19937 random_;
    std::map<std::string, Peer> peers_;
    RexmitRequestCounters counters_;
};

}  // namespace ha::master
