// to_snapshot — the ClusterView as the status table's StatusSnapshot (what cl_status-style readers
// see in shared memory without asking the master).
//
// Time and blocking: none.
// See also: ipc/status_table.hpp, master/cluster_view.hpp.
#pragma once

#include "ipc/status_table.hpp"
#include "master/cluster_view.hpp"

namespace ha::master {

// `parameters` are the ha.cf names cl_status hbparameter is usually asked for.
ipc::StatusSnapshot to_snapshot(const ClusterView& view);

}  // namespace ha::master
