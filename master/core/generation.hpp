// Generation — the local node's generation number (`hg`), incremented at every start.
//
// Pure rules only: the next value from the stored one (hbgenmethod file), the value from the start
// time (hbgenmethod time), and the on-disk text form (decimal, one line). Reading and writing the
// file is GenerationFile's job (master/core/generation_file.hpp).
//
// Time and blocking: from_time() takes the wall time as an argument; nothing blocks.
// Diagnostics: none; a bad stored value is an Error naming the text.
// See also: compat spec §6 (`hg`), §7.3 (restart detection), open point 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/clock.hpp"
#include "ipc/result.hpp"

namespace ha::master {

class Generation {
public:
    // stored + 1, or 1 when nothing was stored.
    static std::uint64_t next(std::optional<std::uint64_t> stored);
    // hbgenmethod time: seconds since the epoch of the start.
    static std::uint64_t from_time(ipc::WallTime start);
    // Decimal digits, optionally surrounded by blanks/LF. Error code "bad_generation".
    static Result<std::uint64_t> parse(std::string_view text);
    // The file contents for `value`: decimal and LF.
    static std::string format(std::uint64_t value);
};

}  // namespace ha::master
