// plan_reload — what a validated new configuration changes, and what a running master can apply.
//
// Pure: the running and the new Config in, a plan out. Applied live: timings (keepalive, deadtime,
// warntime, initdead, deadping), media and ping lines whose link names stay the same (the media
// daemons restart with their new command lines; a respawned media daemon does not make the peer
// look dead), respawn/env lines, and log settings. Not applied live, reported instead: a changed
// node list or set of link names (restart hamaster), and a changed haresources — on a node that
// holds none of the changed groups it takes effect at the next start of hamaster, on a node that
// holds them it needs `hb_standby` first. A broken new config never reaches this function
// (service hamaster reload validates first and keeps the running config).
//
// Time and blocking: none.
// See also: master/master_run.cpp (SIGHUP), keepalived's reload habit in shared/style.md §3.
#pragma once

#include <string>
#include <vector>

#include "ipc/config/config.hpp"

namespace ha::master {

struct ReloadPlan {
    bool timings = false;    // apply to the LinkTable and the keepalive timer
    bool children = false;   // recompute child command lines and reconcile
    bool restart_needed = false;
    std::vector<std::string> notes;  // one info/WARN line each, in the spec's spirit
};

ReloadPlan plan_reload(const conf::Config& running, const conf::Config& next, const std::vector<std::string>& held_groups);

}  // namespace ha::master
