// Haresources — see haresources.hpp.
#include "ipc/config/haresources.hpp"

#include "ipc/config/script_security.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "ipc/config/ha_cf.hpp"
#include "ipc/config/lexer.hpp"

namespace ha::conf {

std::string_view agent_kind_name(AgentKind kind) {
    switch (kind) {
        case AgentKind::builtin: return "built-in";
        case AgentKind::heartbeat: return "heartbeat";
        case AgentKind::lsb: return "lsb";
        case AgentKind::ocf: return "ocf";
    }
    return "?";
}

namespace {

bool all_digits(std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A name that is safe as one path component: printable ASCII, no '/', not "." or "..", no ':'
// (except where the caller splits on it).
bool valid_component(std::string_view t) {
    if (t.empty() || t.size() > 255 || t == "." || t == ".." || t.front() == '.') return false;
    return std::all_of(t.begin(), t.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '/' && c != ':'; });
}

// d*.d*.d*.d* before the first '/', starting with a digit (compat spec §2 shorthand).
bool is_ip_shorthand(std::string_view word) {
    if (word.empty() || word.front() < '0' || word.front() > '9') return false;
    const std::string_view addr = word.substr(0, word.find('/'));
    if (std::count(addr.begin(), addr.end(), '.') != 3) return false;
    return std::all_of(addr.begin(), addr.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool is_builtin(std::string_view agent) { return agent == "IPaddr" || agent == "IPaddr2" || agent == "IPv6addr"; }

// The address part (before the first '/') of an IP agent's argument has a ':': IPv6.
bool looks_ipv6(std::string_view argument) { return argument.substr(0, argument.find('/')).find(':') != std::string_view::npos; }

std::vector<std::string_view> split_on(std::string_view text, std::string_view sep) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(sep);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) break;
        text.remove_prefix(at + sep.size());
    }
    return parts;
}

bool executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::optional<IpAddrSpec> parse_ipaddr_spec(std::string_view text) {
    const auto parts = split_on(text, "/");
    if (parts.size() > 4) return std::nullopt;
    IpAddrSpec spec;
    if (!parse_ipv4(parts[0])) return std::nullopt;
    spec.address = std::string(parts[0]);
    if (parts.size() > 1 && !parts[1].empty()) {
        if (all_digits(parts[1]) && parts[1].size() <= 2) {
            const int bits = std::stoi(std::string(parts[1]));
            if (bits > 32) return std::nullopt;
            spec.prefix = bits;
        } else if (auto mask = parse_ipv4(parts[1])) {
            std::uint32_t m = 0;
            for (int octet : *mask) m = (m << 8) | static_cast<std::uint32_t>(octet);
            const std::uint32_t inverted = ~m;
            if ((inverted & (inverted + 1)) != 0) return std::nullopt;  // not contiguous ones
            int bits = 0;
            for (std::uint32_t x = m; x != 0; x <<= 1) ++bits;
            spec.prefix = bits;
        } else {
            return std::nullopt;
        }
    }
    if (parts.size() > 2 && !parts[2].empty()) {
        if (!valid_ifname(parts[2])) return std::nullopt;
        spec.iface = std::string(parts[2]);
    }
    if (parts.size() > 3 && !parts[3].empty()) {
        if (!parse_ipv4(parts[3])) return std::nullopt;
        spec.broadcast = std::string(parts[3]);
    }
    return spec;
}

Result<IpAddrSpec> parse_ipv6_spec(std::string_view text) {
    const auto parts = split_on(text, "/");
    const std::string address(parts[0]);
    if (parts.size() > 3)
        return make_error("bad_address", fmt::format("\"{}\": expected ADDRESS[/PREFIX[/IFACE]] (an IPv6 address has no broadcast)", quote(text)));
    in6_addr a{};
    if (address.empty() || ::inet_pton(AF_INET6, address.c_str(), &a) != 1)
        return make_error("bad_address", fmt::format("\"{}\" is not an IPv6 address", quote(address)));
    const auto* b = a.s6_addr;
    const bool zero_head = std::all_of(b, b + 10, [](unsigned char c) { return c == 0; });
    if (zero_head && b[10] == 0 && b[11] == 0 && std::all_of(b + 12, b + 15, [](unsigned char c) { return c == 0; }) && b[15] <= 1)
        return make_error("bad_address", fmt::format("{}: the unspecified or loopback address cannot be a service address", address));
    if (b[0] == 0xff) return make_error("bad_address", fmt::format("{}: a multicast address cannot be a service address", address));
    if (zero_head && b[10] == 0xff && b[11] == 0xff)
        return make_error("bad_address", fmt::format("{}: an IPv4-mapped address; give the IPv4 address to IPaddr or IPaddr2", address));
    IpAddrSpec spec;
    spec.address = address;
    spec.ipv6 = true;
    if (parts.size() > 1 && !parts[1].empty()) {
        if (!all_digits(parts[1]) || parts[1].size() > 3 || std::stoi(std::string(parts[1])) > 128)
            return make_error("bad_prefix", fmt::format("{}: bad prefix length \"{}\" (0 to 128)", address, quote(parts[1])));
        spec.prefix = std::stoi(std::string(parts[1]));
    }
    if (parts.size() > 2 && !parts[2].empty()) {
        if (!valid_ifname(parts[2])) return make_error("bad_iface", fmt::format("{}: bad interface name \"{}\"", address, quote(parts[2])));
        spec.iface = std::string(parts[2]);
    }
    // A link-local address is only meaningful on one link: the word must say which.
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80 && spec.iface.empty())
        return make_error("bad_address", fmt::format("{}: a link-local address needs its interface ({}/64/eth0)", address, address));
    return spec;
}

