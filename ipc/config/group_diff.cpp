// GroupDiff — see group_diff.hpp.
#include "ipc/config/group_diff.hpp"

#include <algorithm>

namespace ha::conf {

std::string_view group_change_word(GroupChange::Kind kind) {
    switch (kind) {
        case GroupChange::Kind::added: return "added";
        case GroupChange::Kind::changed: return "changed";
        case GroupChange::Kind::removed: return "removed";
    }
    return "changed";
}

std::vector<GroupChange> diff_groups(const std::vector<ResourceGroup>& running, const std::vector<ResourceGroup>& next) {
    auto find = [](const std::vector<ResourceGroup>& groups, const std::string& key) {
        return std::find_if(groups.begin(), groups.end(), [&](const ResourceGroup& g) { return g.key() == key; });
    };
    std::vector<GroupChange> out;
    for (const auto& g : next) {
        auto it = find(running, g.key());
        if (it == running.end()) out.push_back({g.key(), GroupChange::Kind::added});
        else if (it->text != g.text) out.push_back({g.key(), GroupChange::Kind::changed});
    }
    for (const auto& g : running) {
        if (find(next, g.key()) == next.end()) out.push_back({g.key(), GroupChange::Kind::removed});
    }
    return out;
}

}  // namespace ha::conf
