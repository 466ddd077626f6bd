// Oneshot — `rscd --oneshot start|stop|status|announce|probe GROUPKEY`: one operation on one group, then exit.
//
// Runs the operation with the same GroupExecutor as the daemon, waits for the gratuitous ARPs of a
// start to go out, and returns the exit code (0 done / every resource runs, 1 not). SIGTERM or
// SIGINT during a start aborts it: what was started is released (the same path as "master gone").
// `status` prints `running`, `stopped` or `partial` on stdout. `announce` re-sends the
// announcements of the group's VIPs that are here (GroupOperator::announce; exit 0 when all are
// here) and waits for their rounds. `probe` runs one split-brain guard
// session (arp_guard.hpp) and prints each verdict as it comes (`held ip=… mac=… iface=…`, then
// `clear`, or `error error=…`): exit 0 on clear, 1 on error or SIGTERM/SIGINT.
//
// Time and blocking: runs its own io_context until done.
// Diagnostics: the executor's log lines; ERROR `no resource group GROUPKEY in haresources`.
// See also: rscd_options.hpp, group_executor.hpp.
#pragma once

#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "rscd/rscd_options.hpp"

namespace ha::rsc {

// Finds a group by its key, also accepting the IPaddr shorthand (`192.0.2.100/24/eth0`).
const conf::ResourceGroup* find_group(const conf::Config& config, const std::string& key);

// Precondition: options.oneshot is set.
int run_oneshot(const conf::Config& config, const RscdOptions& options, ipc::Log& log);

}  // namespace ha::rsc
