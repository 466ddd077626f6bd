// ResourceShell — the loop glue around master/core/resource_owner: who holds the resource groups.
//
// Feeds the ResourceOwner with the LinkTable's events, the peer's resource messages, rscd's
// results and the operator's standby/takeover requests, and carries out its actions: cluster
// messages to the peer (stamped and signed on the way out), `rsc_op` requests to rscd, and the
// end of a shutdown. One timer at the core's next deadline. rscd is asked again for every held
// group when it (re)starts, so a respawned rscd knows what it holds; results for those resync
// requests (seq `resync`) are not the core's and are ignored by it.
// Split-brain guard: AwaitClearance becomes `t=rsc_probe group=K seq=pN preferred=yes|no` to rscd
// (resent when rscd restarts), EarlyProbe the same with `early=yes` (the peer is late: rscd probes
// ahead of the dead decision, whose AwaitClearance then decides that session under a new seq; an
// answer to an early seq only ends it), CancelClearance `t=rsc_probe_cancel`; rscd's `t=rsc_clearance`
// answers `clear` (or `error`: nothing to protect, the start decides) → on_acquire_clearance,
// `held` → one info line here (rscd logs the CRIT with the holder's MAC); answers whose seq is not
// the pending one are ignored.
// AnnounceGroup (a kept group after a double hold) becomes `t=rsc_op op=announce group=K seq=aN`,
// sent once (not resent when rscd restarts: rscd answers it at once, and a lost one costs only the
// caches' own refresh); its rsc_result is logged here (debug when ok, WARN when not every VIP was
// here), never given to the core, which has nothing in flight for it.
// Reload of haresources (reload_groups): rscd swaps first, the core second. The shell sends
// `t=rsc_reload seq=lN` when no operation of ours is in flight (else after its result) and rscd is
// connected (else on its `rscd_ready`, before the resync starts, as a new rscd read the files at
// start anyway); on `t=rsc_reloaded rc=ok groups=N` it calls ResourceOwner::replace_groups and logs
// one line per change; on `rc=failed error=busy` it asks again after rscd's next result; any other
// refusal ends the reload with nothing changed. A newer reload replaces a pending one. Answers are
// decoded strictly by the master's bus table (ipc/bus/rsc.hpp: t, seq, rc and groups|error, nothing
// else; refused there otherwise), as are rsc_result and rsc_clearance.
//
// Metrics (GroupView's counters, guard_verdicts()): rscd's results for the operation in flight are
// counted per group — acquisitions (a start that worked; a failover when the peer was dead at the
// time), releases, start and stop failures; the guard's verdicts for a decision (clear, error, and
// held once per session).
// Time and blocking: monotonic clock only; never blocks.
// Diagnostics: the core's lines; info when an operation waits for rscd to (re)connect (it is sent when rscd says hello); reload: info
//   `reload: resource group K added|changed|removed; applied (not held here)` per change, WARN
//   `reload: rscd refused the haresources change (<error>); nothing of haresources changed`, ERROR
//   `reload: rscd read N resource groups, hamaster M` (the files changed again during the reload),
//   `reload: rscd has the new haresources but hamaster keeps the running one (...)` (a group became
//   busy between the plan and rscd's answer); ERROR `dropped rsc_result from rscd: op status is not
//   the master's` (the master asks only start, stop and announce); WARN `Resource group K could not be
//   announced again (running=no, at IPaddr::...)`, info `rscd is not connected: resource group K is not
//   announced again`.
// See also: master/core/resource_owner.hpp, ipc/bus/rsc.hpp, master/bus_dispatch.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "ipc/bus/rsc.hpp"
#include "ipc/clock.hpp"
#include "ipc/deadline_timer.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "master/cluster_view.hpp"
#include "master/core/resource_owner.hpp"

namespace ha::master {

class ResourceShell {
public:
    struct Outputs {
        std::function<void(ipc::Message)> to_peer;            // stamped + sent on every medium
        std::function<bool(const ipc::Message&)> to_rscd;     // false when rscd is not connected
        std::function<void()> shutdown_complete;
        std::function<void()> changed;                        // rsc_hold may have changed
        std::function<void()> read_pending;                   // reads the bus before a timeout verdict
    };

    ResourceShell(boost::asio::io_context& io, ResourceOwnerParams params, const ipc::Clock& clock, ipc::Log& log,
                  Outputs outputs);

