// Hex numbers as Heartbeat writes them on the wire: `seq`, `hg`, `dt`, `ts` in lower-case hex
// without leading zeros ("%lx"). One parser for the media daemons' receive checks and the master's
// cores, so both ends agree on what a valid number is.
//
// Time and blocking: none. Diagnostics: none; a bad number is an Error (code "bad_hex") quoting it.
// See also: ipc/media/receive_pipeline.hpp, master/core/heartbeat_info.hpp, compat spec §7.3.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/result.hpp"

namespace ha::ipc {

// Lower-case hex without leading zeros ("2a", "0" for zero), as Heartbeat's "%lx".
std::string to_hex(std::uint64_t value);
// Parses 1..16 hex digits (either case), nothing else. Error code "bad_hex".
Result<std::uint64_t> parse_hex(std::string_view text);

}  // namespace ha::ipc