Result<IpAddrSpec> parse_builtin_ip_spec(std::string_view agent, std::string_view text) {
    const bool v6 = looks_ipv6(text);
    if (agent == "IPaddr" && v6)
        return make_error("bad_address", fmt::format("IPaddr is IPv4 only: use IPv6addr or IPaddr2 for the IPv6 address \"{}\"",
                                                     quote(text.substr(0, text.find('/')))));
    if (agent == "IPv6addr" && !v6)
        return make_error("bad_address", fmt::format("IPv6addr needs ADDRESS[/PREFIX[/IFACE]] with an IPv6 address{}",
                                                     parse_ipaddr_spec(text) ? " (use IPaddr or IPaddr2 for an IPv4 address)" : ""));
    if (v6) {
        auto spec = parse_ipv6_spec(text);
        if (!spec) return make_error(spec.error().code, fmt::format("{}: {}", agent, spec.error().message));
        return spec;
    }
    if (auto spec = parse_ipaddr_spec(text)) return *spec;
    return make_error("bad_address", fmt::format("{} needs ADDRESS[/MASK[/IFACE[/BROADCAST]]] with a dotted IPv4 address{}", agent,
                                                 agent == "IPaddr2" ? " or ADDRESS[/PREFIX[/IFACE]] with an IPv6 address" : ""));
}

