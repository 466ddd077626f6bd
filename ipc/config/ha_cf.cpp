// HaCf — see ha_cf.hpp.
//
// What hamaster does with each directive of compat spec §1.3:
//
// | directive                               | hamaster                                               |
// |-----------------------------------------|--------------------------------------------------------|
// | node, keepalive, deadtime, warntime,    | implemented                                            |
// | initdead, deadping, udpport, baud,      |                                                        |
// | serial, bcast, mcast, ucast, ping,      |                                                        |
// | ping_group, auto_failback, respawn,     |                                                        |
// | debug, debugfile, logfile, logfacility, |                                                        |
// | syslogmsgfmt, realtime, rtprio,         |                                                        |
// | hbgenmethod, uuidfrom, msgfmt,          |                                                        |
// | max_rexmit_delay, log_badpack,          |                                                        |
// | hopfudge, coredumps, coreroot,          |                                                        |
// | watchdog, cluster, env                  |                                                        |
// | nice_failback                           | implemented, warning: obsolete (use auto_failback)     |
// | apiauth, conn_logd_time, memreserve     | parsed and checked, not used (own API clients, no logd)|
// | compression, compression_threshold,     | parsed, info "ignored": R1 traffic is never compressed |
// | traditional_compression                 |                                                        |
// | crm, pacemaker                          | only off/false/no: anything else is an ERROR (no CRM)  |
// | autojoin                                | only none: other/any is an ERROR (conflicts with R1)   |
// | use_logd                                | only false: true is an ERROR (hamaster logs itself)    |
// | stonith, stonith_host, failfast         | ERROR: not implemented by hamaster                     |
// | anything else                           | ERROR `Illegal directive [x]`                          |
#include "ipc/config/ha_cf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <charconv>

#include "ipc/config/duration.hpp"
#include "ipc/config/lexer.hpp"

namespace ha::conf {

std::string_view medium_kind_name(MediumKind kind) {
    switch (kind) {
        case MediumKind::bcast: return "bcast";
        case MediumKind::ucast: return "ucast";
        case MediumKind::mcast: return "mcast";
        case MediumKind::serial: return "serial";
    }
    return "?";
}

std::string_view auto_failback_name(AutoFailback value) {
    switch (value) {
        case AutoFailback::on: return "on";
        case AutoFailback::off: return "off";
        case AutoFailback::legacy: return "legacy";
    }
    return "?";
}

bool Respawn::is_ipfail() const {
    return path == "/usr/lib/heartbeat/ipfail" || path == "/usr/lib64/heartbeat/ipfail" ||
           path == "/usr/libexec/heartbeat/ipfail";
}

std::optional<bool> parse_bool(std::string_view word) {
    const std::string w = to_lower(word);
    if (w == "true" || w == "on" || w == "yes" || w == "y" || w == "1") return true;
    if (w == "false" || w == "off" || w == "no" || w == "n" || w == "0") return false;
    return std::nullopt;
}

bool valid_node_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name.front() == '-' || name.front() == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

std::optional<std::string> HaCf::parameter(std::string_view name) const {
    if (name == "node") {
        if (nodes.empty()) return std::nullopt;
        std::string out;
        for (const auto& n : nodes) out += (out.empty() ? "" : " ") + n;
        return out;
    }
    if (auto it = raw_.find(name); it != raw_.end()) return it->second;
    // Derived where not written (§1.2), in the `Nms` form.
    if (name == "warntime") return format_ms(warntime);
    if (name == "initdead") return format_ms(initdead);
    if (name == "deadping") return format_ms(deadping);
    // Heartbeat's defaults where nothing was written.
    static constexpr std::pair<std::string_view, std::string_view> kDefaults[] = {
        {"keepalive", "1000ms"}, {"deadtime", "30000ms"}, {"udpport", "694"}, {"baud", "19200"},
        {"auto_failback", "legacy"}, {"crm", "off"}, {"pacemaker", "false"}, {"autojoin", "none"},
        {"debug", "0"}, {"logfacility", "none"}, {"use_logd", "false"}, {"conn_logd_time", "60"},
        {"syslogmsgfmt", "true"}, {"realtime", "true"}, {"hbgenmethod", "file"}, {"uuidfrom", "file"},
        {"msgfmt", "classic"}, {"compression", "zlib"}, {"compression_threshold", "2"},
        {"traditional_compression", "false"}, {"max_rexmit_delay", "250"}, {"log_badpack", "true"},
        {"hopfudge", "1"}, {"coredumps", "true"}, {"memreserve", "6500"}, {"cluster", "linux-ha"},
    };
    for (const auto& [key, value] : kDefaults) {
        if (key == name) return std::string(value);
    }
    return std::nullopt;
}

void HaCf::adopt_timings(const HaCf& next) {
    keepalive = next.keepalive;
    deadtime = next.deadtime;
    warntime = next.warntime;
    initdead = next.initdead;
    deadping = next.deadping;
    for (const char* key : {"keepalive", "deadtime", "warntime", "initdead", "deadping"}) {
        if (auto it = next.raw_.find(key); it != next.raw_.end()) raw_[key] = it->second;
        else raw_.erase(std::string(key));
    }
}

void HaCf::adopt_children(const HaCf& next) {
    media = next.media;
    udpport = next.udpport;
    baud = next.baud;
    ping_nodes = next.ping_nodes;
    respawns = next.respawns;
    env = next.env;
    realtime = next.realtime;
    debug = next.debug;
    for (const char* key : {"udpport", "baud", "realtime", "debug"}) {
        if (auto it = next.raw_.find(key); it != next.raw_.end()) raw_[key] = it->second;
        else raw_.erase(std::string(key));
    }
}

int HaCf::line_of(std::string_view directive) const {
    auto it = lines_.find(directive);
    return it == lines_.end() ? 0 : it->second;
}

namespace {

// ---- small value checkers ------------------------------------------------------------------

std::optional<long long> parse_int(std::string_view text, long long lo, long long hi) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

bool valid_hostname(std::string_view text) {
    if (text.empty() || text.size() > 253 || text.front() == '-' || text.front() == '.') return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_';
    });
}

