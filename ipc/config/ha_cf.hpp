// HaCf — /etc/ha.d/ha.cf parsed into typed values, with Heartbeat 3.0.6's defaults and checks.
//
// parse_ha_cf() takes the file's text (not a path) so it is pure and fuzzable; config.cpp reads the
// file and adds the checks that need other files or the local node name. Every directive of
// compat spec §1.3 is understood; the table in ha_cf.cpp says, per directive, whether hamaster
// implements it, accepts and ignores it, or refuses it. Lexical rules are those of §1.1 plus `\`
// continuation lines (see lexer.hpp). Single-valued directives: the later value wins, as in
// Heartbeat. Node names are lower-cased when read (Heartbeat compares them with `uname -n`
// case-insensitively; so do we: config.cpp lower-cases the local name too).
//
// Media: `udpport` and `baud` apply to every bcast/ucast and serial medium whatever the order of
// lines (3.0.6 applied the value current when the medium's line was read; we warn when a
// udpport/baud line comes after a medium that uses it). Hostnames are never resolved here.
//
// Time and blocking: none (pure). Diagnostics: one per problem, with file:line; see ha_cf.cpp.
// See also: compat spec §1, ipc/config/config.hpp, ipc/config/duration.hpp.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/config/diagnostics.hpp"

namespace ha::conf {

using std::chrono::milliseconds;

enum class MediumKind { bcast, ucast, mcast, serial };
std::string_view medium_kind_name(MediumKind kind);

// One heartbeat medium (one link per peer). `device` is the link name Heartbeat prints
// (`Link web2:eth1 up.`): the interface for bcast/ucast/mcast, the tty path for serial.
struct Medium {
    MediumKind kind = MediumKind::bcast;
    std::string device;
    std::string peer;            // ucast: peer address or hostname, as written (never resolved)
    std::string group;           // mcast: IPv4 multicast group
    std::uint16_t port = 0;      // bcast/ucast: udpport; mcast: its own port; serial: 0
    int ttl = 0;                 // mcast only, 1–255
    bool loop = false;           // mcast only
    int baud = 0;                // serial only
    bool self = false;           // ucast aimed at this node (set by load_config when it can tell)
    int line = 0;
};

// A ping node (`ping host`: name == the host) or a ping group (`ping_group name host...`).
struct PingNode {
    std::string name;
    std::vector<std::string> hosts;
    bool group = false;
    int line = 0;
};

// `respawn user /path [args]`.
struct Respawn {
    std::string user;
    std::string path;
    std::vector<std::string> args;
    int line = 0;
    // True for Heartbeat's ipfail under any of its historical paths; hamaster runs its own ipfaild.
    bool is_ipfail() const;
};

// `apiauth client uid=a,b gid=c` — accepted for compatibility; hamaster's API clients are its own.
struct ApiAuth {
    std::string client;
    std::vector<std::string> uids;
    std::vector<std::string> gids;
    int line = 0;
};

struct EnvVar {
    std::string name;
    std::string value;
    int line = 0;
};

enum class AutoFailback { on, off, legacy };
enum class HbGenMethod { file, time };
enum class UuidFrom { file, nodename };
enum class MsgFmt { classic, netstring };

std::string_view auto_failback_name(AutoFailback value);

struct HaCf {
    // Members (lower-cased, in file order, duplicates dropped with a warning).
    std::vector<std::string> nodes;

    // Timing (§1.2/§1.4). warntime, initdead and deadping are derived when not given.
    milliseconds keepalive{1000};
    milliseconds deadtime{30000};
    milliseconds warntime{15000};
    milliseconds initdead{30000};
    milliseconds deadping{30000};

    std::uint16_t udpport = 694;
    int baud = 19200;
    std::vector<Medium> media;
    std::vector<PingNode> ping_nodes;

    AutoFailback auto_failback = AutoFailback::legacy;
    std::vector<Respawn> respawns;
    std::vector<ApiAuth> apiauth;
    std::vector<EnvVar> env;

