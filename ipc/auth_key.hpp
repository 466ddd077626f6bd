// AuthKeys — the keys of /etc/ha.d/authkeys, as parsed (ipc/config) and used (ipc/auth).
//
// Index 0–15 per key; `active` is the `auth N` index used for everything we send. Heartbeat 3.0.6
// verifies an incoming message with whatever listed index it names (compat spec §3); we do not:
// a message verifies only with the active key or the one rollover key (verify_key), so a weak or
// forgotten line (typically `1 crc` left above `auth 3` / `3 sha1 ...`) cannot be used to forge
// messages. The rollover key is the one other listed key, when there is exactly one, and never a
// crc key beside a keyed (md5/sha1) active one: crc is a checksum, not a signature. That allows
// the usual rollover (add the new line on both nodes, switch `auth` on one node, then the other,
// then remove the old line) while a file listing several spare keys verifies with the active one
// only (`hamaster -t` warns about such files; see docs/security.md).
//
// Time and blocking: none.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace ha::ipc {

enum class AuthMethod { crc, md5, sha1 };

std::string_view method_name(AuthMethod method);

struct AuthKey {
    AuthMethod method = AuthMethod::crc;
    std::string secret;  // the word as written, no NUL; empty for crc
};

struct AuthKeys {
    static constexpr int kMaxIndex = 15;
    int active = -1;  // the `auth N` line
    std::array<std::optional<AuthKey>, kMaxIndex + 1> keys;

    const AuthKey* key(int index) const {
        if (index < 0 || index > kMaxIndex || !keys[static_cast<std::size_t>(index)]) return nullptr;
        return &*keys[static_cast<std::size_t>(index)];
    }
    const AuthKey* active_key() const { return key(active); }

    // The one rollover key index besides the active one, or -1 (none, or more than one candidate).
    int rollover() const {
        const AuthKey* act = active_key();
        if (act == nullptr) return -1;
        int found = -1;
        for (int i = 0; i <= kMaxIndex; ++i) {
            const AuthKey* k = key(i);
            if (i == active || k == nullptr) continue;
            if (k->method == AuthMethod::crc && act->method != AuthMethod::crc) continue;
            if (found >= 0) return -1;
            found = i;
        }
        return found;
    }
    // The key that may verify an incoming message signed with `index`: the active or the rollover
    // key; nullptr for any other index, listed or not.
    const AuthKey* verify_key(int index) const {
        if (index < 0 || (index != active && index != rollover())) return nullptr;
        return key(index);
    }
};

}  // namespace ha::ipc
