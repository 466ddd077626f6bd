// PartitionSettlement — who keeps a resource group both nodes hold (docs/split-brain.md, rule 2).
//
// When the peer comes back from the dead (a healed partition, a restart, first contact after
// initdead) both nodes may hold the same groups. Each node sends a full `resource` report and
// evaluates one rule on the two reports, so no further exchange is needed: **the group's
// preferred node (its haresources node) keeps it, the other node releases it**. Seen from one
// node that is: it releases the `foreign` part of what both claim, never the `local` part.
//
// The settlement has two stages after a return (Stage), driven by the peer's stable full reports:
//   awaiting_report   the first stable full report since the return settles: what both claim is
//                     split by the rule, and our local groups nobody holds are acquired here
//                     (at once, or — when the peer still claims some — completing_local);
//   completing_local  the peer releases its copies of our groups: once its next stable full
//                     report no longer claims our local part, the rest of it is acquired here.
// And, whatever the order of the messages, on every stable full report of the live peer and at
// each convergence of ours, double_hold() applies the same rule to any overlap (CRIT once per
// standing double hold).
//
// The keeper's re-announcement of a group once the releasing node let it go (its caches may still
// point at that node) is ResourceOwner's (track_double_holds, AnnounceGroup), not a decision here.
//
// Pure core: sets in, decisions out. It never changes what is held: ResourceOwner wants, releases
// and reports (and its acquire_verdict() still decides every start). Sets are in OUR words:
// `ours` what we hold or are starting, `theirs` the peer's report mirrored.
//
// Time and blocking: none (the settlement waits for reports, not for time).
// Diagnostics: CRIT `Both nodes hold [all] resources after the partition: each group stays on its
//   preferred node; releasing [foreign] here.` (once per double hold).
// See also: master/core/resource_owner.hpp (the caller), docs/split-brain.md.
#pragma once

#include "ipc/log.hpp"
#include "master/core/resource_set.hpp"

namespace ha::master {

class PartitionSettlement {
public:
    enum class Stage { idle, awaiting_report, completing_local };

    explicit PartitionSettlement(ipc::Log& log) : log_(log) {}

    // The peer is back from the dead: settle on its first stable full report.
    void on_return() { stage_ = Stage::awaiting_report; }
    // Nothing to settle any more (the peer died again, shutdown).
    void reset() { stage_ = Stage::idle; }
    // A standby moves groups on purpose: no partition clean-up after it.
    void drop_completion() {
        if (stage_ == Stage::completing_local) stage_ = Stage::idle;
    }
    Stage stage() const { return stage_; }
    bool awaiting_report() const { return stage_ == Stage::awaiting_report; }

    // The peer's first stable full report since its return (awaiting_report → idle or
    // completing_local). Returns whether our local groups nobody holds are to be acquired now
    // (the peer does not claim our local part).
    bool on_first_report(ResourceSet ours, ResourceSet theirs);
    // A later stable full report: true once (completing_local → idle) when the peer no longer
    // claims our local part, so that the rest of it is acquired here.
    bool on_report(ResourceSet theirs);

    // The rule on any overlap of `ours` and `theirs`. Returns what this node releases (the
    // overlap's foreign part; none when nothing overlaps, or when only our preferred groups do
    // and the peer releases them). Logs the CRIT once while an overlap stands.
    ResourceSet double_hold(ResourceSet ours, ResourceSet theirs);
    bool double_hold_standing() const { return double_hold_; }

private:
    ipc::Log& log_;
    Stage stage_ = Stage::idle;
    bool double_hold_ = false;  // CRIT logged for the double hold standing now
};

}  // namespace ha::master
