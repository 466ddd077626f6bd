// handle_media_control — the master's control messages every media daemon answers the same way.
//
//   t=_stats          → one `_stats` reply per link (`stats()`, ipc/bus/media.hpp); the master reads
//                       the same values from the counters segment, tests still ask
//   t=_flush seq=N    → `_flushed seq=N` once everything the master sent before has left
//                       (`when_sent` calls its argument then: at once for UDP, after the tty's
//                       output queue drained for a cable)
// Each is decoded strictly (ipc/bus/); a malformed one is refused with an ERROR naming the field.
//
// Time and blocking: none; `when_sent` may defer the answer.
// Diagnostics: ERROR `bus: refused message from the master: <why>`.
// See also: heartbeatd-net/media_bridge.cpp, heartbeatd-serial/serial_bridge.cpp, master/media_flush.hpp.
#pragma once

#include <functional>
#include <vector>

#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::media {

struct MediaControl {
    std::function<std::vector<ipc::Message>()> stats;                 // the `_stats` replies
    std::function<void(std::function<void()>)> when_sent;              // runs its argument once all is sent
    std::function<void(const ipc::Message&)> upstream;                 // to the master
};

// True when `message` was `_stats` or `_flush` (answered, or refused and logged); false for any
// other message, which the caller handles.
bool handle_media_control(const ipc::Message& message, const MediaControl& control, ipc::Log& log);

}  // namespace ha::media
