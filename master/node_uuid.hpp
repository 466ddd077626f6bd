// load_or_create_uuid — the node's UUID (`srcuuid`), kept in `<state-dir>/hb_uuid` as 16 raw bytes
// like Heartbeat's file of the same name; created from /dev/urandom (RFC 4122 v4) on first start.
//
// Time and blocking: small file I/O at start only. Diagnostics: errors returned as Result.
#pragma once

#include <string>

#include "ipc/result.hpp"
#include "master/core/heartbeat_source.hpp"

namespace ha::master {

Result<NodeUuid> load_or_create_uuid(const std::string& path);

}  // namespace ha::master
