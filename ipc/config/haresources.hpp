// Haresources — /etc/ha.d/haresources: resource groups, their preferred node, and where each
// resource's agent lives.
//
// parse_haresources() is pure (text in, groups out) so it can be fuzzed; resolve_resources() then
// looks each agent up on disk (stat only, never runs anything). Syntax (compat spec §2): comments,
// `\` continuation, runs of blanks, first word lower-cased; `node res1 res2::arg1::arg2`; a word
// shaped like d.d.d.d[/mask[/iface[/bcast]]] is IPaddr shorthand. The group key is its first
// resource (as written after shorthand expansion, e.g. `IPaddr::192.0.2.100/24/eth0`).
//
// Agents: `IPaddr`, `IPaddr2` and `IPv6addr` are built into hamaster (rscd does them in-process)
// and need no file. IPaddr takes an IPv4 address, IPv6addr an IPv6 one
// (`IPv6addr::2001:db8::100/64/eth0`: ADDRESS[/PREFIX[/IFACE]], Heartbeat's IPv6addr syntax), and
// IPaddr2 either (as the resource-agents IPaddr2 does: an address with a ':' is IPv6). The
// argument of a built-in whose address has a ':' is the whole rest of the word after the agent's
// `::`: Heartbeat 3.0.6 split it on every `::`, which broke compressed IPv6 addresses there. `ocf:PROVIDER:TYPE` is an OCF agent at <ocf_root>/resource.d/PROVIDER/TYPE. Any other name is
// looked up as <config>/resource.d/NAME (gets the ::args), then <init_dir>/NAME (an LSB init script,
// action only). The file must be a regular executable file.
//
// Time and blocking: parse — none; resolve — stat() calls on local files.
// Diagnostics: errors with file:line, e.g. `haresources:3: error: Cannot locate resource script X`.
// See also: compat spec §2, ipc/config/config.hpp, rscd/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/diagnostics.hpp"
#include "ipc/result.hpp"

namespace ha::conf {

enum class AgentKind {
    builtin,    // IPaddr, IPaddr2, IPv6addr: done by rscd itself
    heartbeat,  // <config>/resource.d/NAME: called as `path arg1 arg2 … start|stop|status`
    lsb,        // <init_dir>/NAME: called as `path start|stop|status`
    ocf,        // <ocf_root>/resource.d/PROVIDER/TYPE
};
std::string_view agent_kind_name(AgentKind kind);

// The argument of IPaddr/IPaddr2/IPv6addr: IPv4 address[/prefix[/iface[/broadcast]]] or IPv6
// address[/prefix[/iface]].
struct IpAddrSpec {
    std::string address;            // dotted IPv4, or IPv6 as written
    bool ipv6 = false;
    std::optional<int> prefix;      // 0–32 (a dotted netmask is converted); IPv6: 0–128
    std::string iface;              // empty = the interface whose subnet holds the address
    std::string broadcast;          // empty = derived; never for IPv6
};

struct Resource {
    std::string word;               // as in the file after shorthand expansion: "IPaddr::192.0.2.100/24/eth0"
    std::string agent;              // "IPaddr", "nginx", "ocf:heartbeat:IPaddr2"
    std::vector<std::string> args;  // the ::-separated arguments
    AgentKind kind = AgentKind::heartbeat;
    std::string path;               // resolved agent file; empty for built-in (and before resolve)
    std::optional<IpAddrSpec> ip;   // for IPaddr/IPaddr2/IPv6addr
};

struct ResourceGroup {
    std::string node;               // preferred owner, lower-cased
    std::vector<Resource> resources;
    int line = 0;
    std::string text;               // the normalized line (node + words), for log lines
    const std::string& key() const { return resources.front().word; }  // never empty
};

struct Haresources {
    std::vector<ResourceGroup> groups;
};

// Parses haresources text. A line with an error is left out (and reported). Never throws.
Haresources parse_haresources(std::string_view file, std::string_view text, Diagnostics& diagnostics);

// Parses an IPaddr argument (IPv4); nullopt when malformed.
std::optional<IpAddrSpec> parse_ipaddr_spec(std::string_view text);
// Parses an IPv6addr argument, ADDRESS[/PREFIX[/IFACE]]; the error says what is wrong (a bad
// address; the unspecified, loopback, multicast or IPv4-mapped address; a prefix above 128; a
// broadcast; a link-local address without its interface).
Result<IpAddrSpec> parse_ipv6_spec(std::string_view text);
// Parses the argument of built-in `agent` (IPaddr: IPv4; IPv6addr: IPv6; IPaddr2: either); the
// error is a sentence naming the agent.
Result<IpAddrSpec> parse_builtin_ip_spec(std::string_view agent, std::string_view text);

struct ResolveOptions {
    std::string resource_dir;            // <config>/resource.d
    std::string init_dir = "/etc/init.d";
    std::string ocf_root = "/usr/lib/ocf";
};

// Finds each agent's file (see the header comment). Missing or non-executable →
// `Cannot locate resource script X`.
void resolve_resources(Haresources& haresources, std::string_view file, const ResolveOptions& options,
                       Diagnostics& diagnostics);

}  // namespace ha::conf
