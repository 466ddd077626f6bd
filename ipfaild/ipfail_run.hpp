// run_ipfaild — assembles ipfaild's shell: config, ICMP socket, privilege drop, bus, timers.
//
// Order matters: load ha.cf (ping nodes, deadping, keepalive, auto_failback, the peer), open the
// ICMP socket (needs root or ping_group_range), connect the bus as `ipfaild`, and drop to the
// `respawn` user only once the first message from the master proved the bus connected (the run
// dir is root's 0700, so a later connect as hacluster would fail), or after kDropDeadline at the
// latest; then set PR_SET_PDEATHSIG again (a credential change clears it). The pinger starts only
// after that drop, so no reply from the network is read with privileges; an unknown user exits 77.
//
// Time and blocking: start-up may block (config files, getaddrinfo of hostnames, getpwnam); the
// loop never does. Exit codes: 0 clean stop, 78 bad config, 77 no ICMP socket or set*id failed.
// Diagnostics: info `ipfaild started on node N: K ping nodes, peer P, deadping D ms`; WARN when
// ha.cf names no ping node or no peer.
// See also: main.cpp, ipfail_service.hpp, pinger.hpp, privileges.hpp, README.md.
#pragma once

#include <chrono>
#include <string>

#include "ipc/daemon.hpp"
#include "ipc/log.hpp"

namespace ha::ipfail {

inline constexpr std::chrono::seconds kDropDeadline{5};

// `user`: --user, or empty to take the user of ha.cf's ipfail `respawn` line.
int run_ipfaild(const ipc::DaemonOptions& opts, std::string user, ipc::Log& log);

}  // namespace ha::ipfail
