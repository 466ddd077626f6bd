// run_serial — heartbeatd-serial's body, run by the daemon skeleton (ipc::daemon_main) once the
// process is set up: reads authkeys, opens the bus and runs the SerialBridge on the loop until
// SIGTERM (then waits until what the master sent last has left every tty) or EOF of the stdio
// test bus. A missing device is no start-up failure: PortLink retries it with backoff.
//
// Time and blocking: blocks only before the loop runs (the authkeys file); then the loop.
// Diagnostics: CRIT `cannot start: <why>` and the exit code of ipc::exit_code_for (78 bad
// authkeys, 1 other start-up failure).
// See also: main.cpp, serial_bridge.hpp, ipc/daemon.hpp.
#pragma once

#include "heartbeatd-serial/serial_options.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"

namespace ha::serial {

int run_serial(const ipc::DaemonOptions& opts, const SerialOptions& so, ipc::Log& log);

}  // namespace ha::serial
