// ResourceShell — the loop glue around master/core/resource_owner: who holds the resource groups.
//
// Feeds the ResourceOwner with the LinkTable's events, the peer's resource messages, rscd's
// results and the operator's standby/takeover requests, and carries out its actions: cluster
// messages to the peer (stamped and signed on the way out), `rsc_op` requests to rscd, and the
// end of a shutdown. One timer at the core's next deadline. rscd is asked again for every held
// group when it (re)starts, so a respawned rscd knows what it holds; results for those resync
// requests (seq `resync`) are not the core's and are ignored by it.
// Split-brain guard: AwaitClearance becomes `t=rsc_probe group=K seq=pN preferred=yes|no` to rscd
// (resent when rscd restarts), CancelClearance `t=rsc_probe_cancel`; rscd's `t=rsc_clearance`
// answers `clear` (or `error`: nothing to protect, the start decides) → on_acquire_clearance,
// `held` → one info line here (rscd logs the CRIT with the holder's MAC); answers whose seq is not
// the pending one are ignored.
//
// Time and blocking: monotonic clock only; never blocks.
// Diagnostics: the core's lines; ERROR when rscd cannot be reached for an operation.
// See also: master/core/resource_owner.hpp, rscd/rsc_messages.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <string>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "master/core/resource_owner.hpp"

namespace ha::master {

class ResourceShell {
public:
    struct Outputs {
        std::function<void(ipc::Message)> to_peer;            // stamped + sent on every medium
        std::function<bool(const ipc::Message&)> to_rscd;     // false when rscd is not connected
        std::function<void()> shutdown_complete;
        std::function<void()> changed;                        // rsc_hold may have changed
    };

    ResourceShell(boost::asio::io_context& io, ResourceOwnerParams params, const ipc::Clock& clock, ipc::Log& log,
                  Outputs outputs);

    void on_cluster_events(const std::vector<ClusterEvent>& events);
    void on_peer_message(const ipc::Message& message);
    void on_rscd_message(const ipc::Message& message);
    // An operator or ipfail request; returns a sentence for the requester.
    std::string standby(std::string_view kind_word);
    std::string takeover(std::string_view kind_word);
    void shutdown();
    // ipfail's isolation verdict (see ResourceOwner::set_isolated).
    void set_isolated(bool isolated);

    std::string rsc_hold_word() const { return std::string(owner_.rsc_hold_word()); }
    std::vector<std::string> held_groups() const { return owner_.held_groups(); }

private:
    void apply(const ResourceActions& actions);
    void arm();
    void on_clearance(const ipc::Message& message);
    ipc::Message probe_message(const std::string& group) const;

    const ipc::Clock& clock_;
    ipc::Log& log_;
    ResourceOwner owner_;
    Outputs out_;
    boost::asio::steady_timer timer_;
    std::optional<RunGroup> in_flight_;
    struct Probe {
        std::string seq;
        bool preferred = false;
    };
    std::map<std::string, Probe> probes_;  // group key → the clearance asked of rscd
    std::uint64_t next_probe_ = 1;
};

}  // namespace ha::master
