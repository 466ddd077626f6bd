// MediaCounters — per-link packet counters of a media daemon: received, forwarded, sent, drops by reason.
//
// One LinkStats per link (the link name is the interface of the ucast/bcast/mcast directive, as
// Heartbeat names links, or the serial device path). Links are registered at start so a link that
// never saw a packet still reports zeros. The ReceivePipeline counts rx/forwarded/drops, the shell counts tx/tx_errors.
// stats_messages() renders them as the `_stats` bus reply (one message per link; heartbeatd-serial
// appends its port counters to each):
//   t=_stats link=eth0 rx=N forwarded=N tx=N tx_errors=N drop_empty=N ... drop_duplicate=N
// Counters are plain uint64 (single-threaded process). The daemons also publish them, per link,
// in their counters segment (ipc/counters_segment.hpp; segment_counters() converts), which is
// where the master reads them.
//
// Time and blocking: none. Diagnostics: none.
// See also: drop_reason.hpp, receive_pipeline.hpp, heartbeatd-net/media_bridge.hpp,
// heartbeatd-serial/serial_bridge.hpp.
#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/counters_segment.hpp"
#include "ipc/media/drop_reason.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::media {

struct LinkStats {
    std::string link;
    std::uint64_t rx = 0;         // datagrams received (accepted or not)
    std::uint64_t forwarded = 0;  // datagrams accepted and forwarded to the master
    std::uint64_t tx = 0;         // datagrams sent
    std::uint64_t tx_errors = 0;  // sends that failed (or a message too big to send)
    std::array<std::uint64_t, kDropReasonCount> drops{};

    std::uint64_t drop(DropReason reason) const { return drops[static_cast<std::size_t>(reason)]; }
    std::uint64_t total_drops() const;
};

// `stats` as its counters segment slot holds it (no serial part: heartbeatd-serial adds it).
ipc::LinkCounters segment_counters(const LinkStats& stats);

// The media daemon's counters segment in `run_dir`, one slot per link in this order. Counters are
// diagnostics: no failure here stops a media daemon (a link name that does not fit, a full or
// read-only run dir, a live writer's file): it is logged as WARN and the daemon runs without a
// segment (nullopt). On its master's lane (`on_lane`: started by the master with --bus-fd) it is the only writer there can be, so a
// file naming a live pid (a reused pid, an exiting predecessor) is replaced; started alone, a run
// dir that does not exist means no segment and an info line.
std::optional<ipc::CountersWriter> open_counters_segment(const std::string& run_dir, std::string_view program,
                                                         const std::vector<std::string>& links, bool on_lane,
                                                         ipc::Log& log);

class MediaCounters {
public:
    // Returns the stats of `link`, registering it on first use.
    LinkStats& link(std::string_view name);
    const LinkStats* find(std::string_view name) const;
    // The registration index of `name` (its counters segment slot), or links().size().
    std::size_t index_of(std::string_view name) const;
    const std::vector<LinkStats>& links() const { return links_; }

    // Sum of one drop reason over every link.
    std::uint64_t drops(DropReason reason) const;

    // The `_stats` reply: one message per link, in registration order.
    std::vector<ipc::Message> stats_messages() const;

private:
    std::vector<LinkStats> links_;  // few links: a vector beats a map
};

}  // namespace ha::media
