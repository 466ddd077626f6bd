// HeartbeatInfo — the fields of an incoming cluster message that the LinkTable needs, decoded.
//
// heartbeat_info_from() turns an authenticated ha::ipc::Message (already checked by a media daemon)
// into this struct: the hex fields `seq`, `hg`, `dt` are parsed here, so the table never sees text.
// A message without `seq` (the NS_ types) or `hg` is still valid; those fields are then empty.
// The hex helpers the master's cores use are ipc/hex.hpp's (the media daemons parse with the same).
//
// Time and blocking: none. Diagnostics: none; a bad field is returned as an Error naming it.
// See also: master/core/link_table.hpp, compat spec §6 and §7.3.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/hex.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::master {

struct HeartbeatInfo {
    std::string type;                                // t
    std::string status;                              // st (empty when absent)
    std::optional<std::uint64_t> seq;                // seq (hex on the wire)
    std::optional<std::uint64_t> generation;         // hg (hex on the wire)
    std::optional<std::chrono::milliseconds> deadtime;  // dt (hex ms on the wire)
    bool has_protocol = false;                       // `protocol` present: flow control possible

    bool is_status() const { return type == "status"; }
};

// Decodes t, st, seq, hg, dt, protocol. Errors: missing `t`, or a non-hex seq/hg/dt
// (code "bad_field", message names the field and the value).
Result<HeartbeatInfo> heartbeat_info_from(const ipc::Message& msg);

// ipc/hex.hpp's, under the names the master's cores have always used.
using ipc::parse_hex;
using ipc::to_hex;

}  // namespace ha::master