Haresources parse_haresources(std::string_view file, std::string_view text, Diagnostics& diagnostics) {
    Haresources out;
    std::map<std::string, int, std::less<>> keys;  // group key → line
    for (const ConfigLine& cl : split_lines(file, text, LexOptions{}, diagnostics)) {
        auto err = [&](std::string msg) { diagnostics.error(file, cl.line, std::move(msg)); };
        const auto words = split_words(cl.text);
        ResourceGroup group;
        group.line = cl.line;
        group.node = to_lower(words[0]);
        bool ok = true;
        if (!valid_node_name(words[0])) {
            err(fmt::format("invalid node name \"{}\"", quote(words[0])));
            ok = false;
        }
        if (words.size() < 2) {
            err(fmt::format("node {} has no resources (expected \"NODE RESOURCE...\")", quote(group.node)));
            ok = false;
        }
        group.text = group.node;
        for (std::size_t i = 1; i < words.size(); ++i) {
            Resource r;
            r.word = is_ip_shorthand(words[i]) ? "IPaddr::" + std::string(words[i]) : std::string(words[i]);
            group.text += " " + std::string(words[i]);
            const auto parts = split_on(r.word, "::");
            r.agent = std::string(parts[0]);
            if (const auto rest = std::string_view(r.word).substr(std::min(r.word.size(), r.agent.size() + 2));
                is_builtin(r.agent) && looks_ipv6(rest)) {
                r.args.emplace_back(rest);  // an IPv6 address has "::" of its own: the rest is one argument
            } else {
                for (std::size_t k = 1; k < parts.size(); ++k) r.args.emplace_back(parts[k]);
            }
            if (std::any_of(r.args.begin(), r.args.end(), [](const std::string& a) { return a.empty(); })) {
                err(fmt::format("resource \"{}\": empty argument (\"::\" must separate non-empty arguments)", quote(r.word)));
                ok = false;
                continue;
            }
            if (r.agent.starts_with("ocf:")) {
                const auto op = split_on(r.agent, ":");
                if (op.size() != 3 || !valid_component(op[1]) || !valid_component(op[2])) {
                    err(fmt::format("resource \"{}\": expected ocf:PROVIDER:TYPE", quote(r.word)));
                    ok = false;
                    continue;
                }
                r.kind = AgentKind::ocf;
            } else if (!valid_component(r.agent)) {
                err(fmt::format("resource \"{}\": invalid resource script name", quote(r.word)));
                ok = false;
                continue;
            } else if (is_builtin(r.agent)) {
                r.kind = AgentKind::builtin;
                auto spec = parse_builtin_ip_spec(r.agent, r.args.empty() ? std::string_view() : std::string_view(r.args[0]));
                if (!spec) {
                    err(fmt::format("resource \"{}\": {}", quote(r.word), spec.error().message));
                    ok = false;
                    continue;
                }
                r.ip = std::move(*spec);
            }
            group.resources.push_back(std::move(r));
        }
        if (!ok) continue;
        if (auto it = keys.find(group.key()); it != keys.end()) {
            err(fmt::format("resource group [{}] is defined twice (first at line {})", quote(group.key()), it->second));
            continue;
        }
        keys.emplace(group.key(), cl.line);
        out.groups.push_back(std::move(group));
    }
    return out;
}

void resolve_resources(Haresources& haresources, std::string_view file, const ResolveOptions& options,
                       Diagnostics& diagnostics) {
    // rscd runs agents as root: one that others can modify is refused (issue 20).
    auto refuse_unsafe = [&](const Resource& r, int line) {
        if (auto safe = check_script_security(r.path); !safe)
            diagnostics.error(file, line, fmt::format("resource script {}: refusing to run it as root: {}", quote(r.word),
                                                      safe.error().message));
    };
    for (ResourceGroup& group : haresources.groups) {
        for (Resource& r : group.resources) {
            if (r.kind == AgentKind::builtin) continue;
            if (r.kind == AgentKind::ocf) {
                const auto op = split_on(r.agent, ":");
                r.path = fmt::format("{}/resource.d/{}/{}", options.ocf_root, op[1], op[2]);
                if (!executable_file(r.path)) {
                    diagnostics.error(file, group.line, fmt::format("Cannot locate resource script {} ({} {})", r.agent, r.path,
                                                                    exists(r.path) ? "is not an executable file" : "does not exist"));
                } else {
                    refuse_unsafe(r, group.line);
                }
                continue;
            }
            const std::string in_resource_d = options.resource_dir + "/" + r.agent;
            const std::string in_init_d = options.init_dir + "/" + r.agent;
            if (executable_file(in_resource_d)) {
                r.kind = AgentKind::heartbeat;
                r.path = in_resource_d;
                refuse_unsafe(r, group.line);
            } else if (executable_file(in_init_d)) {
                r.kind = AgentKind::lsb;
                r.path = in_init_d;
                refuse_unsafe(r, group.line);
                if (!r.args.empty())
                    diagnostics.warning(file, group.line,
                                        fmt::format("{} is an init script: it gets only the action, the ::arguments of \"{}\" are not passed",
                                                    r.path, quote(r.word)));
            } else {
                std::string why;
                if (exists(in_resource_d)) why = fmt::format("{} is not an executable file", in_resource_d);
                else if (exists(in_init_d)) why = fmt::format("{} is not an executable file", in_init_d);
                else why = fmt::format("not in {} nor {}", options.resource_dir, options.init_dir);
                diagnostics.error(file, group.line, fmt::format("Cannot locate resource script {} ({})", quote(r.agent), why));
            }
        }
    }
}

}  // namespace ha::conf
