// check_script_security — may this resource agent be run as root? (issue 20, keepalived's rule)
//
// rscd runs every haresources agent as root. A script, or any directory above it, that someone
// other than root can modify is a root shell for that someone. The rule, for the path as given
// and for the path it resolves to (symlinks followed): the file must be a regular file owned by
// root (or by the user running us, for tests run by hand) and writable by neither group nor
// others; every directory from it up to `/` must be owned by root (or us) and writable by neither
// group nor others — except a sticky directory (/tmp), where nobody can rename or replace
// another user's entry.
//
// Used by `hamaster -t` / config loading (an error naming haresources:line) and by rscd right
// before each exec (the file may have changed since; ERROR log, the action fails).
// Time and blocking: a few stat() calls; call it off the hot path only.
// See also: ipc/config/haresources.cpp (resolve_resources), rscd/process_launcher.cpp,
// keepalived's check_script_secure, docs/security.md.
#pragma once

#include <string>

#include "ipc/result.hpp"

namespace ha::conf {

// Ok, or error "unsafe_script" whose message says which path is wrong and why
// ("/etc/ha.d/resource.d is writable by group/others (mode 0775)"), or "missing" when the script
// does not exist (nothing to run, nothing unsafe: the caller reports it its own way).
Result<void> check_script_security(const std::string& path);

}  // namespace ha::conf
