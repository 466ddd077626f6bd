// Crc32 — Heartbeat's `crc` auth digest: CRC-32 poly 0x04C11DB7, MSB-first, init 0, final ~.
//
// This is CRC-32/CKSUM without the length suffix (check value 0x765e7680 for "123456789"). It
// authenticates nothing against an attacker; it only exists so `auth 1 crc` clusters interoperate.
//
// Time and blocking: none. Diagnostics: none.
// See also: ipc/auth.hpp, compat spec §5.3 and "Confirmed on a live node".
#pragma once

#include <cstdint>
#include <string_view>

namespace ha::ipc {

std::uint32_t crc32_heartbeat(std::string_view data);

}  // namespace ha::ipc
