// AuthKeys — the keys of /etc/ha.d/authkeys, as parsed (ipc/config) and used (ipc/auth).
//
// Index 0–15 per key; `active` is the `auth N` index used for everything we send. Incoming
// messages may use any defined index (compat spec §3).
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
};

}  // namespace ha::ipc
