// SerialOptions — heartbeatd-serial's own command-line flags (the common ones are ipc/daemon.hpp's).
//
//   --serial DEV        one serial link per flag (ha.cf `serial DEV`; a pty path works)
//   --baud N            ha.cf `baud`: 9600 19200 38400 57600 115200 230400 460800 (default 19200)
//   --nodes web1,web2   the configured nodes (ha.cf `node` lines)
//   --bus-fd N          the bus is the media lane on fd N (the master passes 3; an open
//                       SOCK_SEQPACKET socket, else exit 78); without it the zmq bus in --run-dir
//   --stdio-bus         test aid: no bus; bus messages are read from stdin and written to
//                       stdout, each in classic form (`>>>` ... `<<<`); EOF on stdin stops it
// The link name is the device path, as in Heartbeat (`Link web2:/dev/ttyS0 up.`). Keys are never
// on the command line: heartbeatd-serial reads <config>/authkeys itself.
//
// Time and blocking: none. Diagnostics: a bad flag is an Error naming it (the daemon exits 78).
// See also: compat spec §1.3, serial_port.hpp.
#pragma once

#include <string>
#include <vector>

#include "ipc/daemon.hpp"
#include "ipc/media/bus_port.hpp"
#include "ipc/result.hpp"

namespace ha::serial {

inline constexpr const char* kProgram = "heartbeatd-serial";

struct SerialOptions {
    std::vector<std::string> devices;
    int baud = 19200;
    std::vector<std::string> nodes;
    media::BusChoice bus;  // --bus-fd / --stdio-bus
};

void add_serial_options(ipc::DaemonOptionParser& parser);
// Reads them back after parser.parse(); error code "usage" naming the flag.
Result<SerialOptions> serial_options_from(const ipc::DaemonOptionParser& parser);

}  // namespace ha::serial
