// serial_pace — how often a serial cable can carry our heartbeat, and how long it may stay silent.
//
// A serial line carries baud/10 bytes a second (8N1): at 19200 baud a signed status frame of about
// 250 bytes takes 130 ms, so with `keepalive 10ms` the cable cannot carry every heartbeat.
// heartbeatd-serial paces itself (PortLink: one frame in the tty at a time, the newest heartbeat
// replaces an unsent older one), so the cable beats at `pace` = max(keepalive, frame time) and each
// heartbeat leaves at most one frame time after it was made. The master dates a copy that arrived
// on the cable when the same status first arrived on any link (LinkTable), so the cable's age can
// reach pace + 3 frame times before the next copy lands: one frame in progress, its own
// transmission, a frame of margin. The cable's link deadtime is therefore
// max(deadtime, pace + 3 × frame time): a slow cable is never declared dead for its slowness, and
// never keeps a dead peer alive longer than that. With the common timings (keepalive ≥ 100 ms,
// 19200 baud and more) this is the deadtime itself; `hamaster -t` warns when it is not.
//
// Time and blocking: none (pure arithmetic and one message encoding).
// Diagnostics: none; config_summary and `hamaster status` show the figures.
// See also: heartbeatd-serial/port_link.hpp (the pacing), master/core/link_table.hpp (per-link
//   deadtime), docs/benchmarks.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "ipc/config/config.hpp"

namespace ha::master {

struct SerialPace {
    std::size_t frame_bytes = 0;              // a signed status frame of this node, as sent
    std::chrono::milliseconds frame_time{0};  // its time on the line at the baud rate
    std::chrono::milliseconds pace{0};        // how often the cable carries a heartbeat
    std::chrono::milliseconds link_deadtime{0};  // silence after which the cable counts as dead
};

SerialPace serial_pace(std::size_t frame_bytes, int baud, std::chrono::milliseconds keepalive,
                       std::chrono::milliseconds deadtime);

// The size of the status frame this node sends (classic form, signed with the active key; seq,
// hg and ts at 8 hex digits, a typical load average). Within a few bytes of the real frames.
std::size_t status_frame_bytes(const conf::Config& config);

// Per serial device: its pace, from the config (keepalive, deadtime, baud, authkeys).
std::map<std::string, SerialPace, std::less<>> serial_paces(const conf::Config& config);

}  // namespace ha::master
