// ProcessLauncher — runs resource agents as child processes on the Asio loop (the shell's seam).
//
// launch() checks the script (conf::check_script_security), then starts one command through
// ipc::spawn with a fixed environment (never rscd's own): stdin from /dev/null, stdout and stderr
// into two pipes read on the loop, its own session and process group (setsid), signal mask and the
// dispositions of the signals rscd handles reset to default (ipc/spawn.hpp: signals blocked across
// the fork, only async-signal-safe calls in the child, `rscd: exec failed` and exit 127). SIGCHLD arrives through an asio::signal_set and is reaped in a
// waitpid(-1, WNOHANG) loop (signals coalesce). At its timeout the whole process group gets
// SIGTERM, and SIGKILL `kill_grace` later. A child is finished when it has been reaped: pipes are
// then drained without waiting for EOF, because daemons started by a script (nginx) may inherit them.
// `done` is called exactly once, on the loop, never from inside launch().
//
// Time and blocking: steady_timer for timeouts; fork/exec and non-blocking pipe reads only.
// Diagnostics: ERROR when fork/pipe fails; WARN `<label> [pid] did not exit on SIGTERM; sending
// SIGKILL`. Output is not logged here (the caller knows whether it matters).
// See also: group_executor.hpp, ipc/spawn.hpp, style.md §5 and §7.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ipc/log.hpp"
#include "rscd/agent_command.hpp"
#include "rscd/agent_result.hpp"

namespace ha::rsc {

class ProcessLauncher {
public:
    using Done = std::function<void(AgentResult)>;
    static constexpr std::size_t kMaxOutputBytes = 64 * 1024;  // per stream; the rest is dropped

    // The whole environment an agent starts from (issue 20: never the caller's own, which could
    // carry LD_PRELOAD or a PATH of the operator's shell); see agent_environment().
    static std::vector<std::string> minimal_environment();  // just the fixed PATH

    ProcessLauncher(boost::asio::io_context& io, ipc::Log& log,
                    std::chrono::milliseconds kill_grace = std::chrono::seconds(5),
                    std::vector<std::string> environment = minimal_environment());
    ~ProcessLauncher();
    ProcessLauncher(const ProcessLauncher&) = delete;
    ProcessLauncher& operator=(const ProcessLauncher&) = delete;

    // Starts `command` (argv[0] is an absolute path) with the launcher's environment plus
    // `command.env`. A script that fails conf::check_script_security (not root's, or writable by
    // group/others, itself or a directory above it) is not run: ERROR `refusing to run ...`, and
    // `done` gets spawn_failed.
    void launch(const AgentCommand& command, std::chrono::milliseconds timeout, Done done);
    // How many children are still running.
    std::size_t running() const { return children_.size(); }

    struct Child;  // public for the .cpp's helpers

private:
    void wait_sigchld();
    void reap();
    void finish(const std::shared_ptr<Child>& child, int wait_status);

    boost::asio::io_context& io_;
    ipc::Log& log_;
    std::chrono::milliseconds kill_grace_;
    std::vector<std::string> environment_;
    boost::asio::signal_set sigchld_;
    std::map<pid_t, std::shared_ptr<Child>> children_;
};

}  // namespace ha::rsc
