// run_master — hamaster's daemon run path: validate, daemonize, and run the loop until SIGTERM.
//
// Order (each step logged): load and validate the config (errors to stderr, exit 78, nothing
// started); take the pid file (refuse a second start); daemonize unless -f; open the log; realtime;
// bump the generation; create the status table (<run-dir>/hamaster.status); bind the bus and
// control socket; spawn the children; heartbeat; tell systemd READY once the node has its initial
// state. SIGTERM/SIGINT: release the groups (hand them to a live peer), send `shutdone` and wait for
// the media daemons to flush it, stop the children, remove the status table and sockets.
// SIGHUP (`service hamaster reload`): reopen the log files, then validate the new config and apply
// what plan_reload allows (a broken config changes nothing; reload_plan.hpp).
//
// Time and blocking: one io_context on the main thread; nothing blocks after start-up.
// See also: master/cluster_shell.hpp, master/child_supervisor.hpp, master/reload_plan.hpp,
//   master/media_flush.hpp, docs/architecture.md.
#pragma once

#include "master/options.hpp"

namespace ha::master {

int run_master(const Options& options);
// `hamaster status`: asks the running master for its one-screen status.
int run_status(const Options& options);

}  // namespace ha::master
