// NetOptions — heartbeatd-net's own command-line flags, added to ipc::DaemonOptionParser (which
// handles the common --node --config --run-dir --log-dir --state-dir -f -v --parent-pid).
//
//   --udpport N                     destination/listen port of ucast and bcast (default 694)
//   --ucast DEV:PEER[:PORT]         one unicast link per flag (ha.cf `ucast dev peer`); PEER is an
//                                   IPv4 address (a host name is resolved once, at start); PORT
//                                   overrides --udpport for this link (ha.cf reads udpport per line)
//   --bcast DEV[:PORT]              one broadcast link per flag (ha.cf `bcast dev`)
//   --mcast DEV:GROUP:PORT:TTL:LOOP one multicast link per flag (ha.cf `mcast dev group port ttl loop`)
//   --bind ADDR                     local IPv4 address for ucast sockets (default any); lets two
//                                   nodes share one host on 127.0.0.2 / 127.0.0.3
//   --nodes web1,web2               the configured nodes (ha.cf `node` lines)
//   --bus-fd N                      the bus is the media lane on fd N (the master passes 3; an
//                                   open SOCK_SEQPACKET socket, else exit 78); without it the zmq
//                                   bus in --run-dir
//   --stdio-bus                     test aid: no bus; bus messages are read from stdin and
//                                   written to stdout, each in classic form (`>>>` ... `<<<`)
// The link name is DEV, as in Heartbeat (`Link web2:eth0 dead.`). Keys are never on the command
// line: heartbeatd-net reads <config>/authkeys itself.
//
// Time and blocking: none (host names are resolved by the caller, before the loop starts).
// Diagnostics: a bad flag is an Error (code "usage", or "config" for a --bus-fd that is not a
// lane) naming the flag and the value (exit 78).
// master/child_specs.cpp builds this command line from ha.cf.
// See also: udp_link.hpp, compat spec §1.3.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/daemon.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/result.hpp"

namespace ha::net {

enum class MediumKind { ucast, bcast, mcast };

struct MediumSpec {
    MediumKind kind = MediumKind::ucast;
    std::string dev;    // interface; also the link name
    std::string peer;   // ucast: peer address or host name
    std::string group;  // mcast: IPv4 group
    std::uint16_t port = 0;  // mcast: its own port; ucast/bcast: 0 = --udpport
    int ttl = 1;             // mcast: 1–255
    bool loop = false;       // mcast: IP_MULTICAST_LOOP
};

struct NetOptions {
    std::uint16_t udpport = 694;
    std::vector<MediumSpec> media;
    std::string bind_address;  // empty: INADDR_ANY
    std::vector<std::string> nodes;
    media::BusChoice bus;  // --bus-fd / --stdio-bus
};

// Declares the flags above on `parser`.
void add_net_options(ipc::DaemonOptionParser& parser);
// Reads them back after parser.parse(); at least one medium and --nodes are required, and link
// names (DEV) must be unique.
Result<NetOptions> net_options_from(const ipc::DaemonOptionParser& parser);

std::string_view medium_kind_name(MediumKind kind);

}  // namespace ha::net
