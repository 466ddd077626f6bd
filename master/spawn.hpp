// spawn_child — fork + exec one child with its whole setup on the command line.
//
// Between fork and exec only async-signal-safe calls run (shared/style.md §7): stdin onto
// /dev/null, every fd above 2 closed (close_range), the signal mask cleared, execv. If exec fails the
// child `_exit(127)`s, which the master sees as a permanent start failure. Everything that
// allocates (the argv array) is built before the fork.
//
// Time and blocking: fork+exec only. Diagnostics: an error when fork itself fails.
// See also: master/child_supervisor.hpp, OpenSSH sshd-session.c privsep_preauth (the habit).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ipc/result.hpp"

namespace ha::master {

struct SpawnOptions {
    std::optional<uid_t> uid;        // drop to this user (and gid) before exec
    gid_t gid = 0;
    std::vector<std::string> env;    // NAME=value added to the environment (ha.cf `env`)
};

// Starts argv[0] (a path) with argv. Returns the child's pid.
Result<pid_t> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options = {});
// Looks up a user name (before any fork: getpwnam is not async-signal-safe).
Result<std::pair<uid_t, gid_t>> lookup_user(const std::string& name);

// "exit status 1" / "killed by signal SIGKILL" — for log lines.
std::string describe_wait_status(int status);

}  // namespace ha::master
