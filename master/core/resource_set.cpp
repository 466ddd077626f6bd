// ResourceSet and StandbyKind — see resource_set.hpp.
#include "master/core/resource_set.hpp"

namespace ha::master {

std::string_view resource_set_word(ResourceSet set) {
    switch (set) {
        case ResourceSet::none: return "none";
        case ResourceSet::local: return "local";
        case ResourceSet::foreign: return "foreign";
        case ResourceSet::all: return "all";
    }
    return "none";
}

std::optional<ResourceSet> parse_resource_set(std::string_view word) {
    if (word == "none") return ResourceSet::none;
    if (word == "local") return ResourceSet::local;
    if (word == "foreign") return ResourceSet::foreign;
    if (word == "all") return ResourceSet::all;
    return std::nullopt;
}

ResourceSet mirror(ResourceSet set) {
    switch (set) {
        case ResourceSet::local: return ResourceSet::foreign;
        case ResourceSet::foreign: return ResourceSet::local;
        default: return set;
    }
}

std::string_view standby_kind_word(StandbyKind kind) {
    switch (kind) {
        case StandbyKind::all: return "all";
        case StandbyKind::local: return "local";
        case StandbyKind::foreign: return "foreign";
        case StandbyKind::failback: return "failback";
    }
    return "all";
}

std::optional<StandbyKind> parse_standby_kind(std::string_view word) {
    if (word.empty() || word == "all") return StandbyKind::all;
    if (word == "local") return StandbyKind::local;
    if (word == "foreign") return StandbyKind::foreign;
    if (word == "failback") return StandbyKind::failback;
    return std::nullopt;
}

}  // namespace ha::master
