// load_or_create_uuid — the node's UUID (`srcuuid`), kept in `<state-dir>/hb_uuid` as 16 raw bytes
// like Heartbeat's file of the same name; created from /dev/urandom (RFC 4122 v4) on first start.
//
// Beside Heartbeat 3.0.6 (a rolling upgrade, docs/migrating.md) the node keeps its identity both
// ways. A Heartbeat peer remembers each node's uuid and logs `node web2 changed its uuid to ...`
// when it changes, so:
// - a node that ran Heartbeat continues with Heartbeat's uuid (its /var/lib/heartbeat/hb_uuid,
//   which wins over ours: it is what the peer saw last whenever the two differ);
// - where Heartbeat's state directory exists but holds no uuid, ours is written there, so that a
//   return to Heartbeat (a downgrade) keeps the uuid the peer knows. The directory is never created.
//
// Time and blocking: small file I/O at start only.
// Diagnostics: info `Node uuid continues from Heartbeat's <path>` when Heartbeat's is taken over;
//   WARN `Ignoring Heartbeat's node uuid file: ...` (unreadable or not 16 bytes; left as it is),
//   WARN `Cannot write the node uuid to Heartbeat's ...` (not fatal). Our own file unreadable or
//   not 16 bytes is an error returned as Result (a silently new uuid would be another node).
// See also: master/core/generation_file.hpp (the generation, kept the same way), master_run.cpp.
#pragma once

#include <string>

#include "ipc/log.hpp"
#include "ipc/result.hpp"
#include "master/core/heartbeat_source.hpp"

namespace ha::master {

// `heartbeat_path`: Heartbeat's hb_uuid (empty: none, the node has no Heartbeat state).
Result<NodeUuid> load_or_create_uuid(const std::string& path, const std::string& heartbeat_path, ipc::Log& log);

}  // namespace ha::master
