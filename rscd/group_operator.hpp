// GroupOperator — the seam between RscService and whatever runs a group operation.
//
// GroupExecutor implements it on the Asio loop; unit tests implement it with a fake that answers
// at once or on demand. `done` is called exactly once per run(); announce() has no `done`.
//
// Time and blocking: none of its own.
// See also: group_executor.hpp, rsc_service.hpp.
#pragma once

#include <functional>

#include "ipc/config/haresources.hpp"
#include "rscd/group_runner.hpp"

namespace ha::rsc {

class GroupOperator {
public:
    using Done = std::function<void(const GroupOutcome&)>;
    virtual ~GroupOperator() = default;
    // Precondition: no run in progress. `group` outlives the run.
    virtual void run(const conf::ResourceGroup& group, GroupOp op, Done done) = 0;
    // A start in progress releases what it started instead (no effect otherwise).
    virtual void abort() = 0;
    // rsc_op `announce`: announce again (gratuitous ARP, unsolicited neighbour advertisements)
    // every IPaddr/IPaddr2/IPv6addr VIP of `group` that is on this node now. Returns at once
    // (the rounds go on on the loop), whether a run is in progress or not; never adds or removes
    // an address. The outcome: running / any_running when all / some of the group's VIPs are here
    // (running for a group without one), ok when all are and each announcement started,
    // failed_rsc the word of the first that is not.
    virtual GroupOutcome announce(const conf::ResourceGroup& group) = 0;
};

}  // namespace ha::rsc
