// format_summary — the one-screen description of a valid configuration printed by `hamaster -t`.
//
// Shows this node, peers, links per medium, timings, auto_failback, ping nodes, respawned
// programs (Heartbeat's ipfail under any of its paths → ipfaild), resource groups with each agent
// resolved to a file or "built-in", and the authkeys index and method — never a secret.
//
// Time and blocking: none (pure). See also: master/config_test.hpp.
#pragma once

#include <string>

#include "ipc/config/config.hpp"

namespace ha::master {

std::string format_summary(const conf::Config& config);

}  // namespace ha::master
