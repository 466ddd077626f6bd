// run_config_test — `hamaster -t`: validate the whole configuration, print every diagnostic and,
// when it is valid, a one-screen summary.
//
// Diagnostics go to stderr as `FILE:LINE: error: ...` / `warning:` / `info:`; the summary goes to
// stdout. Returns the exit status: 0 valid (warnings allowed), 1 any error.
// Never touches the network, never runs a resource script; reads the three files, stat()s the
// resource agents and lists this host's IPv4 addresses (getifaddrs) to spot ucast lines to itself.
//
// See also: ipc/config/config.hpp, master/config_summary.hpp.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "master/options.hpp"

namespace ha::master {

int run_config_test(const Options& options);
// This host's IPv4 addresses as text (getifaddrs; no network traffic): spots ucast lines to itself.
std::vector<std::string> local_ipv4_addresses();
// The same with each address's interface name, in getifaddrs order (`hamaster export pacemaker`).
std::vector<std::pair<std::string, std::string>> interface_ipv4_addresses();
int run_config_test(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace ha::master
