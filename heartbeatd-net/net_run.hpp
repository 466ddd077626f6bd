// run_net — heartbeatd-net's body, run by the daemon skeleton (ipc::daemon_main) once the process
// is set up: reads authkeys, resolves the ucast peers, opens every link and the bus, drops every
// capability it no longer needs, and runs the MediaBridge on the loop until SIGTERM (or EOF of the
// stdio test bus).
//
// Time and blocking: blocks only before the loop runs (authkeys file, DNS); then the loop.
// Diagnostics: CRIT `cannot start: <why>` and the exit code of ipc::exit_code_for (78 bad authkeys
// or flags, 77 no permission, 1 other start-up failure); info `heartbeatd-net started on node N`.
// See also: main.cpp, media_bridge.hpp, net_setup.hpp, ipc/daemon.hpp.
#pragma once

#include "heartbeatd-net/net_options.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"

namespace ha::net {

inline constexpr const char* kProgram = "heartbeatd-net";

int run_net(const ipc::DaemonOptions& opts, NetOptions net, ipc::Log& log);

}  // namespace ha::net
