// BusDispatch — the master's one table for what its children say on the bus: (type → which
// children may send it → handler), as OpenSSH's monitor dispatch table (monitor.c,
// mon_dispatch_proto20 with MON_PERMIT), so that a message from the wrong child, of an unknown
// type or that does not decode is refused in one place.
//
// Each route names a bus message of ipc/bus/ by its typed struct: the table decodes it with that
// struct's strict decoder and hands the handler the typed value, never the loose map. Cluster
// traffic is not a bus message: a media daemon relays the peer's messages, ipfaild hands the
// master what it says to the peer's ipfail. relay() names, per child, which of its messages are
// such traffic; they go to their handler as they came, before any route is looked up (their
// contract is the wire's, checked by the media daemon and by the master's link table).
// Children are known by name: `heartbeatd-*` is a media daemon, `ipfaild`, `rscd`; any other bus
// identity is refused as `unknown_child`.
//
// Refusal reasons and counters (refused(reason)): unknown_child, unknown_type (no route for the
// type), not_permitted (a route, but not for this child), bad_message (the decoder refused it).
// Our children are our code: a refusal is a bug or a broken child, so it is logged ERROR, once per
// (child, type, reason) — a child that repeats it is counted, not logged again.
//
// Time and blocking: none; handlers run synchronously in dispatch().
// Diagnostics: ERROR `bus: refused <type> from <child>: <why>` once per (child, type, reason);
//   counters by reason.
// See also: ipc/bus/vocabulary.hpp (the catalogue), master/master_run.cpp (the routes),
//   shared/style.md §8.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::master {

// The master's children by kind, as a bit set for "who may send this".
enum class ChildKind : std::uint8_t { none = 0, media = 1, ipfaild = 2, rscd = 4 };
using ChildSet = std::uint8_t;
constexpr ChildSet operator|(ChildKind a, ChildKind b) { return static_cast<ChildSet>(static_cast<ChildSet>(a) | static_cast<ChildSet>(b)); }
constexpr ChildSet operator|(ChildSet a, ChildKind b) { return static_cast<ChildSet>(a | static_cast<ChildSet>(b)); }
constexpr ChildSet only(ChildKind k) { return static_cast<ChildSet>(k); }
inline constexpr ChildSet kAnyChild = ChildKind::media | ChildKind::ipfaild | ChildKind::rscd;
// `heartbeatd-net` → media, `ipfaild`, `rscd`; anything else → none.
ChildKind child_kind(std::string_view name);

class BusDispatch {
public:
    enum class Verdict { routed, relayed, unknown_child, unknown_type, not_permitted, bad_message };
    static std::string_view verdict_word(Verdict verdict);

    explicit BusDispatch(ipc::Log& log) : log_(log) {}

    // Messages of `T::decode`'s type from one of `senders`: decoded strictly, then
    // handler(child, decoded). `type` is the `t` the route matches.
    template <class T, class Handler>
    void route(std::string_view type, ChildSet senders, Handler handler) {
        routes_.push_back(Route{std::string(type), senders, [handler = std::move(handler)](const std::string& child, const ipc::Message& m) -> Result<void> {
                                    auto decoded = T::decode(m);
                                    if (!decoded) return decoded.error();
                                    handler(child, std::move(*decoded));
                                    return {};
                                }});
    }
    // Cluster traffic from a child of `sender` kind: every message `is_relay` accepts goes to
    // handler(child, message) unchecked by this table.
    void relay(ChildKind sender, std::function<bool(const ipc::Message&)> is_relay,
               std::function<void(const std::string&, ipc::Message)> handler);

    // Routes, relays or refuses one message from `child`.
    Verdict dispatch(const std::string& child, ipc::Message message);

    std::uint64_t refused(std::string_view reason) const;
    std::uint64_t refused_total() const;

private:
    struct Route {
        std::string type;
        ChildSet senders;
        std::function<Result<void>(const std::string&, const ipc::Message&)> handle;
    };
    struct Relay {
        ChildKind sender;
        std::function<bool(const ipc::Message&)> is_relay;
        std::function<void(const std::string&, ipc::Message)> handle;
    };
    static constexpr std::size_t kMaxLoggedKinds = 256;
    Verdict refuse(Verdict verdict, const std::string& child, std::string_view type, std::string_view why);

    ipc::Log& log_;
    std::vector<Route> routes_;
    std::vector<Relay> relays_;
    std::map<std::string, std::uint64_t, std::less<>> refused_;
    std::set<std::tuple<std::string, std::string, Verdict>> logged_;
};

}  // namespace ha::master
