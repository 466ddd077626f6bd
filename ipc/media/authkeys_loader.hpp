// authkeys for the media daemons: read once before the loop runs, and again on SIGHUP.
//
// load_authkeys(): reads <config>/authkeys with the ha::conf loader (permission check included),
// so keys never appear on the command line. reload_authkeys(): the SIGHUP hook (Heartbeat re-reads
// authkeys while running); a bad file keeps the old keys.
//
// Time and blocking: reads a file — call before io_context::run() or from a SIGHUP handler (a
// small local file, as the master's own reload reads).
// Diagnostics: load_authkeys returns code `config` (exit 78 via ipc::exit_code_for), with every
// error diagnostic rendered `FILE:LINE: error: TEXT`, joined by "; "; warnings are logged as WARN.
// reload_authkeys logs ERROR `authkeys not re-read, keeping the old keys: ...` or info
// `authkeys re-read: signing with key N`.
// See also: ipc/config/authkeys.hpp, heartbeatd-net/main.cpp, heartbeatd-serial/main.cpp.
#pragma once

#include <functional>
#include <string>

#include "ipc/auth_key.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::media {

Result<ipc::AuthKeys> load_authkeys(const std::string& config_dir, ipc::Log& log);

// Re-reads <config_dir>/authkeys and hands good keys to `apply` (the daemon's bridge).
void reload_authkeys(const std::string& config_dir, const std::function<void(const ipc::AuthKeys&)>& apply, ipc::Log& log);

}  // namespace ha::media
