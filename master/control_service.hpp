// ControlService — answers the control socket's queries (cl_status, status) from a ClusterView.
//
// Pure: a request Message and a snapshot of the cluster in, a reply Message out (`rc`, `out`,
// optional `err`). The words and exit codes are Heartbeat's (compat spec §10.1 and "Confirmed on a
// live node"), so cl_status stays a thin printer. `json=1` asks for the same answer as JSON.
//
// Time and blocking: none. Diagnostics: none; a malformed request gets rc 11 and a reason.
// See also: ipc/bus/control.hpp (the requests and replies), tools/cl_status.cpp, master/cluster_view.hpp.
#pragma once

#include <nlohmann/json.hpp>

#include "ipc/bus/control.hpp"
#include "ipc/message.hpp"
#include "master/cluster_view.hpp"

namespace ha::master {

// `request` is decoded strictly first (ipc/bus/control.hpp); a refused one gets rc 11 and why.
ipc::Message handle_control(const ipc::Message& request, const ClusterView& view);
ipc::Message handle_control(const ipc::bus::ClStatusRequest& request, const ClusterView& view);

// The one-screen status (`hamaster status`, `service hamaster status`, `--watch`).
std::string render_status(const ClusterView& view);

// The same facts for machines (`hamaster status --json`); field names are stable and documented
// in docs/status-json.md. Bump the version when a field changes meaning or goes away.
inline constexpr int kStatusJsonVersion = 1;
nlohmann::ordered_json status_json(const ClusterView& view);

}  // namespace ha::master
