// run_master — hamaster's daemon run path: validate, daemonize, and run the loop until SIGTERM.
//
// Order (each step logged): load and validate the config (errors to stderr, exit 78, nothing
// started); take the pid file (refuse a second start); daemonize unless -f; open the log; realtime;
// bump the generation; create the status table; bind the bus and control socket; spawn the
// children; heartbeat. SIGTERM/SIGINT: announce `dead`, stop the children, remove shm and sockets.
// SIGHUP: reopen the log files (reload of the config comes with the operations issue).
//
// Time and blocking: one io_context on the main thread; nothing blocks after start-up.
// See also: master/cluster_shell.hpp, master/child_supervisor.hpp, design.md.
#pragma once

#include "master/options.hpp"

namespace ha::master {

int run_master(const Options& options);
// `hamaster status`: asks the running master for its one-screen status.
int run_status(const Options& options);

}  // namespace ha::master
