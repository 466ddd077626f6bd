// Haresources — see haresources.hpp.
#include "ipc/config/haresources.hpp"

#include "ipc/config/script_security.hpp"

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

bool is_builtin(std::string_view agent) { return agent == "IPaddr" || agent == "IPaddr2"; }

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
            for (std::size_t k = 1; k < parts.size(); ++k) r.args.emplace_back(parts[k]);
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
                if (r.args.empty() || !(r.ip = parse_ipaddr_spec(r.args[0]))) {
                    err(fmt::format("resource \"{}\": {} needs ADDRESS[/MASK[/IFACE[/BROADCAST]]] with a dotted IPv4 address",
                                    quote(r.word), r.agent));
                    ok = false;
                    continue;
                }
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
