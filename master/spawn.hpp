// spawn_child — the master's way to start a child: ipc::spawn with the master's environment.
//
// The child gets the master's environment (without systemd's NOTIFY_SOCKET and watchdog
// variables) plus ha.cf `env` lines, stdin from /dev/null, stdout and stderr inherited, optionally
// its end of the media lane as fd 3, and optionally another user; the fork/exec itself (signals
// blocked across the fork, defaults restored in the child, only async-signal-safe calls) is
// ipc/spawn.hpp's, shared with rscd's ProcessLauncher. If exec fails the child `_exit(127)`s,
// which the master sees as a permanent start failure.
//
// Time and blocking: fork+exec only. Diagnostics: an error when fork itself fails.
// See also: ipc/spawn.hpp, master/child_supervisor.hpp.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "ipc/result.hpp"
#include "ipc/spawn.hpp"

namespace ha::master {

struct SpawnOptions {
    std::optional<uid_t> uid;        // drop to this user (and gid) before exec
    gid_t gid = 0;
    std::vector<std::string> env;    // NAME=value added to the environment (ha.cf `env`)
    int lane_fd = -1;                // the child's end of its media lane, passed as its fd 3
};

// Starts argv[0] (a path) with argv. Returns the child's pid.
Result<pid_t> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options = {});

using ipc::describe_wait_status;
using ipc::lookup_user;

}  // namespace ha::master
