// Membership and flow-control replies a Heartbeat 3.0.6 peer expects (compat spec §7, §7.3 and
// "Confirmed on a live node"), as pure functions.
//
// - `reqnodes` addressed to us → `repnodes` with the node list (each name followed by a blank) and an
//   empty `delnodelist` (one blank); field order as captured: dest, t, nodelist, delnodelist,
//   destuuid. Without it a 3.0.6 peer never leaves status `up`.
// - A peer message whose status carried `protocol` is acknowledged with `NS_ackmsg` (dest, ackseq
//   in hex, destuuid) when its seq modulo 10 equals our per-peer pick; without acks a 3.0.6 peer's
//   history fills up ("Message hist queue is filling up"). The ack means "everything up to ackseq
//   arrived" (Heartbeat then ignores requests to send those again): the caller sends none while
//   a lower seq is missing (RexmitRequests::missing_below).
// The caller stamps the default fields (NS_ types get no seq/ld) and sends them on every medium.
//
// Time and blocking: none.
// See also: tests/data/captured (repnodes and NS_ackmsg captured from a live 3.0.6 pair).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ipc/message.hpp"

namespace ha::master {

std::optional<ipc::Message> repnodes_for(const ipc::Message& request, const std::string& local_node,
                                         const std::vector<std::string>& nodes);

std::optional<ipc::Message> ack_for(const ipc::Message& message, const std::string& local_node, unsigned ack_pick);

}  // namespace ha::master