// An IPv4 literal, or a hostname that does not look like a broken IPv4 literal.
bool valid_host(std::string_view text) {
    if (parse_ipv4(text)) return true;
    if (!valid_hostname(text)) return false;
    // all digits and dots, but not a valid address: a typo, not a hostname
    return !std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool valid_path(std::string_view text) { return !text.empty() && text.front() == '/' && text.size() <= 1024; }

bool valid_identifier(std::string_view text) {
    if (text.empty() || (text.front() >= '0' && text.front() <= '9')) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

constexpr std::array<int, 7> kBaudRates = {9600, 19200, 38400, 57600, 115200, 230400, 460800};
constexpr std::array<std::string_view, 21> kFacilities = {
    "auth",   "authpriv", "cron",   "daemon", "ftp",    "kern",   "lpr",    "mail",   "news",   "syslog", "user",
    "uucp",   "local0",   "local1", "local2", "local3", "local4", "local5", "local6", "local7", "none"};

// ---- parse state ---------------------------------------------------------------------------

struct State {
    std::string_view file;
    Diagnostics& diag;
    HaCf& cf;
    std::map<std::string, int, std::less<>> node_lines;
    std::optional<bool> nice_failback;
    int first_udp_medium = 0;     // line of the first bcast/ucast
    int first_serial = 0;
    int udpport_line = 0;
    int baud_line = 0;
};

struct Line {
    int number;
    std::string_view name;
    std::string_view value;               // rest of the line, trimmed
    std::vector<std::string_view> words;  // value split on blanks
};

using Handler = void (*)(State&, const Line&);

void error(State& s, const Line& l, std::string text) { s.diag.error(s.file, l.number, std::move(text)); }
void warning(State& s, const Line& l, std::string text) { s.diag.warning(s.file, l.number, std::move(text)); }

bool one_word(State& s, const Line& l) {
    if (l.words.size() == 1) return true;
    error(s, l, l.words.empty() ? fmt::format("{}: missing value", l.name)
                                : fmt::format("{}: expects one value, got \"{}\"", l.name, quote(l.value)));
    return false;
}

template <milliseconds HaCf::*Member>
void on_time(State& s, const Line& l) {
    if (l.value.empty()) return error(s, l, fmt::format("{}: missing value", l.name));
    auto r = parse_duration(l.value);
    if (!r) return error(s, l, fmt::format("{}: {}", l.name, r.error().message));
    if (r->count() <= 0) return error(s, l, fmt::format("{}: must be more than 0 ms, got \"{}\"", l.name, quote(l.value)));
    s.cf.*Member = *r;
}

template <bool HaCf::*Member>
void on_bool(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto b = parse_bool(l.words[0]);
    if (!b) return error(s, l, fmt::format("{}: expected a boolean (on/off, yes/no, true/false, 1/0), got \"{}\"", l.name, quote(l.value)));
    s.cf.*Member = *b;
}

template <std::string HaCf::*Member>
void on_path(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    if (!valid_path(l.words[0])) return error(s, l, fmt::format("{}: expected an absolute path, got \"{}\"", l.name, quote(l.value)));
    s.cf.*Member = std::string(l.words[0]);
}

template <int HaCf::*Member, long long Lo, long long Hi>
void on_int(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], Lo, Hi);
    if (!v) return error(s, l, fmt::format("{}: expected a whole number {}–{}, got \"{}\"", l.name, Lo, Hi, quote(l.value)));
    s.cf.*Member = static_cast<int>(*v);
}

