// BusDispatch — see bus_dispatch.hpp.
#include "master/bus_dispatch.hpp"

#include <algorithm>

#include "ipc/config/diagnostics.hpp"

namespace ha::master {

ChildKind child_kind(std::string_view name) {
    if (name.starts_with("heartbeatd-") && name.size() > 11) return ChildKind::media;
    if (name == "ipfaild") return ChildKind::ipfaild;
    if (name == "rscd") return ChildKind::rscd;
    return ChildKind::none;
}

std::string_view BusDispatch::verdict_word(Verdict verdict) {
    switch (verdict) {
        case Verdict::routed: return "routed";
        case Verdict::relayed: return "relayed";
        case Verdict::unknown_child: return "unknown_child";
        case Verdict::unknown_type: return "unknown_type";
        case Verdict::not_permitted: return "not_permitted";
        case Verdict::bad_message: return "bad_message";
    }
    return "bad_message";
}

void BusDispatch::relay(ChildKind sender, std::function<bool(const ipc::Message&)> is_relay,
                        std::function<void(const std::string&, ipc::Message)> handler) {
    relays_.push_back(Relay{sender, std::move(is_relay), std::move(handler)});
}

BusDispatch::Verdict BusDispatch::dispatch(const std::string& child, ipc::Message message) {
    const ChildKind kind = child_kind(child);
    const std::string type(message.type());
    if (kind == ChildKind::none) return refuse(Verdict::unknown_child, child, type, "not a child of this master");
    for (const auto& r : relays_) {
        if (r.sender == kind && r.is_relay(message)) {
            r.handle(child, std::move(message));
            return Verdict::relayed;
        }
    }
    bool known = false;
    for (const auto& route : routes_) {
        if (route.type != type) continue;
        known = true;
        if ((route.senders & static_cast<ChildSet>(kind)) == 0) continue;
        auto handled = route.handle(child, message);
        if (!handled) return refuse(Verdict::bad_message, child, type, handled.error().message);
        return Verdict::routed;
    }
    return known ? refuse(Verdict::not_permitted, child, type, "not a message this child may send")
                 : refuse(Verdict::unknown_type, child, type, "unknown message type");
}

BusDispatch::Verdict BusDispatch::refuse(Verdict verdict, const std::string& child, std::string_view type, std::string_view why) {
    const auto reason = verdict_word(verdict);
    auto it = refused_.find(reason);
    if (it == refused_.end()) it = refused_.emplace(std::string(reason), 0).first;
    ++it->second;
    // The type comes from a child that may be broken: quoted, and cut, before it reaches the log.
    const std::string shown = type.empty() ? std::string("(no t)") : conf::quote(type.substr(0, 64));
    // At most kMaxLoggedKinds kinds are remembered: a child inventing types cannot grow this set.
    if (logged_.size() < kMaxLoggedKinds && logged_.emplace(child.substr(0, 64), std::string(type.substr(0, 64)), verdict).second)
        log_.error("bus: refused {} from {}: {} ({}; further ones counted, not logged)", shown, child, why, reason);
    else
        log_.debug("bus: refused {} from {}: {} ({})", shown, child, why, reason);
    return verdict;
}

std::uint64_t BusDispatch::refused(std::string_view reason) const {
    auto it = refused_.find(reason);
    return it == refused_.end() ? 0 : it->second;
}

std::uint64_t BusDispatch::refused_total() const {
    std::uint64_t n = 0;
    for (const auto& [reason, count] : refused_) n += count;
    return n;
}

}  // namespace ha::master
