// drop_privileges — become the `respawn` user (e.g. hacluster) once the ICMP socket is open.
//
// Only when we are root: initgroups, setgid, setuid (all of them, every thread: glibc applies
// set*id process-wide, so zmq's threads follow), which also clears every capability. A credential
// change clears PR_SET_PDEATHSIG, so the caller sets it again (ipc::child_setup). A user that does
// not exist is an error (exit 77), never "stay root" (issue 20); no user at all (started by hand)
// keeps uid 0 with no capability left (ipc::drop_capabilities). A failing set*id call is an error.
//
// Time and blocking: getpwnam may read /etc/passwd or ask NSS; call it at start-up only.
// Diagnostics: info `Dropped privileges to USER (uid U, gid G).`; debug when not root.
// See also: docs/processes.md (`respawn` mapping), pinger.hpp.
#pragma once

#include <string>

#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::ipfail {

// Ok(true) when privileges were dropped, Ok(false) when there was nothing to do.
Result<bool> drop_privileges(const std::string& user, ipc::Log& log);

}  // namespace ha::ipfail
