// GroupDiff — which haresources groups a reload adds, changes or removes.
//
// Pure: two group lists in (the running one and the new one), the differences out. Groups are
// matched by key (conf::ResourceGroup::key(), the first resource as written after shorthand
// expansion); a group whose key stays but whose normalized line (`text`: node and every resource)
// differs is `changed`. Shared by the master's reload plan and ResourceOwner and by rscd's
// `rsc_reload`, so both processes call the same thing a change.
//
// Time and blocking: none.
// Diagnostics: none (callers log).
// See also: ipc/config/haresources.hpp, master/reload_plan.hpp, ipc/bus/rsc.hpp (rsc_reload).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/haresources.hpp"

namespace ha::conf {

struct GroupChange {
    enum class Kind { added, changed, removed };
    std::string key;
    Kind kind = Kind::changed;
    bool operator==(const GroupChange&) const = default;
};
std::string_view group_change_word(GroupChange::Kind kind);  // "added", "changed", "removed"

// Added and changed groups in `next` order, then removed ones in `running` order.
std::vector<GroupChange> diff_groups(const std::vector<ResourceGroup>& running, const std::vector<ResourceGroup>& next);

}  // namespace ha::conf