void on_node(State& s, const Line& l) {
    if (l.words.empty()) return error(s, l, "node: missing node name");
    for (auto w : l.words) {
        if (!valid_node_name(w)) {
            error(s, l, fmt::format("node: invalid node name \"{}\" (letters, digits, '-', '_', '.'; at most 64)", quote(w)));
            continue;
        }
        std::string name = to_lower(w);
        if (auto it = s.node_lines.find(name); it != s.node_lines.end()) {
            warning(s, l, fmt::format("node [{}] listed twice (first at line {}); ignored", name, it->second));
            continue;
        }
        s.node_lines.emplace(name, l.number);
        s.cf.nodes.push_back(std::move(name));
    }
}

void on_bcast(State& s, const Line& l) {
    if (l.words.empty()) return error(s, l, "bcast: missing interface name");
    for (auto w : l.words) {
        if (!valid_ifname(w)) {
            error(s, l, fmt::format("bcast: invalid interface name \"{}\"", quote(w)));
            continue;
        }
        if (!s.first_udp_medium) s.first_udp_medium = l.number;
        s.cf.media.push_back({.kind = MediumKind::bcast, .device = std::string(w), .line = l.number});
    }
}

void on_ucast(State& s, const Line& l) {
    if (l.words.size() != 2) return error(s, l, fmt::format("ucast: expected \"ucast DEVICE PEER\", got \"{}\"", quote(l.value)));
    bool ok = true;
    if (!valid_ifname(l.words[0])) ok = false, error(s, l, fmt::format("ucast: invalid interface name \"{}\"", quote(l.words[0])));
    if (l.words[1].find(':') != std::string_view::npos) {
        ok = false;
        error(s, l, fmt::format("ucast: \"{}\": IPv6 peers are not supported (Heartbeat's ucast is IPv4 only)", quote(l.words[1])));
    } else if (!valid_host(l.words[1])) {
        ok = false;
        error(s, l, fmt::format("ucast: invalid peer address or hostname \"{}\"", quote(l.words[1])));
    }
    if (!ok) return;
    if (!s.first_udp_medium) s.first_udp_medium = l.number;
    s.cf.media.push_back({.kind = MediumKind::ucast, .device = std::string(l.words[0]), .peer = std::string(l.words[1]), .line = l.number});
}

void on_mcast(State& s, const Line& l) {
    if (l.words.size() != 5)
        return error(s, l, fmt::format("mcast: expected \"mcast DEVICE GROUP PORT TTL LOOP\", got \"{}\"", quote(l.value)));
    bool ok = true;
    if (!valid_ifname(l.words[0])) ok = false, error(s, l, fmt::format("mcast: invalid interface name \"{}\"", quote(l.words[0])));
    auto group = parse_ipv4(l.words[1]);
    if (!group || (*group)[0] < 224 || (*group)[0] > 239)
        ok = false, error(s, l, fmt::format("mcast: \"{}\" is not an IPv4 multicast group (224.0.0.0–239.255.255.255)", quote(l.words[1])));
    auto port = parse_int(l.words[2], 1, 65535);
    if (!port) ok = false, error(s, l, fmt::format("mcast: invalid port \"{}\" (1–65535)", quote(l.words[2])));
    auto ttl = parse_int(l.words[3], 1, 255);
    if (!ttl) ok = false, error(s, l, fmt::format("mcast: invalid ttl \"{}\" (1–255)", quote(l.words[3])));
    auto loop = parse_int(l.words[4], 0, 1);
    if (!loop) ok = false, error(s, l, fmt::format("mcast: invalid loop \"{}\" (0 or 1)", quote(l.words[4])));
    if (!ok) return;
    s.cf.media.push_back({.kind = MediumKind::mcast,
                          .device = std::string(l.words[0]),
                          .group = std::string(l.words[1]),
                          .port = static_cast<std::uint16_t>(*port),
                          .ttl = static_cast<int>(*ttl),
                          .loop = *loop == 1,
                          .line = l.number});
}

