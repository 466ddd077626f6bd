// PartitionSettlement — see partition_settlement.hpp.
#include "master/core/partition_settlement.hpp"

namespace ha::master {

bool PartitionSettlement::on_first_report(ResourceSet ours, ResourceSet theirs) {
    // The peer releases its copies of our groups (the rule): once its report no longer claims
    // them, start those of ours nobody runs (a partly held set, e.g. a group that waited for
    // clearance).
    stage_ = has(both(ours, theirs), ResourceSet::local) ? Stage::completing_local : Stage::idle;
    return !has(theirs, ResourceSet::local);
}

bool PartitionSettlement::on_report(ResourceSet theirs) {
    if (stage_ != Stage::completing_local || has(theirs, ResourceSet::local)) return false;
    stage_ = Stage::idle;
    return true;
}

ResourceSet PartitionSettlement::double_hold(ResourceSet ours, ResourceSet theirs) {
    const ResourceSet twice = both(ours, theirs);
    if (twice == ResourceSet::none) {
        double_hold_ = false;
        return ResourceSet::none;
    }
    const ResourceSet give = both(twice, ResourceSet::foreign);
    if (!double_hold_) {
        double_hold_ = true;
        log_.crit("Both nodes hold [{}] resources after the partition: each group stays on its preferred node; "
                  "releasing [{}] here.",
                  resource_set_word(twice), resource_set_word(give));
    }
    return give;
}

}  // namespace ha::master
