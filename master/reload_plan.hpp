// plan_reload — what a validated new configuration changes, and what a running master can apply.
//
// Pure: the running and the new Config in, a plan out. Applied live: timings (keepalive, deadtime,
// warntime, initdead, deadping), media and ping lines whose link names stay the same (the media
// daemons restart with their new command lines; a respawned media daemon does not make the peer
// look dead), respawn/env lines, log settings, and a haresources change (groups added, changed —
// same key, other line — or removed; conf::diff_groups) when none of the changed or removed
// groups is busy here (held, in flight or being acquired: ResourceOwner::busy_groups). The
// haresources part is all or nothing: one busy group and nothing of haresources changes (WARN per
// busy group: run hb_standby, then reload again). The plan only says `groups`; the master applies
// it through ResourceShell::reload_groups (rscd first), which logs one line per change when it is
// really applied. Not applied live, reported instead: a changed node list or set of link names,
// a changed watchdog, coredumps, coreroot, metrics_textfile_dir or metrics_interval (restart hamaster), and haresources going from empty to non-empty or back (rscd is started
// only for a non-empty haresources: restart hamaster). A broken new config never reaches this
// function (service hamaster reload validates first and keeps the running config).
//
// Time and blocking: none.
// Diagnostics: none itself; `notes` are logged at info and `warnings` at WARN by the caller.
// See also: master/master_run.cpp (SIGHUP), master/resource_shell.hpp (reload_groups),
//   keepalived's reload habit in docs/conventions.md §3.
#pragma once

#include <string>
#include <vector>

#include "ipc/config/config.hpp"
#include "ipc/config/group_diff.hpp"

namespace ha::master {

struct ReloadPlan {
    bool timings = false;    // apply to the LinkTable and the keepalive timer
    bool children = false;   // recompute child command lines and reconcile
    bool groups = false;     // hand next.haresources.groups to ResourceShell::reload_groups
    bool restart_needed = false;
    std::vector<conf::GroupChange> group_changes;  // every haresources difference, applied or not
    std::vector<std::string> notes;     // info lines, in the spec's spirit
    std::vector<std::string> warnings;  // WARN lines: something was not applied
};

// `busy_groups`: the changed or removed group keys that are busy here (ResourceOwner::busy_groups).
ReloadPlan plan_reload(const conf::Config& running, const conf::Config& next, const std::vector<std::string>& busy_groups);

}  // namespace ha::master