void on_serial(State& s, const Line& l) {
    if (l.words.empty()) return error(s, l, "serial: missing device");
    for (auto w : l.words) {
        if (!valid_path(w)) {
            error(s, l, fmt::format("serial: expected a device path such as /dev/ttyS0, got \"{}\"", quote(w)));
            continue;
        }
        if (!s.first_serial) s.first_serial = l.number;
        s.cf.media.push_back({.kind = MediumKind::serial, .device = std::string(w), .line = l.number});
    }
}

void on_ping(State& s, const Line& l) {
    if (l.words.empty()) return error(s, l, "ping: missing host");
    for (auto w : l.words) {
        if (!valid_host(w)) {
            error(s, l, fmt::format("ping: invalid address or hostname \"{}\"", quote(w)));
            continue;
        }
        s.cf.ping_nodes.push_back({.name = std::string(w), .hosts = {std::string(w)}, .group = false, .line = l.number});
    }
}

void on_ping_group(State& s, const Line& l) {
    if (l.words.size() < 2) return error(s, l, fmt::format("ping_group: expected \"ping_group NAME HOST...\", got \"{}\"", quote(l.value)));
    if (!valid_node_name(l.words[0])) return error(s, l, fmt::format("ping_group: invalid group name \"{}\"", quote(l.words[0])));
    PingNode p{.name = std::string(l.words[0]), .hosts = {}, .group = true, .line = l.number};
    bool ok = true;
    for (std::size_t i = 1; i < l.words.size(); ++i) {
        if (!valid_host(l.words[i])) ok = false, error(s, l, fmt::format("ping_group: invalid address or hostname \"{}\"", quote(l.words[i])));
        else p.hosts.emplace_back(l.words[i]);
    }
    if (ok) s.cf.ping_nodes.push_back(std::move(p));
}

void on_udpport(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], 1, 65535);
    if (!v) return error(s, l, fmt::format("udpport: invalid port \"{}\" (1–65535)", quote(l.value)));
    s.cf.udpport = static_cast<std::uint16_t>(*v);
    s.udpport_line = l.number;
}

void on_baud(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], 1, 10000000);
    if (!v || std::find(kBaudRates.begin(), kBaudRates.end(), *v) == kBaudRates.end())
        return error(s, l, fmt::format("baud: unsupported rate \"{}\" (9600 19200 38400 57600 115200 230400 460800)", quote(l.value)));
    s.cf.baud = static_cast<int>(*v);
    s.baud_line = l.number;
}

void on_auto_failback(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    const std::string w = to_lower(l.words[0]);
    if (w == "legacy") s.cf.auto_failback = AutoFailback::legacy;
    else if (auto b = parse_bool(w)) s.cf.auto_failback = *b ? AutoFailback::on : AutoFailback::off;
    else error(s, l, fmt::format("auto_failback: expected on, off or legacy, got \"{}\"", quote(l.value)));
}

void on_nice_failback(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto b = parse_bool(l.words[0]);
    if (!b) return error(s, l, fmt::format("nice_failback: expected a boolean, got \"{}\"", quote(l.value)));
    s.nice_failback = *b;
    warning(s, l, fmt::format("nice_failback is obsolete; use \"auto_failback {}\" instead", *b ? "off" : "legacy"));
}

void on_respawn(State& s, const Line& l) {
    if (l.words.size() < 2) return error(s, l, fmt::format("respawn: expected \"respawn USER /PATH [ARGS]\", got \"{}\"", quote(l.value)));
    if (!valid_node_name(l.words[0])) return error(s, l, fmt::format("respawn: invalid user name \"{}\"", quote(l.words[0])));
    if (!valid_path(l.words[1])) return error(s, l, fmt::format("respawn: program must be an absolute path, got \"{}\"", quote(l.words[1])));
    Respawn r{.user = std::string(l.words[0]), .path = std::string(l.words[1]), .args = {}, .line = l.number};
    for (std::size_t i = 2; i < l.words.size(); ++i) r.args.emplace_back(l.words[i]);
    s.cf.respawns.push_back(std::move(r));
}

