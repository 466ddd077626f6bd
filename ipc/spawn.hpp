// spawn — fork + exec one child, the one way every hamaster process starts another.
//
// The master starts its children with it (master/child_supervisor.cpp) and rscd its resource agents
// (rscd/process_launcher.cpp). Everything that allocates (argv, envp) is built before the fork.
// Every signal is blocked across the fork, so no handler of ours (Asio's signal_set) ever runs in
// the child; the child then sets the dispositions of the signals hamaster processes handle back to
// default, clears its signal mask and does only async-signal-safe calls (docs/conventions.md §7):
// setsid (new_session), dup2 onto 0/1/2, fcntl(F_DUPFD) + dup2 of `extra_fd` onto 3 if given,
// close_range(3.. or 4..) — no other fd of ours survives —,
// setgroups/setgid/setuid (uid), execve. If the user cannot be switched it `_exit(77)`s
// (kExitNoPerm); if exec fails it writes `exec_failed_note` (if any) to its stderr and
// `_exit(127)`s, which the parent sees as an ordinary exit status.
//
// Time and blocking: fork + exec only; nothing waits for the child.
// Diagnostics: none logged here; a failed fork (or /dev/null that cannot be opened) is an Error
// (code "fork", message strerror's text) for the caller to log.
// See also: master/child_supervisor.hpp, rscd/process_launcher.hpp, OpenSSH sshd-session.c
// privsep_preauth (the habit).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ipc/result.hpp"

namespace ha::ipc {

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is the path executed
    std::vector<std::string> env;   // the child's whole environment (NAME=value)
    int stdin_fd = -1;              // -1: /dev/null
    int stdout_fd = -1;             // -1: inherited
    int stderr_fd = -1;             // -1: inherited
    int extra_fd = -1;              // -1: none; else the child's fd 3 (the media lane), whatever its
                                    // number here (3 included) and its close-on-exec flag
    bool new_session = false;       // setsid(): its own session and process group (kill(-pid, ...))
    std::optional<uid_t> uid;       // switch to this user (and gid, no supplementary groups)
    gid_t gid = 0;
    const char* exec_failed_note = nullptr;  // written to the child's stderr if exec fails
};

// Starts the child; returns its pid. The fds in `request` stay open in the parent (the caller's).
Result<pid_t> spawn(const SpawnRequest& request);

// This process's environment as NAME=value strings (what the master hands its children).
std::vector<std::string> current_environment();
// Looks up a user name (before any fork: getpwnam is not async-signal-safe).
Result<std::pair<uid_t, gid_t>> lookup_user(const std::string& name);
// "exit status 1" / "killed by signal SIGKILL" — for log lines.
std::string describe_wait_status(int status);

}  // namespace ha::ipc
