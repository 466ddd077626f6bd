// RespawnPolicy — when to restart a child that died, and when a silent child counts as hung.
//
// Pure core of the master's child supervision (docs/conventions.md §7, keepalived lib/scheduler.c
// `calc_restart_delay`): the first respawn waits 1 s, each further death doubles the wait up to
// 60 s, and a child that lived at least 60 s starts again at 1 s. An exit code from the contract in
// docs/conventions.md §3 that means "respawning will not help" — 78 (EX_CONFIG), 77 (EX_NOPERM), and 127
// (exec failed, see master/spawn.hpp) — is permanent: no respawn. A running child that sent no
// liveness beat for `liveness_missed` × `liveness_interval` is reported hung once; the shell
// SIGKILLs it and later reports the death through on_exit() like any other; but a hang tick that
// comes more than one liveness interval late means the master itself was not running (frozen):
// the child's silence is not proven then, and it gets one more interval (the shell reads the bus
// before every tick, too). Exit status 0 after clean_exit_min_life is a deliberate exit, not a
// crash: the child is respawned at once and its back-off stays as it was.
//
// Owns no pid, no timer, no process: the shell reports starts, beats and exits, arms one timer at
// next_deadline() and carries out the actions on_tick() returns.
//
// Time and blocking: only the `now` arguments (monotonic); nothing blocks.
// Diagnostics (once per death / hang):
//   WARN  `Respawning child heartbeatd-net (pid 123) after exit status 1 in 2000 ms`
//   WARN  `Respawning child heartbeatd-net (pid 123) after it was killed by signal SIGKILL in 1000 ms`
//   WARN  `Respawning child rscd (pid 123) after exit status 0 in 0 ms (a clean exit, not a crash)`
//   ERROR `Child heartbeatd-net (pid 123) exited with status 78 (EX_CONFIG): not respawning`
//   WARN  `Child heartbeatd-net (pid 123) hung: no liveness beat for 5000 ms; killing it`
// See also: master/spawn.hpp, docs/conventions.md §3 (exit codes) and §7, docs/architecture.md "When something fails".
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"

namespace ha::master {

struct RespawnParams {
    std::chrono::milliseconds initial_delay{1000};
    std::chrono::milliseconds max_delay{60000};
    std::chrono::milliseconds stable_after{60000};  // lived this long: back to initial_delay
    std::chrono::milliseconds liveness_interval{1000};
    int liveness_missed = 5;                         // hung after this many intervals without a beat
    // Exit status 0 after at least this long is deliberate (rscd after releasing everything when
    // the master fell silent): respawned at once, no back-off. A child that exits 0 sooner is
    // treated like a crash, so a daemon that exits at once cannot make the master spin.
    std::chrono::milliseconds clean_exit_min_life{1000};
    std::vector<int> permanent_exit_codes{77, 78, 127};
};

// How a child ended, decoded from a wait status.
struct ChildExit {
    enum class Kind { exited, signaled };
    Kind kind = Kind::exited;
    int value = 0;  // exit code or signal number

    static ChildExit exited(int code) { return {Kind::exited, code}; }
    static ChildExit signaled(int signo) { return {Kind::signaled, signo}; }
    static ChildExit from_wait_status(int status);
    // "exit status 1" / "killed by signal SIGKILL".
    std::string describe() const;
};

// "SIGKILL", "SIGSEGV", ... or "signal 42".
std::string signal_name(int signo);

struct RespawnDecision {
    bool respawn = false;                    // false: permanent failure, the child stays down
    std::chrono::milliseconds delay{0};
    std::optional<ipc::SteadyTime> at;       // when to respawn
};

enum class RespawnActionKind { respawn, kill_hung };

struct RespawnAction {
    RespawnActionKind kind = RespawnActionKind::respawn;
    std::string child;
    int pid = 0;  // kill_hung: the pid to SIGKILL; respawn: the pid that died
    bool operator==(const RespawnAction&) const = default;
};

class RespawnPolicy {
public:
    RespawnPolicy(RespawnParams params, ipc::Log& log);

    // A child (by name, e.g. "heartbeatd-net") was started as `pid`; its liveness clock starts now.
    void on_started(std::string_view child, int pid, ipc::SteadyTime now);
    // A child that is not ours (a `respawn` program such as a site script) sends no liveness beat;
    // it is never reported hung. Default: beats required.
    void set_beats(std::string_view child, bool required);
    // A child whose absence costs heartbeats (a media daemon) is respawned sooner: the first time
    // after `delay` (0: at once), then from 100 ms doubling — a gap of a whole second would make
    // the peer late, or dead with a short deadtime. Default: params' initial_delay.
    void set_initial_delay(std::string_view child, std::chrono::milliseconds delay);
    // A liveness beat arrived from the child.
    void on_liveness(std::string_view child, ipc::SteadyTime now);
    // The child died; decides (and logs, once) whether and when it comes back.
    RespawnDecision on_exit(std::string_view child, ChildExit exit, ipc::SteadyTime now);
    // Respawns that are due, and running children that just became hung (each reported once).
    std::vector<RespawnAction> on_tick(ipc::SteadyTime now);
    // Earliest respawn or hang deadline; empty when none.
    std::optional<ipc::SteadyTime> next_deadline() const;
    // Stop tracking a child (it was removed from the config, or we are shutting down).
    void forget(std::string_view child);

    bool given_up(std::string_view child) const;

private:
    struct Child {
        int pid = 0;
        bool running = false;
        bool hung_reported = false;
        bool given_up = false;
        bool beats = true;
        std::optional<std::chrono::milliseconds> initial_delay;
        ipc::SteadyTime started_at{};
        ipc::SteadyTime last_beat{};
        std::optional<std::chrono::milliseconds> last_delay;
        std::optional<ipc::SteadyTime> respawn_at;
    };

    std::chrono::milliseconds hang_after() const { return params_.liveness_interval * params_.liveness_missed; }

    RespawnParams params_;
    ipc::Log& log_;
    std::map<std::string, Child, std::less<>> children_;
};

}  // namespace ha::master
