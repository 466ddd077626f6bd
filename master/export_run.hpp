// run_export — `hamaster export pacemaker [--config DIR] [--output DIR]`: the shell around
// export_pacemaker (master/pacemaker_export.hpp).
//
// Loads the configuration as `hamaster -t` does (every error printed as FILE:LINE, exit 1, nothing
// written). The node it loads as: --node / `uname -n` when that is a node of ha.cf (then this
// machine's interface addresses fill in its own ring addresses), else the first `node` of ha.cf (an
// admin machine; said in one info line). `--init-dir` and `--ocf-root` say where the agents of
// haresources are, as on the nodes. Writes corosync.conf (0644), cib.xml (0644) and, when authkeys
// has an md5/sha1 key, authkey (0400) into --output (default: the current directory; created 0700
// when missing), each atomically. Every note goes to stderr as `FILE:LINE: warning|info: TEXT`;
// stdout lists the files written and the next steps. Exit 0 written (warnings allowed), 1 config
// error or a file could not be written.
//
// Time and blocking: reads the config files, stat()s agents, getifaddrs; no network traffic.
// See also: master/pacemaker_export.hpp, docs/migrating.md, docs/man/hamaster.8.
#pragma once

#include <iosfwd>

#include "master/options.hpp"

namespace ha::master {

int run_export(const Options& options);
int run_export(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace ha::master