void on_apiauth(State& s, const Line& l) {
    if (l.words.size() < 2) return error(s, l, fmt::format("apiauth: expected \"apiauth CLIENT uid=U,... gid=G,...\", got \"{}\"", quote(l.value)));
    ApiAuth a{.client = std::string(l.words[0]), .uids = {}, .gids = {}, .line = l.number};
    for (std::size_t i = 1; i < l.words.size(); ++i) {
        std::string_view w = l.words[i];
        std::vector<std::string>* list = nullptr;
        if (w.starts_with("uid=")) list = &a.uids;
        else if (w.starts_with("gid=")) list = &a.gids;
        else return error(s, l, fmt::format("apiauth: expected uid=... or gid=..., got \"{}\"", quote(w)));
        w.remove_prefix(4);
        while (!w.empty()) {
            auto comma = w.find(',');
            auto item = w.substr(0, comma);
            if (!item.empty()) list->emplace_back(item);
            if (comma == std::string_view::npos) break;
            w.remove_prefix(comma + 1);
        }
    }
    s.cf.apiauth.push_back(std::move(a));
}

void on_env(State& s, const Line& l) {
    const auto eq = l.value.find('=');
    if (eq == std::string_view::npos || !valid_identifier(l.value.substr(0, eq)))
        return error(s, l, fmt::format("env: expected NAME=value, got \"{}\"", quote(l.value)));
    s.cf.env.push_back({std::string(l.value.substr(0, eq)), std::string(l.value.substr(eq + 1)), l.number});
}

void on_crm(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto b = parse_bool(l.words[0]);
    if (b && !*b) return;
    error(s, l, fmt::format("{} [{}]: Pacemaker/CRM mode is not supported; hamaster runs resources from haresources (R1) only. "
                            "Use \"{} off\" or remove the line",
                            l.name, quote(l.value), l.name));
}

void on_autojoin(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    const std::string w = to_lower(l.words[0]);
    if (w == "none") return;
    if (w == "other" || w == "any")
        return error(s, l, fmt::format("autojoin [{}] conflicts with R1 resource management (haresources); only \"autojoin none\" is supported", w));
    error(s, l, fmt::format("autojoin: expected none, other or any, got \"{}\"", quote(l.value)));
}

void on_use_logd(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto b = parse_bool(l.words[0]);
    if (!b) return error(s, l, fmt::format("use_logd: expected a boolean, got \"{}\"", quote(l.value)));
    if (*b) error(s, l, "use_logd yes is not supported: hamaster writes its own log files (logfile, debugfile) and syslog (logfacility)");
}

void on_conn_logd_time(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], 1, 86400);
    if (!v) return error(s, l, fmt::format("conn_logd_time: expected seconds 1–86400, got \"{}\"", quote(l.value)));
    s.cf.conn_logd_time = std::chrono::seconds(*v);
}

void on_refused(State& s, const Line& l) {
    error(s, l, fmt::format("{} is not implemented by hamaster (no STONITH/failfast support); remove the line", l.name));
}

void on_logfacility(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    const std::string w = to_lower(l.words[0]);
    if (std::find(kFacilities.begin(), kFacilities.end(), w) == kFacilities.end())
        return error(s, l, fmt::format("logfacility: unknown syslog facility \"{}\"", quote(l.value)));
    s.cf.logfacility = w;
}

void on_rtprio(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], 1, 99);
    if (!v) return error(s, l, fmt::format("rtprio: expected 1–99, got \"{}\"", quote(l.value)));
    s.cf.rtprio = static_cast<int>(*v);
}

template <class E, E HaCf::*Member>
void on_choice(State& s, const Line& l, std::string_view a, E ea, std::string_view b, E eb) {
    if (!one_word(s, l)) return;
    if (l.words[0] == a) s.cf.*Member = ea;
    else if (l.words[0] == b) s.cf.*Member = eb;
    else error(s, l, fmt::format("{}: expected {} or {}, got \"{}\"", l.name, a, b, quote(l.value)));
}

