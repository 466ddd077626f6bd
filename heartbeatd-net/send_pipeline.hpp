// SendPipeline — the outbound core of heartbeatd-net: a message from the master → signed wire bytes.
//
// The master originates every cluster message with all its fields (`src`, `seq`, `hg`, `ts`, `ttl`
// ...); this class only routes and signs. Bus contract (master → heartbeatd-net):
//   - any message whose `t` does not start with `_` is a cluster message to send;
//   - optional `_link=<name>`: send on that link only (default: every link, as Heartbeat does);
//   - every `_`-prefixed field is removed before signing, so bus-only fields never reach the wire.
// The result is the netstring form with the inner `auth` field and the trailing auth netstring,
// signed with the active authkeys index (ipc::sign_netstring), byte-compatible with Heartbeat 3.0.6.
//
// Time and blocking: none. Diagnostics: errors are returned (code `too_big`, `no_type`,
// `unknown_link`, `no_key`); the shell logs them at ERROR (a bad message from our own master is a
// bug) and counts tx_errors.
// See also: ipc/media/receive_pipeline.hpp, ipc/auth.hpp, media_bridge.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ipc/auth_key.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::net {

// The largest UDP payload over IPv4 (65535 − 8 − 20).
inline constexpr std::size_t kMaxUdpPayload = 65507;

struct Outgoing {
    std::string wire;
    std::string link;  // empty: every link
};

class SendPipeline {
public:
    SendPipeline(ipc::AuthKeys keys, std::vector<std::string> links);

    // Consumes a bus message; on success the signed datagram and where it goes.
    Result<Outgoing> prepare(ipc::Message message) const;

    void set_keys(ipc::AuthKeys keys) { keys_ = std::move(keys); }

private:
    ipc::AuthKeys keys_;
    std::vector<std::string> links_;
};

}  // namespace ha::net
