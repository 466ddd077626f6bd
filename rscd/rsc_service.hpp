// RscService — rscd's bus-facing core: queues `rsc_op` requests, runs one group at a time, answers
// `rsc_result`, remembers which groups it holds, and releases them all when the master is gone.
//
// It owns no socket or timer. The shell feeds it decoded bus messages (on_bus_message), the time
// (on_tick at next_deadline()), and SIGTERM / parent death (shutdown). It sends through the `Send`
// callback and runs groups through a GroupOperator. Rules:
//   - one operation at a time, in arrival order (docs/architecture.md); a request for a group that is not in
//     haresources is refused at once (`error=unknown_group`), never queued;
//   - `announce` (the master's keeper after a double hold: docs/split-brain.md, rule 2) is never
//     queued either: GroupOperator::announce() re-sends the gratuitous ARPs / neighbour
//     advertisements of the group's VIPs that are here, at once, beside whatever runs, and the
//     rsc_result follows at once (rc=failed running=no when none is here; nothing is added);
//     it changes nothing of the held set;
//   - held groups: a start that ends ok adds the group, a failed start (rolled back) or an ok stop
//     removes it, a stop that left something running keeps it;
//   - "no resource outlives its master": shutdown() (SIGTERM — which PR_SET_PDEATHSIG sends when
//     the master dies — or silence from the master for `master_timeout`, deadtime/2, confirmed
//     below) refuses
//     what is queued (`error=shutting_down`), aborts a start in progress (it releases what it
//     started), then stops every held group, the last acquired first; each group R→L, so the VIP,
//     first in its group, goes last. Then `done` is called and the shell exits.
//   - the silence verdict: the shell reads what waits on the bus (BusClient::read_pending) before
//     every on_tick; when `master_timeout` has passed without a message, the service listens one
//     more confirm window (master_timeout/10, 20 ms–1 s) and releases only if that window passed
//     awake (its tick on time) and silent. A frozen rscd (SIGSTOP, a stalled VM) wakes with its
//     timer and the socket ready at once and with the master's messages possibly not yet through
//     zmq's I/O thread; a freeze is not the master's silence (issue 19 item 3).
//   - after a respawn of rscd the held set is empty: the master re-sends `start` for the groups it
//     holds (a start of a running group only runs `status`), which rebuilds it.
//   - `rsc_reload` (service hamaster reload): the Loader re-reads the config as at start; the new
//     haresources replaces the running copy only when nothing runs or waits (queued operations
//     point into it) and no held group was changed or removed — else `rc=failed error=...` and
//     nothing changes (contract in ipc/bus/rsc.hpp).
//
// Time and blocking: reads only the `now` it is given; the Loader reads files (small, local).
// Diagnostics: ERROR `dropped bus message from master: <reason>` (bad rsc_op or rsc_reload), info
// `Announcing the addresses of resource group <line> again` (then GroupExecutor's lines), debug
// `No message from the master for N ms; listening M ms more before releasing`, WARN
// `unknown resource group X`, CRIT `Master gone (<why>): releasing N resource group(s)`, info `All
// resource groups released.`, info `haresources reloaded: N resource group(s)`, WARN `haresources
// reload refused: <why>`.
// See also: ipc/bus/rsc.hpp (the contract), group_operator.hpp, group_runner.hpp.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "rscd/group_operator.hpp"
#include "rscd/rsc_messages.hpp"

namespace ha::rsc {

class RscService {
public:
    using Send = std::function<void(const ipc::Message&)>;
    // Reads haresources again as at start (the whole config is validated); the error is the first
    // config error, rendered `FILE:LINE: error: ...`.
    using Loader = std::function<Result<conf::Haresources>()>;

    // master_timeout zero: no liveness check (tests, --oneshot). No loader: rsc_reload is refused.
    RscService(const conf::Haresources& haresources, GroupOperator& groups, Send send, ipc::Log& log,
               ipc::SteadyTime now, std::chrono::milliseconds master_timeout, Loader loader = {});

    // Any message from the master counts as a sign of life; `rsc_op` is acted on, others ignored.
    void on_bus_message(const ipc::Message& message, ipc::SteadyTime now);
    void on_tick(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;

    // Called once, when a shutdown has released everything it could (the shell exits then).
    void on_released(std::function<void()> handler) { on_released_ = std::move(handler); }
    // Refuse new work and release every held group. Idempotent.
    void shutdown(std::string_view why);

    // The groups in force (the start config's, or the last reloaded one's).
    const conf::Haresources& haresources() const { return haresources_; }
    // Held group keys, in acquisition order.
    const std::vector<std::string>& held() const { return held_; }
    bool shutting_down() const { return shutting_down_; }
    bool busy() const { return busy_; }

private:
    struct Pending {
        RscRequest request;
        const conf::ResourceGroup* group;
        bool reply;  // send an rsc_result when done (shutdown stops go out with seq=shutdown)
    };
    void pump();
    void reload(const ipc::Message& message);
    void finished(const Pending& pending, const GroupOutcome& outcome);
    void maybe_done();
    static std::chrono::milliseconds confirm_window(std::chrono::milliseconds master_timeout);
    const conf::ResourceGroup* find(const std::string& key) const;

    conf::Haresources haresources_;  // replaced only while queue_ is empty and nothing runs
    GroupOperator& groups_;
    Send send_;
    Loader loader_;
    ipc::Log& log_;
    std::chrono::milliseconds master_timeout_;
    std::chrono::milliseconds confirm_;  // the awake, silent window before a silence verdict
    ipc::SteadyTime last_heard_;
    std::optional<ipc::SteadyTime> suspect_until_;  // silent for master_timeout: verdict at this time
    std::deque<Pending> queue_;
    bool busy_ = false;
    GroupOp busy_op_ = GroupOp::status;
    std::vector<std::string> held_;
    bool shutting_down_ = false;
    bool released_ = false;
    std::function<void()> on_released_;
};

}  // namespace ha::rsc
