// net_setup — heartbeatd-net's start-up steps that may block or fail, done once before the loop runs.
//
// load_authkeys(): reads <config>/authkeys with the ha::conf loader (permission check included),
// so keys never appear on the command line. resolve_peers(): turns a ucast peer host name into a
// dotted quad (getaddrinfo, IPv4 only) — the only place a name is resolved, never on the loop.
// open_links(): one UdpLink per medium. reload_authkeys(): the SIGHUP hook (Heartbeat re-reads
// authkeys while running); a bad file keeps the old keys and logs ERROR.
//
// Time and blocking: may block (file read, DNS) — call before io_context::run().
// Diagnostics: errors are returned with code `config` (exit 78), `perm` (exit 77) or `os` (exit 1);
// config diagnostics are rendered `FILE:LINE: error: TEXT`, joined by "; ".
// See also: net_options.hpp, ipc/config/authkeys.hpp, shared/style.md §3 (exit codes).
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "heartbeatd-net/media_bridge.hpp"
#include "heartbeatd-net/net_options.hpp"
#include "heartbeatd-net/udp_link.hpp"
#include "ipc/auth_key.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::net {

Result<ipc::AuthKeys> load_authkeys(const std::string& config_dir, ipc::Log& log);
Result<void> resolve_peers(NetOptions& options);
Result<std::vector<std::unique_ptr<UdpLink>>> open_links(boost::asio::io_context& io, const NetOptions& options, ipc::Log& log);

void reload_authkeys(const std::string& config_dir, MediaBridge& bridge, ipc::Log& log);

// The exit code for a start-up error: 78 (EX_CONFIG: codes "config", "usage"), 77 (EX_NOPERM:
// "perm") or 1.
int exit_code_for(const Error& error);

}  // namespace ha::net
