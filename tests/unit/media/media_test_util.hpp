// Helpers shared by the media unit tests (media, net): keys and signed messages.
#pragma once

#include <string>

#include "ipc/auth.hpp"
#include "ipc/auth_key.hpp"
#include "ipc/message.hpp"

namespace ha::media::testing {

inline ipc::AuthKeys md5_keys(int index = 1, std::string secret = "web-secret") {
    ipc::AuthKeys keys;
    keys.active = index;
    keys.keys[static_cast<std::size_t>(index)] = ipc::AuthKey{ipc::AuthMethod::md5, std::move(secret)};
    return keys;
}

// A Heartbeat-shaped message with the default fields in Heartbeat's order.
inline ipc::Message cluster_message(std::string_view type, std::string_view src, std::string_view seq_hex,
                                    std::string_view hg_hex = "5") {
    ipc::Message m;
    m.add("t", type);
    if (type == "status") {
        m.add("st", "active");
        m.add("dt", "7530");
        m.add("protocol", "1");
    }
    if (!src.empty()) m.add("src", src);
    if (!seq_hex.empty()) m.add("seq", seq_hex);
    if (!hg_hex.empty()) m.add("hg", hg_hex);
    m.add("ts", "692a1c00");
    m.add("ttl", "3");
    return m;
}

inline std::string signed_wire(ipc::Message m, const ipc::AuthKeys& keys) { return ipc::sign_netstring(m, keys); }

inline std::string status_wire(std::string_view src, std::string_view seq_hex, std::string_view hg_hex,
                               const ipc::AuthKeys& keys) {
    return signed_wire(cluster_message("status", src, seq_hex, hg_hex), keys);
}

}  // namespace ha::media::testing
