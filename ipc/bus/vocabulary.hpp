// vocabulary — the catalogue of every bus and control-socket message: its type, who sends it, who
// receives it, its fields, and its codec (ipc/bus/*.hpp). docs/architecture.md shows the same
// table; the unit tests check that every entry round-trips and has a fuzz seed
// (tests/fuzz/corpus/bus/), and fuzz_bus reaches every decoder through it.
//
// Not here, because they are not bus messages: the cluster traffic the media daemons relay in
// both directions and ipfaild's messages for the peer's ipfail (ipc/bus/media.hpp, ipfail.hpp).
//
// Time and blocking: none. Diagnostics: none.
// See also: ipc/bus/rsc.hpp, ipfail.hpp, media.hpp, supervision.hpp, control.hpp,
//   master/bus_dispatch.hpp (the master's routing table).
#pragma once

#include <span>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

struct MessageKind {
    std::string_view type;
    std::string_view from;    // master, media, ipfaild, rscd, child (any child), tool
    std::string_view to;
    std::string_view fields;  // as in the headers: [optional], …=repeated
    // Decodes `message` strictly with this kind's decoder and encodes the result again.
    Result<Message> (*reencode)(const Message& message);
};

// Every kind, in the order of docs/architecture.md.
std::span<const MessageKind> vocabulary();

}  // namespace ha::ipc::bus