    void on_cluster_events(const std::vector<ClusterEvent>& events);
    void on_peer_message(const ipc::Message& message);
    // rscd's messages, decoded by the master's bus table (ipc/bus/rsc.hpp).
    void on_rsc_result(const ipc::bus::RscResult& result);
    void on_clearance(const ipc::bus::RscClearance& clearance);
    void on_reloaded(const ipc::bus::RscReloaded& reloaded);
    // A (re)started rscd said hello (its first liveness beat): it knows nothing, tell it again.
    void on_rscd_ready();
    // An operator or ipfail request. The answer: refused now and why (ResourceOwner's
    // standby_refusal / takeover_refusal; code "usage" for an unknown kind), or accepted; with the
    // count of standby ends before it (hb_standby/hb_takeover --wait wait for the next end).
    struct RequestAnswer {
        std::optional<ResourceOwner::Refusal> refusal;
        std::uint64_t ends_before = 0;
    };
    RequestAnswer standby(std::string_view kind_word);
    RequestAnswer takeover(std::string_view kind_word);
    const ResourceOwner& owner() const { return owner_; }
    void shutdown();
    // ipfail's isolation verdict (see ResourceOwner::set_isolated).
    void set_isolated(bool isolated);
    // rscd exited on its own after releasing everything (exit status 0): see
    // ResourceOwner::on_resources_lost. Call before the new rscd says hello.
    void on_rscd_released();

    std::string rsc_hold_word() const { return std::string(owner_.rsc_hold_word()); }
    // The split-brain guard's verdicts for a decision (not the early sessions): clear, held, error.
    const std::map<std::string, std::uint64_t>& guard_verdicts() const { return guard_verdicts_; }
    std::vector<std::string> held_groups() const { return owner_.held_groups(); }
    // `hamaster status`: one line per group, "<haresources line>: <where it is>".
    std::vector<GroupView> group_views() const;
    // See ResourceOwner::busy_groups.
    std::vector<std::string> busy_groups(const std::vector<conf::ResourceGroup>& next) const {
        return owner_.busy_groups(next);
    }
    // Applies a validated new haresources group list live, rscd first (see the header comment).
    // `applied` runs once the core has it (not at all when rscd or the core refuses).
    void reload_groups(std::vector<conf::ResourceGroup> next, std::function<void()> applied);

private:
    // standby() and takeover() alike: the kind word, the owner's refusal (`refusal`) and its
    // decision (`act`, which logs the request and the refusal); `what` names the request.
    RequestAnswer request(std::string_view what, std::string_view kind_word,
                          std::optional<ResourceOwner::Refusal> (ResourceOwner::*refusal)(ipc::SteadyTime) const,
                          ResourceActions (ResourceOwner::*act)(ipc::SteadyTime, StandbyKind));
    void apply(const ResourceActions& actions);
    void arm();
    ipc::Message probe_message(const std::string& group) const;
    ipc::Message run_message(const RunGroup& run) const;
    void send_reload();

    const ipc::Clock& clock_;
    ipc::Log& log_;
    std::string peer_node_;
    ResourceOwner owner_;
    Outputs out_;
    ipc::DeadlineTimer timer_;
    std::optional<RunGroup> in_flight_;
    struct Probe {
        std::string seq;
        bool preferred = false;
        std::string holder;  // "192.0.2.100 answered by <mac> on eth0" once rscd said `held`
        bool early = false;  // EarlyProbe: rscd probes while the peer is late; no verdict expected
    };
    std::map<std::string, Probe> probes_;  // group key → the clearance asked of rscd
    std::uint64_t next_probe_ = 1;
    std::uint64_t next_announce_ = 1;
    struct PendingReload {
        std::vector<conf::ResourceGroup> groups;
        std::function<void()> applied;
        std::string seq;
        bool sent = false;
    };
    std::optional<PendingReload> reload_;
    std::uint64_t next_reload_ = 1;
    // Metrics (GroupView's counters, by group key), counted from rscd's results.
    struct GroupCounts {
        std::uint64_t acquisitions = 0, failovers = 0, releases = 0, start_failures = 0, stop_failures = 0;
    };
    std::map<std::string, GroupCounts> counts_;
    std::map<std::string, std::uint64_t> guard_verdicts_ = {{"clear", 0}, {"held", 0}, {"error", 0}};
    bool peer_dead_ = false;
};

}  // namespace ha::master
