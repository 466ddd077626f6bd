// GroupRunner — the pure state machine of one operation (start, stop, status) on one resource group.
//
// It owns no process, timer or socket. The shell asks next(now) for the next step — run one agent
// action with a timeout, wait until a time (stop retry), or finished — carries it out, and hands the
// result back with on_result(). Heartbeat's ResourceManager rules (compat spec §2):
//   start   L→R; before each start, `status` is asked and the start is skipped if the resource
//           already runs. A failed start logs CRIT `Giving up resources due to failure of <res>`
//           (once) and stops the failed resource and everything left of it, R→L; result failed.
//   stop    R→L. A failed stop (non-zero exit, signal or timeout) is retried once per second, up to
//           stop_retry_max runs (HA_STOPRETRYMAX, 10). If it still fails, `status` decides: still
//           running → CRIT, the group result is failed, the resources left of it are stopped anyway
//           (so the VIP, first in the group, still goes); stopped → ERROR "probably not
//           LSB-compliant" and the stop counts as done.
//   status  L→R, every resource; running = all run, any_running = at least one.
// abort() (SIGTERM, master gone) turns a start in progress into a release of what it started, once
// the action in flight has returned.
//
// Time and blocking: reads only the `now` it is given; nothing blocks.
// Diagnostics (Log&): info `Acquiring resource group: <line>` / `Releasing resource group: <line>`,
// info `Running <path> <args> <action>` (status checks at debug), ERROR `Return code N from <path>`,
// ERROR `<cmd> timed out after N ms` / `<cmd> killed by signal ...`, CRIT `Giving up resources due
// to failure of <res>`, CRIT `Resource <res> failed to stop after N attempts and is still running`,
// info `Resource group <key>: <op> done in N ms` / ERROR `... failed ...`.
// See also: agent_command.hpp, group_executor.hpp (the shell), compat spec §2.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "ipc/clock.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/log.hpp"
#include "rscd/agent_result.hpp"

namespace ha::rsc {

struct RunnerOptions {
    std::chrono::milliseconds start_timeout{60'000};
    std::chrono::milliseconds stop_timeout{60'000};
    std::chrono::milliseconds status_timeout{20'000};
    int stop_retry_max = 10;                              // HA_STOPRETRYMAX: stop runs in all
    std::chrono::milliseconds stop_retry_interval{1'000};
};

// Run `action` of resource `index` (in group order); the shell kills it at `timeout`.
struct RunAgent {
    std::size_t index = 0;
    AgentAction action = AgentAction::status;
    std::chrono::milliseconds timeout{0};
};
// Nothing to run before `when`; call next() again then.
struct WaitUntil {
    ipc::SteadyTime when;
};
struct GroupOutcome {
    bool ok = false;          // the operation did what was asked (status: it could ask)
    std::string failed_rsc;   // the resource word that failed (start/stop) or is first not running (status)
    bool running = false;     // afterwards every resource runs
    bool any_running = false; // afterwards at least one resource may run
};
struct Finished {
    GroupOutcome outcome;
};
using Step = std::variant<RunAgent, WaitUntil, Finished>;

class GroupRunner {
public:
    // `group` must outlive the runner and have at least one resource.
    GroupRunner(const conf::ResourceGroup& group, GroupOp op, RunnerOptions options, ipc::Log& log);

    // The next step. Must not be called while a RunAgent is in flight (between next() returning it
    // and on_result()). Finished is returned again on every later call.
    Step next(ipc::SteadyTime now);
    // The result of the RunAgent last returned by next().
    void on_result(const AgentResult& result, ipc::SteadyTime now);
    // Stop starting: release what this start brought up (no effect on stop/status or when done).
    void abort();

    bool finished() const { return phase_ == Phase::done; }
    bool in_flight() const { return in_flight_; }
    GroupOp op() const { return op_; }
    const conf::ResourceGroup& group() const { return group_; }
    const GroupOutcome& outcome() const { return outcome_; }

private:
    enum class Phase { start_status, start_start, stop_stop, stop_check_status, status_check, done };

    void begin_stop(std::ptrdiff_t from, ipc::SteadyTime now);
    void stop_next(ipc::SteadyTime now);
    void finish(GroupOutcome outcome, ipc::SteadyTime now);
    void log_failure(const AgentResult& result, AgentAction action);
    const conf::Resource& current() const { return group_.resources[static_cast<std::size_t>(index_)]; }
    std::chrono::milliseconds timeout_for(AgentAction action) const;

    const conf::ResourceGroup& group_;
    const GroupOp op_;
    const RunnerOptions options_;
    ipc::Log& log_;

    Phase phase_;
    std::ptrdiff_t index_ = 0;
    int stop_attempts_ = 0;
    std::optional<ipc::SteadyTime> retry_at_;
    bool in_flight_ = false;
    AgentAction in_flight_action_ = AgentAction::status;
    bool begun_ = false;
    ipc::SteadyTime began_at_{};
    bool aborted_ = false;
    bool rolling_back_ = false;   // a start that failed (or was aborted) is stopping what it started
    bool stop_failed_ = false;    // some resource would not stop
    std::string failed_rsc_;
    std::size_t running_count_ = 0;  // status: how many said running
    GroupOutcome outcome_;
};

}  // namespace ha::rsc
