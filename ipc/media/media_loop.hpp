// run_media_loop — the part of a media daemon's body both media daemons share: joins its bridge to
// the bus and the loop, then runs the loop.
//
// Bus messages go to the bridge; end of the stdio test bus stops the loop; the bus client beats
// liveness; SIGHUP re-reads authkeys into the bridge (authkeys_loader.hpp); SIGTERM (the master's
// stop, or its death) first reads what the master already sent, then waits until the bridge has
// sent it (`when_sent`) and stops. The daemon keeps what is its own: opening its links, its bridge,
// what it does before the loop and after.
//
// Time and blocking: runs the loop until it stops; nothing else blocks.
// Diagnostics: those of authkeys_loader.hpp and ipc::DaemonLoop.
// See also: heartbeatd-net/net_run.cpp, heartbeatd-serial/serial_run.cpp, ipc/daemon.hpp.
#pragma once

#include <functional>
#include <string>

#include "ipc/auth_key.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/message.hpp"

namespace ha::media {

struct MediaHooks {
    std::function<void(ipc::Message)> on_bus_message;          // the bridge's
    std::function<void(const ipc::AuthKeys&)> set_keys;        // good keys after a SIGHUP
    std::function<void(std::function<void()>)> when_sent;      // calls its argument once all is sent
    std::function<void()> start;                               // starts the bridge's links
};

// Returns the loop's exit code, with the bus detached from the liveness beat.
int run_media_loop(ipc::DaemonLoop& loop, BusPort& bus, const std::string& config_dir, const MediaHooks& hooks, ipc::Log& log);

}  // namespace ha::media
