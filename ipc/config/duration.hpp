// Heartbeat time values (compat spec §1.2) → std::chrono::milliseconds.
//
// Accepted: optional blanks, a decimal number with an optional fraction, optional blanks, an
// optional unit: none = seconds, `ms`, `us` (unit case-insensitive). `2s`, `1m` and every other unit
// are rejected, like Heartbeat does. The result is rounded to the nearest millisecond.
// Values above kMaxDuration are rejected (no timer of an HA cluster needs more than a day).
//
// Time and blocking: none (pure). Diagnostics: the error message says what was wrong.
// See also: ipc/config/ha_cf.hpp, compat spec §1.2 and §10.1 (hbparameter shows `Nms`).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "ipc/result.hpp"

namespace ha::conf {

inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24);

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The form Heartbeat writes derived values back in: `15000ms`.
std::string format_ms(std::chrono::milliseconds value);

}  // namespace ha::conf
