// PeerMessage — the peer's resource messages, decoded once into typed values, and their encoders.
//
// ResourceOwner speaks R1's resource protocol with the peer (compat spec §7, §9). Each message
// kind it handles has a typed value here, a strict decoder and an encoder, so that the state
// machines work on values and the wire words live in one place:
//   Starting       t=starting
//   ResourceReport t=resource rsc_hold=<none|local|foreign|all> [rtype=full] [isstable=<0|1>] [info=…]
//   AskResources   t=ask_resources rsc_hold=<word> info=me|other|done   (the standby handshake)
//   TakeoverAsk    t=hb_takeover rsc_hold=<all|local|foreign|failback>   (absent: all)
//   Shutdone       t=shutdone st=dead
// Words are the sender's view (its `local` is our foreign); a value keeps them as sent.
//
// Decoding is in two steps because ResourceOwner needs the envelope even of a malformed message
// (it orders the peer's messages by (hg, seq) and counts it as heard): peer_envelope() never
// fails; decode_peer_body() is strict — a field ResourceOwner needs that is missing or not one of
// its words is an error (code "missing_field" / "bad_field") whose message names the field and the
// value. Fields the protocol leaves free stay lenient as in Heartbeat: `isstable` other than "1"
// means unstable, `rtype` other than "full" a partial report, `hg`/`seq` that do not parse leave
// the message unordered. A type ResourceOwner does not handle decodes to OtherMessage.
//
// Time and blocking: none.
// See also: master/core/resource_owner.hpp (the receiver), tests/fuzz/fuzz_peer_message.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "ipc/message.hpp"
#include "ipc/result.hpp"
#include "master/core/resource_set.hpp"

namespace ha::master {

inline constexpr std::string_view kInfoPartition = "partition";

enum class PeerMessageKind { starting, resource, ask_resources, hb_takeover, shutdone, other };
PeerMessageKind peer_message_kind(std::string_view type);

// What every message carries, malformed or not.
struct PeerEnvelope {
    PeerMessageKind kind = PeerMessageKind::other;
    std::string type;  // `t` as sent
    std::string src;   // empty when absent
    // The peer's (hg, seq), when both are present and hex: its send order.
    std::optional<std::pair<std::uint64_t, std::uint64_t>> order;
};
PeerEnvelope peer_envelope(const ipc::Message& message);

struct Starting {
    bool operator==(const Starting&) const = default;
};

struct ResourceReport {
    ResourceSet hold = ResourceSet::none;  // rsc_hold, the sender's words
    bool full = false;                     // rtype=full: the whole set, else ORed into what we know
    std::optional<bool> stable;            // isstable, when present
    std::string info;                      // req_our_resources(), standby, shutdown, mach_down, partition
    bool partition() const { return info == kInfoPartition; }
    bool operator==(const ResourceReport&) const = default;
};

enum class AskPhase { me, other, done };
std::string_view ask_phase_word(AskPhase phase);

struct AskResources {
    std::string word;  // rsc_hold as the requester wrote it (one of the four set words)
    AskPhase phase = AskPhase::me;
    ResourceSet set() const { return parse_resource_set(word).value_or(ResourceSet::none); }
    bool operator==(const AskResources&) const = default;
};

struct TakeoverAsk {
    StandbyKind kind = StandbyKind::all;
    bool operator==(const TakeoverAsk&) const = default;
};

struct Shutdone {
    bool operator==(const Shutdone&) const = default;
};

struct OtherMessage {
    bool operator==(const OtherMessage&) const = default;
};

using PeerBody = std::variant<Starting, ResourceReport, AskResources, TakeoverAsk, Shutdone, OtherMessage>;
Result<PeerBody> decode_peer_body(const ipc::Message& message);

// Encoders (without default fields: the shell stamps src, seq, hg ... with HeartbeatSource).
ipc::Message encode(const Starting&);
ipc::Message encode(const ResourceReport& report);
ipc::Message encode(const AskResources& ask);
ipc::Message encode(const TakeoverAsk& ask);
ipc::Message encode(const Shutdone&);

}  // namespace ha::master
