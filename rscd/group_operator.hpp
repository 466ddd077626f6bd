// GroupOperator — the seam between RscService and whatever runs a group operation.
//
// GroupExecutor implements it on the Asio loop; unit tests implement it with a fake that answers
// at once or on demand. `done` is called exactly once per run().
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
};

}  // namespace ha::rsc
