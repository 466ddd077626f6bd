// ChildSupervisor — starts the master's children, reaps them, and respawns them per RespawnPolicy.
//
// The shell around master/core/respawn_policy: fork+exec through spawn_child(), SIGCHLD reaping in
// a loop (signals coalesce), one steady_timer at the policy's next deadline, SIGKILL for a child
// the policy reports hung, and an orderly stop (SIGTERM to all, bounded wait, SIGKILL stragglers,
// each logged). Every start, death and respawn is logged once with pid and exit status or signal.
//
// A child whose spec says `lane` gets an AF_UNIX SOCK_SEQPACKET socketpair at each start: its end
// as fd 3 with `--bus-fd 3` added to the argv it executes (spec.argv, which reload compares, is
// left as it is), ours to on_lane.
//
// Time and blocking: monotonic clock via ipc::Clock; never blocks (waitpid WNOHANG only).
// Diagnostics: info `Starting child X (pid N): argv`, the policy's WARN/ERROR lines,
//   ERROR `Cannot start child X: ...` (fork or socketpair failed; the policy backs off),
//   WARN `Child X (pid N) did not stop in T ms; killing it`.
// See also: master/spawn.hpp, master/core/respawn_policy.hpp, docs/conventions.md §7.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/deadline_timer.hpp"
#include "ipc/log.hpp"
#include "master/core/respawn_policy.hpp"
#include "master/spawn.hpp"

namespace ha::master {

struct ChildSpec {
    std::string name;               // bus identity and log name, e.g. "heartbeatd-net"
    std::vector<std::string> argv;  // argv[0] is the path
    SpawnOptions spawn;             // user and environment (ha.cf `respawn USER`, `env`)
    bool beats = true;              // our daemons send liveness beats; `respawn` programs do not
    bool urgent = false;            // media daemons: respawned at once (RespawnPolicy::set_initial_delay)
    bool lane = false;              // media daemons: bus on a socketpair made at each start (fd 3,
                                    // `--bus-fd 3`, ipc/bus.hpp "the media lane"), not on zmq
};

class ChildSupervisor {
public:
    ChildSupervisor(boost::asio::io_context& io, const ipc::Clock& clock, ipc::Log& log, RespawnParams params);

    void add(ChildSpec spec);
    void start_all();
    // Call on SIGCHLD: reaps every exited child.
    void reap();
    // A liveness beat (or any bus message) from `name`.
    void on_liveness(const std::string& name);
    // SIGTERM every child; calls `done` once all are gone or after `grace` (stragglers SIGKILLed).
    void stop_all(std::chrono::milliseconds grace, std::function<void()> done);

    // Reload: a child whose command line changed is stopped (SIGTERM) and started again at once
    // with the new one; a new child is started; a child no longer wanted is stopped for good.
    void reconcile(std::vector<ChildSpec> wanted);

    pid_t pid_of(const std::string& name) const;
    // Respawns per child since the master started (every child listed, 0 included): the starts
    // after a death, not the first start nor a restart for a reload.
    std::map<std::string, std::uint64_t> respawns() const;
    bool stopping() const { return stopping_; }
    // Hook: called after a child (re)started, e.g. to resend state to it.
    std::function<void(const std::string& name)> on_child_started;
    // Hook: a child exited on its own (not stopped by us), before any respawn of it.
    std::function<void(const std::string& name, const ChildExit& exit)> on_child_exited;
    // Reads what waits on the bus (the children's liveness beats) before a hang verdict.
    std::function<void()> read_pending;
    // Hook: the master's end of a lane child's new socketpair, right after the child was forked
    // (before on_child_started); it takes the fd over (BusRouter::attach_lane). Without a hook
    // the fd is closed and the child sees its master gone.
    std::function<void(const std::string& name, int fd)> on_lane;

private:
    struct Child {
        ChildSpec spec;
        pid_t pid = 0;
        bool restart = false;  // stopped by reconcile(): start again at once
        bool retired = false;  // stopped by reconcile(): gone for good
        std::uint64_t respawns = 0;
    };
    void start(Child& child);
    void failed_start(Child& child, const std::string& why);
    void arm_timer();
    void on_timer();
    void check_stopped();

    const ipc::Clock& clock_;
    ipc::Log& log_;
    RespawnPolicy policy_;
    ipc::DeadlineTimer timer_;
    boost::asio::steady_timer stop_timer_;
    std::map<std::string, Child> children_;
    bool stopping_ = false;
    std::function<void()> stopped_;
};

}  // namespace ha::master