void on_hbgenmethod(State& s, const Line& l) {
    on_choice<HbGenMethod, &HaCf::hbgenmethod>(s, l, "file", HbGenMethod::file, "time", HbGenMethod::time);
}
void on_uuidfrom(State& s, const Line& l) {
    on_choice<UuidFrom, &HaCf::uuidfrom>(s, l, "file", UuidFrom::file, "nodename", UuidFrom::nodename);
}
void on_msgfmt(State& s, const Line& l) {
    on_choice<MsgFmt, &HaCf::msgfmt>(s, l, "classic", MsgFmt::classic, "netstring", MsgFmt::netstring);
}

void on_max_rexmit_delay(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    // Heartbeat takes a bare number of milliseconds here; a value with a unit is read as a time.
    if (auto v = parse_int(l.words[0], 1, 3600000)) {
        s.cf.max_rexmit_delay = milliseconds(*v);
        return;
    }
    auto r = parse_duration(l.words[0]);
    if (!r || r->count() <= 0)
        return error(s, l, fmt::format("max_rexmit_delay: expected milliseconds (e.g. 250), got \"{}\"", quote(l.value)));
    s.cf.max_rexmit_delay = *r;
}

void on_compression(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    s.cf.compression = std::string(l.words[0]);
    s.diag.info(s.file, l.number, "compression is ignored: R1 messages are never large enough to be compressed");
}

void on_compression_threshold(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    auto v = parse_int(l.words[0], 1, 1024 * 1024);
    if (!v) return error(s, l, fmt::format("compression_threshold: expected kilobytes, got \"{}\"", quote(l.value)));
    s.cf.compression_threshold_kb = static_cast<int>(*v);
    s.diag.info(s.file, l.number, "compression_threshold is ignored: R1 messages are never compressed");
}

void on_traditional_compression(State& s, const Line& l) {
    on_bool<&HaCf::traditional_compression>(s, l);
    s.diag.info(s.file, l.number, "traditional_compression is ignored: R1 messages are never compressed");
}

void on_cluster(State& s, const Line& l) {
    if (!one_word(s, l)) return;
    if (!valid_node_name(l.words[0])) return error(s, l, fmt::format("cluster: invalid cluster name \"{}\"", quote(l.value)));
    s.cf.cluster = std::string(l.words[0]);
}

void on_memreserve(State& s, const Line& l) { on_int<&HaCf::memreserve_kb, 0, 1024 * 1024>(s, l); }

struct Directive {
    std::string_view name;
    bool repeats;  // R in §1.3: every line adds items; no single raw value
    Handler handler;
};

constexpr Directive kDirectives[] = {
    {"node", true, on_node},
    {"keepalive", false, on_time<&HaCf::keepalive>},
    {"deadtime", false, on_time<&HaCf::deadtime>},
    {"warntime", false, on_time<&HaCf::warntime>},
    {"initdead", false, on_time<&HaCf::initdead>},
    {"deadping", false, on_time<&HaCf::deadping>},
    {"udpport", false, on_udpport},
    {"baud", false, on_baud},
    {"serial", true, on_serial},
    {"bcast", true, on_bcast},
    {"mcast", true, on_mcast},
    {"ucast", true, on_ucast},
    {"ping", true, on_ping},
    {"ping_group", true, on_ping_group},
    {"auto_failback", false, on_auto_failback},
    {"nice_failback", false, on_nice_failback},
    {"respawn", true, on_respawn},
    {"apiauth", true, on_apiauth},
    {"crm", false, on_crm},
    {"pacemaker", false, on_crm},
    {"autojoin", false, on_autojoin},
    {"debug", false, on_int<&HaCf::debug, 0, 255>},
    {"debugfile", false, on_path<&HaCf::debugfile>},
    {"logfile", false, on_path<&HaCf::logfile>},
    {"logfacility", false, on_logfacility},
    {"use_logd", false, on_use_logd},
    {"conn_logd_time", false, on_conn_logd_time},
    {"syslogmsgfmt", false, on_bool<&HaCf::syslogmsgfmt>},
    {"realtime", false, on_bool<&HaCf::realtime>},
    {"rtprio", false, on_rtprio},
    {"hbgenmethod", false, on_hbgenmethod},
    {"uuidfrom", false, on_uuidfrom},
    {"msgfmt", false, on_msgfmt},
    {"compression", false, on_compression},
    {"compression_threshold", false, on_compression_threshold},
    {"traditional_compression", false, on_traditional_compression},
    {"max_rexmit_delay", false, on_max_rexmit_delay},
    {"log_badpack", false, on_bool<&HaCf::log_badpack>},
    {"hopfudge", false, on_int<&HaCf::hopfudge, 0, 255>},
    {"coredumps", false, on_bool<&HaCf::coredumps>},
    {"coreroot", false, on_path<&HaCf::coreroot>},
    {"memreserve", false, on_memreserve},
    {"watchdog", false, on_path<&HaCf::watchdog>},
    {"cluster", false, on_cluster},
    {"env", true, on_env},
    {"failfast", true, on_refused},
    {"stonith", true, on_refused},
    {"stonith_host", true, on_refused},
};

