// media — the bus messages between the master and a media daemon (heartbeatd-net,
// heartbeatd-serial) that are not cluster traffic, each a typed struct with its encoder and its
// strict decoder, used by both ends.
//
//   master → media   t=_stats                                   report your counters (tests and the
//                                                               stdio test bus; the master reads the
//                                                               counters segment instead, ipc/counters_segment.hpp)
//   media → master   t=_stats link=<link> rx=N forwarded=N tx=N tx_errors=N drop_<reason>=N…
//                    [open=0|1 <serial counter>=N…]
//                    one per link (the link as the media daemon names it: `eth0`, `/dev/ttyS0`);
//                    a serial port adds whether it is open and its own counters (kSerialCounters)
//
// Everything else a media daemon and the master exchange is cluster traffic, not a bus message:
// the peer's messages relayed up (the wire message, checked by the media daemon, plus `_link` and
// for UDP `_from`) and ours relayed down (signed and sent by the media daemon, `_link` to pick one
// link). Their contract is the wire's (compat spec); the `_`-prefixed types are reserved for the
// bus and never relayed. _flush / _flushed are in supervision.hpp.
//
// Time and blocking: none. Diagnostics: none (errors returned as ha::Error naming the field).
// See also: ipc/bus/fields.hpp, ipc/bus/vocabulary.hpp, master/cluster_shell.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

inline constexpr std::string_view kMediaStats = "_stats";
// At most this many drop_<reason> counters in one report.
inline constexpr std::size_t kMaxDropReasons = 64;
// The counters only a serial port has (heartbeatd-serial/serial_bridge.cpp), in their order.
inline constexpr std::string_view kSerialCounters[] = {
    "frames",   "garbage_bytes", "resyncs",  "oversize",     "rx_bytes", "tx_bytes", "tx_frames",
    "tx_superseded_heartbeats", "tx_dropped_heartbeats", "tx_dropped_other", "tx_closed", "tx_discarded", "opens", "losses"};

// t=_stats from the master (no field).
struct MediaStatsAsk {
    Message encode() const;
    static Result<MediaStatsAsk> decode(const Message& message);
};

// t=_stats from a media daemon: one link's counters. Every counter is a decimal count; each
// drop reason (a word, not empty) appears once.
struct MediaStats {
    std::string link;
    std::uint64_t rx = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t tx = 0;
    std::uint64_t tx_errors = 0;
    std::vector<std::pair<std::string, std::uint64_t>> drops;  // reason (without `drop_`) → count
    std::optional<bool> open;                                  // serial: the port is open
    std::vector<std::pair<std::string, std::uint64_t>> serial;  // serial: kSerialCounters present, in order

    Message encode() const;
    static Result<MediaStats> decode(const Message& message);
};

}  // namespace ha::ipc::bus
