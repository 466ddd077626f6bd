// Helpers for heartbeatd-serial tests: keys and signed classic frames as they cross the cable.
#pragma once

#include <string>

#include "ipc/auth.hpp"
#include "ipc/message.hpp"

namespace ha::serial::testing {

inline ipc::AuthKeys md5_keys(int index = 1, const std::string& secret = "web-secret") {
    ipc::AuthKeys k;
    k.active = index;
    k.keys[static_cast<std::size_t>(index)] = ipc::AuthKey{ipc::AuthMethod::md5, secret};
    return k;
}

inline ipc::Message status_message(const std::string& src, const std::string& seq, const std::string& hg = "5") {
    ipc::Message m;
    m.add("t", "status").add("st", "active").add("dt", "1f4").add("protocol", "1").add("src", src);
    m.add("seq", seq).add("hg", hg).add("ts", "692a1c00").add("ld", "0.08 0.03 0.01 1/187 2301").add("ttl", "3");
    return m;
}

// A signed classic frame, `>>>` LF ... `<<<` LF, as the cable carries it.
inline std::string status_frame(const std::string& src, const std::string& seq, const ipc::AuthKeys& keys,
                                const std::string& hg = "5") {
    ipc::Message m = status_message(src, seq, hg);
    return ipc::sign_classic(m, keys);
}

}  // namespace ha::serial::testing