const Directive* find_directive(std::string_view name) {
    for (const auto& d : kDirectives) {
        if (d.name == name) return &d;
    }
    return nullptr;
}

// Derived values and the checks of §1.4 that need the whole file.
void finish(State& s) {
    HaCf& cf = s.cf;
    Diagnostics& d = s.diag;
    const auto f = s.file;
    const auto line = [&](std::string_view name) { return cf.line_of(name); };
    using namespace std::chrono_literals;

    // auto_failback / nice_failback
    if (s.nice_failback) {
        if (cf.given("auto_failback")) {
            d.error(f, line("nice_failback"), "nice_failback and auto_failback are both set; keep only auto_failback");
        } else {
            cf.auto_failback = *s.nice_failback ? AutoFailback::off : AutoFailback::legacy;
        }
    }

    // Timing.
    const bool keepalive_ok = cf.keepalive.count() > 0;
    if (keepalive_ok && cf.deadtime <= 2 * cf.keepalive) {
        d.error(f, line("deadtime") ? line("deadtime") : line("keepalive"),
                fmt::format("deadtime [{} ms] is too small compared to keepalive [{} ms]: it must be more than twice keepalive",
                            cf.deadtime.count(), cf.keepalive.count()));
    }
    if (cf.given("warntime")) {
        if (cf.warntime >= cf.deadtime)
            d.warning(f, line("warntime"),
                      fmt::format("warntime [{} ms] is not less than deadtime [{} ms]: no \"Late heartbeat\" warning will ever be logged",
                                  cf.warntime.count(), cf.deadtime.count()));
    } else {
        cf.warntime = cf.deadtime / 2;
    }
    if (cf.given("initdead")) {
        const int l = line("initdead");
        if (cf.initdead < cf.deadtime) {
            d.error(f, l, fmt::format("initdead [{} ms] must not be less than deadtime [{} ms]", cf.initdead.count(), cf.deadtime.count()));
        } else if (cf.initdead < 10s) {
            d.warning(f, l, fmt::format("Initial dead time [{} ms] may be too small!", cf.initdead.count()));
            d.info(f, l, "initdead applies while the links first come up (after boot, a switch may need a while)");
            d.info(f, l, "a value of at least 2 × deadtime and 10 seconds or more is recommended");
        } else if (cf.initdead < 2 * cf.deadtime) {
            d.warning(f, l, fmt::format("initdead [{} ms] is less than twice deadtime [{} ms]; the peer may be declared dead while it boots",
                                        cf.initdead.count(), cf.deadtime.count()));
        }
    } else {
        if (cf.deadtime > 10s) cf.initdead = cf.deadtime;
        else if (cf.deadtime < 6s) cf.initdead = 12s;
        else cf.initdead = 2 * cf.deadtime;
    }
    if (cf.given("deadping")) {
        if (keepalive_ok && cf.deadping <= 2 * cf.keepalive)
            d.error(f, line("deadping"),
                    fmt::format("deadping [{} ms] is too small compared to keepalive [{} ms]: it must be more than twice keepalive",
                                cf.deadping.count(), cf.keepalive.count()));
    } else {
        cf.deadping = cf.deadtime;
    }

    // Media: udpport / baud apply to every medium that uses them.
    for (auto& m : cf.media) {
        if (m.kind == MediumKind::bcast || m.kind == MediumKind::ucast) m.port = cf.udpport;
        if (m.kind == MediumKind::serial) m.baud = cf.baud;
    }
    if (s.udpport_line && s.first_udp_medium && s.udpport_line > s.first_udp_medium)
        d.warning(f, s.udpport_line, fmt::format("udpport comes after a bcast/ucast line (line {}); hamaster applies it to every medium, "
                                                 "Heartbeat 3.0.6 only to later ones: put udpport first",
                                                 s.first_udp_medium));
    if (s.baud_line && s.first_serial && s.baud_line > s.first_serial)
        d.warning(f, s.baud_line, fmt::format("baud comes after a serial line (line {}); hamaster applies it to every serial link, "
                                              "Heartbeat 3.0.6 only to later ones: put baud first",
                                              s.first_serial));
    for (std::size_t i = 0; i < cf.media.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const Medium& a = cf.media[i];
            const Medium& b = cf.media[j];
            if (a.kind == b.kind && a.device == b.device && a.peer == b.peer && a.group == b.group && a.port == b.port) {
                d.warning(f, a.line, fmt::format("{} {}{}{} repeats line {}", medium_kind_name(a.kind), a.device,
                                                 a.peer.empty() ? "" : " ", a.peer, b.line));
                break;
            }
        }
    }
    // A status heartbeat is about 216 bytes on the cable (measured, docs/benchmarks.md), 10 bits a
    // byte at 8N1. Over half the line leaves no room for cluster messages or a retransmission.
    if (keepalive_ok && s.first_serial) {
        constexpr double kHeartbeatBits = 216.0 * 10.0;
        const double load = kHeartbeatBits * 1000.0 / static_cast<double>(cf.keepalive.count()) / cf.baud;
        if (load > 0.5)
            d.warning(f, s.baud_line ? s.baud_line : s.first_serial,
                      fmt::format("serial links at {} baud: a heartbeat every {} ms needs about {} % of the line "
                                  "(~216 bytes each); use keepalive >= {} ms or a higher baud",
                                  cf.baud, cf.keepalive.count(), std::lround(load * 100.0),
                                  static_cast<long>(kHeartbeatBits * 1000.0 / (0.5 * cf.baud) / 100.0 + 1) * 100));
    }
    if (cf.media.empty()) d.error(f, 0, "No heartbeat media defined");

    // Nodes.
    if (cf.nodes.empty()) d.error(f, 0, "no nodes defined");
    if (cf.nodes.size() > 2)
        d.error(f, line("node"), fmt::format("{} nodes defined; hamaster manages two-node clusters only", cf.nodes.size()));
    for (const auto& p : cf.ping_nodes) {
        if (std::find(cf.nodes.begin(), cf.nodes.end(), to_lower(p.name)) != cf.nodes.end())
            d.error(f, p.line, fmt::format("ping node [{}] has the name of a cluster node", p.name));
    }

    if (cf.auto_failback == AutoFailback::legacy) {
        const int l = line("auto_failback");
        d.warning(f, l, "auto_failback is \"legacy\"" + std::string(l ? "" : " (the default)") + ": this mode is deprecated");
        d.warning(f, l, "legacy failback uses the old ip-request exchange, and hb_standby does not work with it");
        d.warning(f, l, "set \"auto_failback on\" (or off) on both nodes to use the current protocol");
    }
}

}  // namespace

HaCf parse_ha_cf(std::string_view file, std::string_view text, Diagnostics& diagnostics) {
    HaCf cf;
    State s{.file = file, .diag = diagnostics, .cf = cf, .node_lines = {}, .nice_failback = std::nullopt};
    for (const ConfigLine& cl : split_lines(file, text, LexOptions{}, diagnostics)) {
        const std::string_view all = cl.text;
        std::size_t end = 0;
        while (end < all.size() && !is_blank(all[end])) ++end;
        Line l{.number = cl.line, .name = all.substr(0, end), .value = trim(all.substr(end)), .words = {}};
        l.words = split_words(l.value);
        const Directive* dir = find_directive(l.name);
        if (!dir) {
            diagnostics.error(file, cl.line, fmt::format("Illegal directive [{}]", quote(l.name)));
            continue;
        }
        const std::size_t errors_before = diagnostics.error_count(file);
        dir->handler(s, l);
        cf.lines_[std::string(l.name)] = cl.line;
        if (!dir->repeats && diagnostics.error_count(file) == errors_before) cf.raw_[std::string(l.name)] = std::string(l.value);
    }
    finish(s);
    return cf;
}

}  // namespace ha::conf
