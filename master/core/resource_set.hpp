// ResourceSet and StandbyKind — Heartbeat's words for "which resource groups" (rsc_hold, the
// standby and takeover arguments), shared by ResourceOwner and the cores it delegates to
// (StandbyHandshake, PartitionSettlement, the peer message codec).
//
// A ResourceSet is a bit set of two classes: `local` (the groups whose haresources node is the
// node speaking) and `foreign` (the peer's). Words on the wire are always the sender's view:
// mirror() turns the peer's words into ours.
//
// Time and blocking: none.
// See also: master/core/resource_owner.hpp, compat spec §7 and §10.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ha::master {

// Heartbeat's rsc_hold words: none / local / foreign / all (a bit set: local | foreign).
enum class ResourceSet : std::uint8_t { none = 0, local = 1, foreign = 2, all = 3 };
std::string_view resource_set_word(ResourceSet set);
std::optional<ResourceSet> parse_resource_set(std::string_view word);
// The same set seen from the other node (local <-> foreign).
ResourceSet mirror(ResourceSet set);

// Set algebra on the two classes.
constexpr bool has(ResourceSet set, ResourceSet part) {
    return (static_cast<unsigned>(set) & static_cast<unsigned>(part)) != 0;
}
constexpr ResourceSet operator|(ResourceSet a, ResourceSet b) {
    return static_cast<ResourceSet>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr ResourceSet both(ResourceSet a, ResourceSet b) {
    return static_cast<ResourceSet>(static_cast<unsigned>(a) & static_cast<unsigned>(b));
}
constexpr ResourceSet without(ResourceSet a, ResourceSet b) {
    return static_cast<ResourceSet>(static_cast<unsigned>(a) & ~static_cast<unsigned>(b) & 3U);
}

// The argument of hb_standby / hb_takeover (compat spec §10.2). `failback` is `foreign` for
// standby; for hb_takeover it is sent as written and the peer treats it as `all`.
enum class StandbyKind { all, local, foreign, failback };
std::string_view standby_kind_word(StandbyKind kind);
// "" → all; other words than the four → nullopt.
std::optional<StandbyKind> parse_standby_kind(std::string_view word);

}  // namespace ha::master
