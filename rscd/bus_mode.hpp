// run_bus_mode — rscd as the master's child: resource operations from the bus, results back.
//
// Wires RscService (the bus core) to the GroupExecutor on a DaemonLoop: the liveness beat goes to
// the master, every bus message refreshes the master's liveness, SIGTERM (which the parent-death
// signal also delivers when the master dies) releases every held group right to left — the VIP
// last — before rscd exits, so no resource outlives its master. A master that stays silent for
// half its deadtime counts as gone, with the same release; the bus is read before every such
// verdict and the verdict is confirmed awake (RscService), so a frozen rscd does not mistake its
// own freeze for the master's silence. After that release rscd exits 0: a deliberate exit, which
// the master's RespawnPolicy answers with an immediate respawn, not a crash back-off. `rsc_probe` / `rsc_probe_cancel` go to
// the ArpGuard (the split-brain guard), which runs beside the group operations and answers
// `rsc_clearance`; when the service shuts down, the guard ends its sessions (error=shutting_down).
//
// Time and blocking: one io_context; agents run as child processes, IPaddr in-process.
// See also: rscd/rsc_service.hpp, rscd/arp_guard.hpp, ipc/daemon.hpp, docs/architecture.md "When something fails".
#pragma once

#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "rscd/rscd_options.hpp"

namespace ha::rsc {

int run_bus_mode(const conf::Config& config, const RscdOptions& options, ipc::Log& log);

}  // namespace ha::rsc
