// Authkeys — /etc/ha.d/authkeys parsed into ha::ipc::AuthKeys (compat spec §3).
//
// Lines: `auth N` (the key we sign with) and `N method [secret]` with N in 0–15, method crc (no
// secret), md5 or sha1 (exactly one secret word). Only whole-line `#` comments exist here: a `#`
// inside a secret is part of the secret, as in Heartbeat. As in Heartbeat, `auth N` must come
// before the line that defines key N, else `Auth Key [N] not found`. A key index defined twice:
// the later line wins, with a warning. A listed key that can never verify a message (a crc key
// beside an md5/sha1 active one, or every spare key when more than one is listed: see
// ipc/auth_key.hpp, verify_key) is a warning naming its line.
//
// parse_authkeys() is pure (text in) so it can be fuzzed; check_authkeys_permissions() is the
// separate file check on the opened file (group/other read or write bits, foreign owner → error). Secrets never appear in diagnostics.
//
// Time and blocking: parse — none; permission check — none (it is given the fstat of the open file).
// See also: ipc/auth_key.hpp, ipc/auth.hpp, compat spec §3.
#pragma once

#include <sys/stat.h>

#include <string_view>

#include "ipc/auth_key.hpp"
#include "ipc/config/diagnostics.hpp"

namespace ha::conf {

ipc::AuthKeys parse_authkeys(std::string_view file, std::string_view text, Diagnostics& diagnostics);

// Checks the authkeys file as opened (`opened` is the fstat of the descriptor that was read):
// `Bad permissions on keyfile [PATH], 600 recommended.` when it is group- or other-readable or
// -writable, and an error when its owner is neither root nor the user running us (a non-root owner
// could rewrite the cluster key; in production we run as root, so that means "owned by root").
void check_authkeys_permissions(const std::string& path, const struct ::stat& opened, Diagnostics& diagnostics);

}  // namespace ha::conf
