// Haresources — /etc/ha.d/haresources: resource groups, their preferred node, and where each
// resource's agent lives.
//
// parse_haresources() is pure (text in, groups out) so it can be fuzzed; resolve_resources() then
// looks each agent up on disk (stat only, never runs anything). Syntax (compat spec §2): comments,
// `\` continuation, runs of blanks, first word lower-cased; `node res1 res2::arg1::arg2`; a word
// shaped like d.d.d.d[/mask[/iface[/bcast]]] is IPaddr shorthand. The group key is its first
// resource (as written after shorthand expansion, e.g. `IPaddr::192.0.2.100/24/eth0`).
//
// Agents: `IPaddr` and `IPaddr2` are built into hamaster (rscd does them in-process) and need no
// file. `ocf:PROVIDER:TYPE` is an OCF agent at <ocf_root>/resource.d/PROVIDER/TYPE. Any other name is
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

namespace ha::conf {

enum class AgentKind {
    builtin,    // IPaddr, IPaddr2: done by rscd itself
    heartbeat,  // <config>/resource.d/NAME: called as `path arg1 arg2 … start|stop|status`
    lsb,        // <init_dir>/NAME: called as `path start|stop|status`
    ocf,        // <ocf_root>/resource.d/PROVIDER/TYPE
};
std::string_view agent_kind_name(AgentKind kind);

// The argument of IPaddr/IPaddr2: address[/prefix[/iface[/broadcast]]].
struct IpAddrSpec {
    std::string address;            // dotted IPv4
    std::optional<int> prefix;      // 0–32 (a dotted netmask is converted)
    std::string iface;              // empty = chosen by the route to the address
    std::string broadcast;          // empty = derived
};

struct Resource {
    std::string word;               // as in the file after shorthand expansion: "IPaddr::192.0.2.100/24/eth0"
    std::string agent;              // "IPaddr", "nginx", "ocf:heartbeat:IPaddr2"
    std::vector<std::string> args;  // the ::-separated arguments
    AgentKind kind = AgentKind::heartbeat;
    std::string path;               // resolved agent file; empty for built-in (and before resolve)
    std::optional<IpAddrSpec> ip;   // for IPaddr/IPaddr2
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

// Parses an IPaddr argument; nullopt when malformed.
std::optional<IpAddrSpec> parse_ipaddr_spec(std::string_view text);

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