    int debug = 0;                      // 0–255
    std::string debugfile;              // empty = none
    std::string logfile;                // empty = none
    std::string logfacility = "none";   // syslog facility name or "none"
    bool syslogmsgfmt = true;
    bool realtime = true;
    std::optional<int> rtprio;          // 1–99
    HbGenMethod hbgenmethod = HbGenMethod::file;
    UuidFrom uuidfrom = UuidFrom::file;
    MsgFmt msgfmt = MsgFmt::classic;
    milliseconds max_rexmit_delay{250};
    bool log_badpack = true;
    int hopfudge = 1;                   // 0–255
    bool coredumps = true;
    std::string coreroot;
    std::string watchdog;               // device path; empty = none
    std::string cluster = "linux-ha";
    // hamaster's own (not Heartbeat's): the metrics textfile for node_exporter's textfile collector
    // (master/metrics_textfile.hpp). Empty dir = none. A ha.cf with these lines no longer starts
    // Heartbeat 3.0.6 (Illegal directive).
    std::string metrics_textfile_dir;
    milliseconds metrics_interval{15000};

    // Accepted for compatibility, not used by hamaster (R1 traffic is never compressed, no logd).
    std::string compression = "zlib";
    int compression_threshold_kb = 2;
    bool traditional_compression = false;
    std::chrono::seconds conn_logd_time{60};
    int memreserve_kb = 6500;

    // Raw values for `cl_status hbparameter -p NAME`: the last value as written for directives
    // that appeared, Heartbeat's defaults for the others, derived ones in `Nms` form (warntime
    // default → `15000ms`). Repeated directives: `node` gives the names blank-separated; the
    // others (media, ping, respawn...) have no single value and give nullopt.
    std::optional<std::string> parameter(std::string_view name) const;
    // Line of the last occurrence of a directive, 0 if it never appeared.
    int line_of(std::string_view directive) const;
    bool given(std::string_view directive) const { return line_of(directive) != 0; }

    // Reload (`service hamaster reload`, master_run.cpp): take over from a validated `next` what
    // plan_reload applies live, values and their raw text together, so hbparameter answers what
    // is in force. Timings: keepalive, deadtime, warntime, initdead, deadping. Children: media,
    // udpport, baud, ping nodes, respawn and env lines, realtime, debug.
    void adopt_timings(const HaCf& next);
    void adopt_children(const HaCf& next);

private:
    friend HaCf parse_ha_cf(std::string_view file, std::string_view text, Diagnostics& diagnostics);

    std::map<std::string, std::string, std::less<>> raw_;    // directive → value as written (last)
    std::map<std::string, int, std::less<>> lines_;          // directive → line of last occurrence
};

// Parses and validates ha.cf text (compat spec §1.1–§1.4, except the local-node check, done by
// load_config). `file` is the name used in diagnostics. Never throws. The result is meaningful
// only when no error was reported.
HaCf parse_ha_cf(std::string_view file, std::string_view text, Diagnostics& diagnostics);

// The split-brain guard's pace (docs/split-brain.md, "Timing"): rscd's ARP probe interval never
// exceeds the keepalive (the peer's kernel answers ARP at least as fast as the peer beats), not
// below 10 ms: min(configured, max(keepalive, 10 ms)). The master starts probing while the peer
// is late, guard_lead() = 8 intervals before deadtime: twice the window of 3 probes, plus one.
inline std::chrono::milliseconds guard_probe_interval(std::chrono::milliseconds configured,
                                                      std::chrono::milliseconds keepalive) {
    return std::min(configured, std::max(keepalive, std::chrono::milliseconds(10)));
}
inline std::chrono::milliseconds guard_lead(std::chrono::milliseconds keepalive) {
    return 8 * guard_probe_interval(std::chrono::milliseconds(30), keepalive);  // rscd's default interval
}
// The window itself at rscd's defaults: 3 probes one interval apart, the verdict one interval
// after the last, i.e. 3 intervals from the first probe.
inline std::chrono::milliseconds guard_window(std::chrono::milliseconds keepalive) {
    return 3 * guard_probe_interval(std::chrono::milliseconds(30), keepalive);
}

// Boolean words of Heartbeat: true/on/yes/y/1, false/off/no/n/0 (case-insensitive).
std::optional<bool> parse_bool(std::string_view word);

// A node name: 1–64 bytes of letters, digits, '-', '_', '.'; not starting with '-' or '.'.
bool valid_node_name(std::string_view name);

}  // namespace ha::conf
