// export_pacemaker — translates a validated hamaster/Heartbeat configuration (ha.cf, haresources,
// authkeys) into what Corosync 3 + Pacemaker 2 need: corosync.conf, a CIB and corosync's authkey.
//
// Pure: a conf::Config and a few facts of the machine in, three texts and the notes out; never
// reads a file or the network (master/export_run.cpp does, for `hamaster export pacemaker`).
// The mapping (docs/migrating.md, "Moving on to Pacemaker", has the table):
// - corosync.conf: one knet link per ucast device / bcast / mcast line (knet is unicast: each
//   node's ringN_addr comes from the ucast lines, this machine's interface, or else the node's name
//   with a warning); totem token = deadtime, knet_ping_interval = keepalive, knet_ping_timeout =
//   deadtime; nodelist from the `node` lines (nodeid in ha.cf order); votequorum two_node +
//   wait_for_all for two nodes; crypto aes256/sha256 with an authkey derived from the active
//   md5/sha1 key (HKDF-SHA256), none for crc (warned).
// - CIB: one group per haresources line, its resources in order as primitives: IPaddr/IPaddr2 →
//   ocf:heartbeat:IPaddr2 (ip, cidr_netmask, nic, broadcast); ocf:P:T::name=value → ocf:P:T;
//   an init script → lsb:NAME; a Heartbeat resource.d wrapper of a known agent (Filesystem,
//   apache, ...) → its OCF agent with the positional arguments named as the wrapper names them;
//   another resource.d script → lsb:NAME with a warning. A location preference (100) for the
//   haresources node; resource-stickiness 0 (auto_failback on) or 200 (off); ping nodes → an
//   ocf:pacemaker:ping clone, and with ipfail a location rule per group on its `pingd` attribute;
//   stonith-enabled=false (warned), no-quorum-policy=stop (two_node keeps a survivor quorate),
//   dc-deadtime = initdead.
// What does not map (serial links, auto_failback legacy, respawn programs, crc, watchdog,
// ping_group semantics, drbddisk) becomes a warning naming the file and line it comes from.
//
// Time and blocking: none. Diagnostics: returned (`notes`), never logged.
// See also: master/export_run.hpp, master/xml_writer.hpp, docs/migrating.md.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/config.hpp"

namespace ha::master {

struct ExportEnvironment {
    // IPv4 address of each interface of this machine (first one per name), for this node's ring
    // address on a link whose ha.cf lines name only the peer. Empty when the export runs on a
    // machine that is not the node being exported.
    std::map<std::string, std::string> interface_addresses;
    // True when an LSB init script of that name exists (a resource.d script of the same name is
    // then mapped to it).
    std::function<bool(std::string_view)> has_init_script = [](std::string_view) { return false; };
    // The authkeys text, for the line numbers of its notes (AuthKeys keeps no lines).
    std::string authkeys_text;
};

struct PacemakerExport {
    std::string corosync_conf;
    std::string cib_xml;
    std::string authkey;                  // corosync's key file (binary); empty: crypto off
    std::vector<conf::Diagnostic> notes;  // warnings: not carried over; info: how it was mapped
};

PacemakerExport export_pacemaker(const conf::Config& config, const ExportEnvironment& environment);

}  // namespace ha::master
