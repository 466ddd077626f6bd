// supervision — the bus messages that keep the processes honest about each other, shared by the
// master and every child: each message a typed struct with its encoder and its strict decoder.
//
//   child → master    t=liveness  pid=<the child's pid>   every beat of the child's loop (DaemonLoop);
//                     a new pid is a new incarnation (the master resends what it must know)
//   master → rscd     t=master_alive                      every keepalive: rscd releases every
//                     group when the master falls silent (rscd counts any message as a sign)
//   master → media    t=_flush    seq=<id>                the last-words handshake (docs/processes.md):
//   media → master    t=_flushed  seq=<same id>           sent once everything the media daemon got
//                     before the `_flush` has left on every link (UDP: sendto returned; serial: its
//                     queue written and the tty's output queue empty). The bus is ordered, so the
//                     answer proves the last cluster messages went out.
//
// Time and blocking: none. Diagnostics: none (errors returned as ha::Error naming the field).
// See also: ipc/bus/fields.hpp, ipc/bus/vocabulary.hpp, ipc/daemon.hpp, master/media_flush.hpp.
#pragma once

#include <string>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

inline constexpr std::string_view kBusFlush = "_flush";
inline constexpr std::string_view kBusFlushed = "_flushed";

namespace bus {

inline constexpr std::string_view kLiveness = "liveness";
inline constexpr std::string_view kMasterAlive = "master_alive";
inline constexpr std::string_view kFlush = kBusFlush;
inline constexpr std::string_view kFlushed = kBusFlushed;

// t=liveness. pid: decimal, 1–10 digits.
struct Liveness {
    std::string pid;

    Message encode() const;
    static Result<Liveness> decode(const Message& message);
};

// t=master_alive (no field).
struct MasterAlive {
    Message encode() const;
    static Result<MasterAlive> decode(const Message& message);
};

// t=_flush.
struct Flush {
    std::string seq;

    Message encode() const;
    static Result<Flush> decode(const Message& message);
};

// t=_flushed.
struct Flushed {
    std::string seq;

    Message encode() const;
    static Result<Flushed> decode(const Message& message);
};

}  // namespace bus
}  // namespace ha::ipc
