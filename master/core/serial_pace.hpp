// serial_pace — how often a serial cable can carry our heartbeat, and how long it may stay silent.
//
// A serial line carries baud/10 bytes a second (8N1): at 19200 baud a signed status frame of about
// 250 bytes takes 130 ms, so with `keepalive 10ms` the cable cannot carry every heartbeat.
// heartbeatd-serial paces itself (PortLink: one frame in the tty at a time; a waiting heartbeat or
// ack is replaced in place by a newer one), so on a busy line the cable carries, per cycle, one
// heartbeat and at most one ack (NS_ackmsg, one per 10 peer messages; cumulative). The cycle is
// the two frames' time; the cable beats at `pace` = max(keepalive, cycle), and a heartbeat lands at
// most a cycle after it was made. The master dates a copy that arrived on the cable when the same
// status first arrived on any link (LinkTable), so the cable's age can reach pace + 3 cycles before
// the next copy lands. The cable's link deadtime is therefore max(deadtime, pace + 3 × cycle).
//
// A node is dead only when every link was silent for its own deadtime (the mission's rule: losing
// one link never causes a failover), so a cable slower than deadtime also delays the death of a
// peer that really died, even while UDP is up: the cable's last copy keeps the peer alive until its
// link deadtime ran out. With the common timings (keepalive ≥ 1 s, 19200 baud) it is deadtime
// itself; `hamaster -t` notes when it is not (choose a higher baud rate, or no cable, for fast
// failover). Frames are measured with the longest node name of the cluster (the peer's frames are
// the ones that arrive).
//
// Time and blocking: none (pure arithmetic and two message encodings).
// Diagnostics: none; config_summary and `hamaster status` show the figures.
// See also: heartbeatd-serial/port_link.hpp (the pacing), master/core/link_table.hpp (per-link
//   deadtime), master/core/membership_replies.hpp (acks), docs/benchmarks.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "ipc/config/config.hpp"

namespace ha::master {

struct SerialPace {
    std::size_t frame_bytes = 0;              // a signed status frame, as sent
    std::size_t ack_bytes = 0;                // a signed NS_ackmsg frame
    std::chrono::milliseconds frame_time{0};  // one status frame and one ack on the line (a cycle)
    std::chrono::milliseconds pace{0};        // how often the cable carries a heartbeat
    std::chrono::milliseconds link_deadtime{0};  // silence after which the cable counts as dead
};

SerialPace serial_pace(std::size_t frame_bytes, std::size_t ack_bytes, int baud, std::chrono::milliseconds keepalive,
                       std::chrono::milliseconds deadtime);

// The sizes of a status frame and of an NS_ackmsg frame (classic form, signed with the active key;
// seq, hg and ts at 8 hex digits, a typical load average, the cluster's longest node name).
// Within a few bytes of the real frames.
std::size_t status_frame_bytes(const conf::Config& config);
std::size_t ack_frame_bytes(const conf::Config& config);

// Per serial device: its pace, from the config (keepalive, deadtime, baud, authkeys).
std::map<std::string, SerialPace, std::less<>> serial_paces(const conf::Config& config);

}  // namespace ha::master
