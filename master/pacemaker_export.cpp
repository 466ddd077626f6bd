// export_pacemaker — see pacemaker_export.hpp.
#include "master/pacemaker_export.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "master/xml_writer.hpp"

namespace ha::master {
namespace {

using conf::Diagnostic;
using conf::Severity;

// Scores of the CIB: the haresources node is preferred by kPreferred; with auto_failback off the
// stickiness outweighs it (a group stays where it runs), and one reachable ping node (ipfail's
// rule) outweighs both.
constexpr int kPreferred = 100;
constexpr int kStickinessOff = 200;
constexpr int kPingMultiplier = 1000;
constexpr std::size_t kMaxKnetLinks = 8;
constexpr std::size_t kAuthkeyBytes = 256;  // corosync-keygen's default size

// A Heartbeat resource.d wrapper of an agent that has an OCF version: the wrapper hands its
// positional arguments to the OCF agent under these names (as the wrappers of Debian's heartbeat
// 3.0.6 package, /etc/ha.d/resource.d, do). Three read theirs differently (wrapper_params).
struct Wrapper {
    std::string_view name;
    std::string_view type;  // ocf:heartbeat:TYPE
    std::vector<std::string_view> params;
};
const std::vector<Wrapper>& wrappers() {
    static const std::vector<Wrapper> table = {
        {"Filesystem", "Filesystem", {"device", "directory", "fstype", "options"}},
        {"apache", "apache", {"configfile"}},
        {"IPsrcaddr", "IPsrcaddr", {"ipaddress"}},
        {"MailTo", "MailTo", {"email", "subject"}},
        {"Delay", "Delay", {"startdelay", "stopdelay"}},
        {"Xinetd", "Xinetd", {"service"}},
        {"LVM", "LVM", {"volgrpname"}},
        {"Raid1", "Raid1", {"raidconf", "raiddev"}},
        {"portblock", "portblock", {"protocol", "portno", "action"}},
        {"db2", "db2", {"instance"}},
        {"WAS", "WAS", {}},
        {"WinPopup", "WinPopup", {"hostfile"}},
        {"ICP", "ICP", {"driveid", "device"}},
        {"LinuxSCSI", "LinuxSCSI", {"scsi"}},
        {"ServeRAID", "ServeRAID", {"serveraid", "mergegroup"}},
        {"AudibleAlarm", "AudibleAlarm", {}},
        {"SendArp", "SendArp", {}},
    };
    return table;
}

// The wrappers that do not name their arguments one by one: AudibleAlarm takes every argument as
// its node list, SendArp one `ip/nic` word, WAS a configuration file or a port number. nullopt for
// the others (positional, from the table).
std::optional<std::vector<std::pair<std::string, std::string>>> wrapper_params(std::string_view name, const std::vector<std::string>& args) {
    using Params = std::vector<std::pair<std::string, std::string>>;
    if (name == "AudibleAlarm") return args.empty() ? Params{} : Params{{"nodelist", fmt::format("{}", fmt::join(args, " "))}};
    if (name == "SendArp") {
        if (args.empty()) return Params{};
        const auto slash = args[0].find('/');
        if (slash == std::string::npos) return Params{{"ip", args[0]}};
        return Params{{"ip", args[0].substr(0, slash)}, {"nic", args[0].substr(slash + 1)}};
    }
    if (name == "WAS") {
        if (args.empty()) return Params{};
        const bool port = std::all_of(args[0].begin(), args[0].end(), [](unsigned char c) { return std::isdigit(c); });
        return Params{{port ? "port" : "config", args[0]}};
    }
    return std::nullopt;
}

struct Primitive {
    std::string id;
    std::string cls;  // ocf, lsb
    std::string provider;
    std::string type;
    std::vector<std::pair<std::string, std::string>> params;
};

struct Group {
    std::string id;
    const conf::ResourceGroup* source = nullptr;
    std::vector<Primitive> primitives;
};

// An XML ID (Pacemaker's ids are NCNames): letters, digits, '-', '_', '.'; a letter or '_' first.
std::string xml_id(std::string_view text) {
    std::string id;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        id += std::isalnum(u) || c == '-' || c == '_' || c == '.' ? c : '_';
    }
    if (id.empty() || !(std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_')) id = "r_" + id;
    return id;
}

// A ring address corosync can read: an IPv4/IPv6 address or a hostname, nothing that could break
// a `key: value` line.
bool plain_address(std::string_view text) {
    return !text.empty() && text.size() <= 253 && std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == ':';
    });
}

std::string seconds_text(std::chrono::milliseconds d) {
    return d.count() % 1000 == 0 ? fmt::format("{}s", d.count() / 1000) : fmt::format("{}ms", d.count());
}

class Exporter {
public:
    Exporter(const conf::Config& config, const ExportEnvironment& env)
        : c_(config), cf_(config.ha_cf), env_(env), ha_cf_(config.dir + "/ha.cf"), haresources_(config.dir + "/haresources"),
          authkeys_(config.dir + "/authkeys") {
        // Ids the CIB uses itself: a resource of the same name gets a suffix.
        for (const char* id : {"cib-bootstrap-options", "rsc-options", "ping", "ping-clone", "ping-instance_attributes"}) ids_.insert(id);
    }

    PacemakerExport run() {
        build_links();
        build_groups();
        out_.authkey = authkey();
        out_.corosync_conf = corosync_conf();
        out_.cib_xml = cib();
        not_carried_over();
        return std::move(out_);
    }

private:
    void note(Severity s, const std::string& file, int line, std::string text) {
        out_.notes.push_back(Diagnostic{file, line, s, std::move(text)});
    }
    void warn(const std::string& file, int line, std::string text) { note(Severity::warning, file, line, std::move(text)); }
    void info(const std::string& file, int line, std::string text) { note(Severity::info, file, line, std::move(text)); }

    // --- corosync: links ---------------------------------------------------------------------
    struct Link {
        std::string what;  // "ucast eth1", "bcast eth0", "mcast eth0 239.0.0.1"
        int line = 0;
        std::map<std::string, std::string> addr;  // node → ring address
    };

    std::optional<std::string> interface_address(const std::string& device) const {
        auto it = env_.interface_addresses.find(device);
        if (it == env_.interface_addresses.end()) return std::nullopt;
        return it->second;
    }

    void name_the_rest(Link& link, std::string_view why) {
        std::vector<std::string> named;
        for (const auto& n : cf_.nodes) {
            if (link.addr.count(n)) continue;
            link.addr[n] = n;
            named.push_back(n);
        }
        if (!named.empty())
            warn(ha_cf_, link.line,
                 fmt::format("{}: {}; ring{}_addr of {} is the node's name (corosync resolves it when it starts): "
                             "replace it with the node's address on that network",
                             link.what, why, links_.size(), fmt::join(named, ", ")));
    }

    void add_ucast_link(const std::string& device) {
        Link link{"ucast " + device, 0, {}};
        std::vector<const conf::Medium*> candidates;
        for (const auto& m : cf_.media) {
            if (m.kind != conf::MediumKind::ucast || m.device != device) continue;
            if (link.line == 0) link.line = m.line;
            const std::string peer = m.peer;
            std::string lower = peer;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            if (!plain_address(peer)) {
                warn(ha_cf_, m.line, fmt::format("ucast {} {}: not an address corosync can read; line left out", device, conf::quote(peer)));
            } else if (m.self) {
                link.addr[c_.local_node] = peer;
            } else if (std::find(cf_.nodes.begin(), cf_.nodes.end(), lower) != cf_.nodes.end()) {
                link.addr[lower] = peer;
            } else {
                candidates.push_back(&m);
            }
        }
        if (!link.addr.count(c_.local_node))
            if (auto a = interface_address(device)) link.addr[c_.local_node] = *a;
        std::vector<std::string> open;  // nodes without an address yet, in ha.cf order; the local node last
        for (const auto& n : cf_.nodes)
            if (!link.addr.count(n) && n != c_.local_node) open.push_back(n);
        const bool local_open = !link.addr.count(c_.local_node);
        // A node's own ha.cf names its peer(s): the candidates go to the other nodes first; the
        // local node gets one only when every line names a node (the same ha.cf on both nodes).
        if (local_open && candidates.size() > open.size()) {
            open.clear();
            for (const auto& n : cf_.nodes)
                if (!link.addr.count(n)) open.push_back(n);
        }
        if (candidates.size() > 1 && open.size() > 1) {
            std::vector<std::string> pairs;
            for (std::size_t i = 0; i < std::min(candidates.size(), open.size()); ++i)
                pairs.push_back(fmt::format("{}={}", open[i], candidates[i]->peer));
            warn(ha_cf_, link.line,
                 fmt::format("ucast {}: cannot tell which address is whose (run the export on a cluster node, or "
                             "give the node's name in --node); assumed node order: {}",
                             device, fmt::join(pairs, ", ")));
        }
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (i < open.size()) link.addr[open[i]] = candidates[i]->peer;
            else warn(ha_cf_, candidates[i]->line, fmt::format("ucast {} {}: more addresses than nodes; line left out", device, candidates[i]->peer));
        }
        name_the_rest(link, "no ucast line gives this node's address");
        links_.push_back(std::move(link));
    }

    void add_broadcast_link(const conf::Medium& m) {
        const bool bcast = m.kind == conf::MediumKind::bcast;
        Link link{bcast ? "bcast " + m.device : fmt::format("mcast {} {}", m.device, m.group), m.line, {}};
        if (auto a = interface_address(m.device)) link.addr[c_.local_node] = *a;
        name_the_rest(link, fmt::format("knet links are unicast, corosync has no {}", bcast ? "broadcast" : "multicast"));
        links_.push_back(std::move(link));
    }

    void build_links() {
        std::set<std::string> ucast_done;
        for (const auto& m : cf_.media) {
            if (m.kind == conf::MediumKind::serial) {
                warn(ha_cf_, m.line,
                     fmt::format("serial {}: not carried over (corosync has no serial links); add a second network link "
                                 "(a crossover cable) instead",
                                 m.device));
                continue;
            }
            if (links_.size() == kMaxKnetLinks) {
                warn(ha_cf_, m.line, fmt::format("{} {}: knet has at most {} links; line left out", conf::medium_kind_name(m.kind), m.device, kMaxKnetLinks));
                continue;
            }
            if (m.kind == conf::MediumKind::ucast) {
                if (ucast_done.insert(m.device).second) add_ucast_link(m.device);
            } else {
                add_broadcast_link(m);
            }
        }
        if (links_.empty()) {
            warn(ha_cf_, 0, "no network medium to carry over: one knet link with each node's name as its address");
            Link link{"no medium", 0, {}};
            for (const auto& n : cf_.nodes) link.addr[n] = n;
            links_.push_back(std::move(link));
        }
    }

    // --- corosync: crypto --------------------------------------------------------------------
    int authkeys_line(int index) const {
        int number = 0, auth_line = 0;
        std::size_t at = 0;
        const std::string_view text = env_.authkeys_text;
        while (at <= text.size() && !text.empty()) {
            const auto end = std::min(text.find('\n', at), text.size());
            std::string_view line = text.substr(at, end - at);
            ++number;
            const auto first = line.find_first_not_of(" \t");
            if (first != std::string_view::npos) {
                line.remove_prefix(first);
                const auto word_end = line.find_first_of(" \t");
                const std::string_view word = line.substr(0, word_end);
                if (word == "auth") auth_line = number;
                else if (word == std::to_string(index)) return number;
            }
            if (end == text.size()) break;
            at = end + 1;
        }
        return auth_line;
    }

    std::string authkey() {
        const ipc::AuthKey* key = c_.authkeys.active_key();
        if (key == nullptr) return {};
        const int line = authkeys_line(c_.authkeys.active);
        if (key->method == ipc::AuthMethod::crc) {
            warn(authkeys_, line,
                 "crc authenticates nothing: corosync.conf has crypto_cipher and crypto_hash none; make a key with "
                 "corosync-keygen, copy it to both nodes and set crypto_cipher aes256, crypto_hash sha256");
            return {};
        }
        // HKDF-SHA256 of the shared secret: both nodes export the same key from the same authkeys,
        // and the Heartbeat secret itself never appears in corosync's files.
        std::string out(kAuthkeyBytes, '\0');
        const std::string salt = "hamaster export pacemaker";
        const std::string context = "corosync authkey " + cf_.cluster;
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
        std::size_t length = out.size();
        const bool ok = ctx != nullptr && EVP_PKEY_derive_init(ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(ctx, EVP_sha256()) > 0 &&
                        EVP_PKEY_CTX_set1_hkdf_salt(ctx, reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size())) > 0 &&
                        EVP_PKEY_CTX_set1_hkdf_key(ctx, reinterpret_cast<const unsigned char*>(key->secret.data()), static_cast<int>(key->secret.size())) > 0 &&
                        EVP_PKEY_CTX_add1_hkdf_info(ctx, reinterpret_cast<const unsigned char*>(context.data()), static_cast<int>(context.size())) > 0 &&
                        EVP_PKEY_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), &length) > 0 && length == out.size();
        EVP_PKEY_CTX_free(ctx);
        if (!ok) {
            warn(authkeys_, line, "cannot derive corosync's authkey (OpenSSL HKDF failed): crypto is off; use corosync-keygen");
            return {};
        }
        info(authkeys_, line,
             fmt::format("authkey: {} bytes derived from key {} ({}) with HKDF-SHA256, used with aes256 + sha256; both nodes "
                         "export the same file (or make one with corosync-keygen and copy it)",
                         kAuthkeyBytes, c_.authkeys.active, ipc::method_name(key->method)));
        return out;
    }

    std::string corosync_conf() const {
        std::string o = fmt::format("# corosync.conf — exported by `hamaster export pacemaker` from {}/ha.cf and authkeys.\n", c_.dir);
        o += "# Install as /etc/corosync/corosync.conf on every node, with the authkey beside it (mode 0400).\n";
        o += "totem {\n    version: 2\n";
        o += fmt::format("    cluster_name: {}\n", cf_.cluster);
        o += "    transport: knet\n";
        o += fmt::format("    # deadtime {} ms: a node is lost after that long without the token\n", cf_.deadtime.count());
        o += fmt::format("    token: {}\n", cf_.deadtime.count());
        const bool crypto = !out_.authkey.empty();
        o += fmt::format("    crypto_cipher: {}\n    crypto_hash: {}\n", crypto ? "aes256" : "none", crypto ? "sha256" : "none");
        for (std::size_t i = 0; i < links_.size(); ++i) {
            o += fmt::format("    # link {}: {}{}\n", i, links_[i].what, links_[i].line ? fmt::format(" (ha.cf line {})", links_[i].line) : "");
            o += fmt::format("    interface {{\n        linknumber: {}\n", i);
            o += fmt::format("        knet_ping_interval: {}\n        knet_ping_timeout: {}\n    }}\n", cf_.keepalive.count(), cf_.deadtime.count());
        }
        o += "}\n\nnodelist {\n";
        for (std::size_t n = 0; n < cf_.nodes.size(); ++n) {
            o += fmt::format("    node {{\n        name: {}\n        nodeid: {}\n", cf_.nodes[n], n + 1);
            for (std::size_t i = 0; i < links_.size(); ++i) o += fmt::format("        ring{}_addr: {}\n", i, links_[i].addr.at(cf_.nodes[n]));
            o += "    }\n";
        }
        o += "}\n\nquorum {\n    provider: corosync_votequorum\n";
        if (cf_.nodes.size() == 2) o += "    # two nodes: the survivor stays quorate; after a cold start both must have met once\n    two_node: 1\n    wait_for_all: 1\n";
        o += "}\n\nlogging {\n    timestamp: on\n    to_logfile: yes\n    logfile: /var/log/corosync/corosync.log\n";
        if (cf_.logfacility != "none") o += fmt::format("    to_syslog: yes\n    syslog_facility: {}\n", cf_.logfacility);
        else o += "    to_syslog: no\n";
        if (cf_.debug > 0) o += "    debug: on\n";
        o += "}\n";
        return o;
    }

    // --- CIB: resources ----------------------------------------------------------------------
    std::string unique_id(std::string base) {
        base = xml_id(base);
        std::string id = base;
        for (int n = 2; !ids_.insert(id).second; ++n) id = fmt::format("{}-{}", base, n);
        return id;
    }

    std::optional<Primitive> primitive(const conf::ResourceGroup& g, const conf::Resource& r) {
        Primitive p;
        p.cls = "ocf";
        p.provider = "heartbeat";
        switch (r.kind) {
            case conf::AgentKind::builtin: {
                p.type = "IPaddr2";
                const auto& ip = r.ip;
                if (!ip) {  // the loader refuses this; keep the export total anyway
                    warn(haresources_, g.line, fmt::format("{}: no address; resource left out", r.word));
                    return std::nullopt;
                }
                p.id = unique_id("ip_" + ip->address);
                p.params.emplace_back("ip", ip->address);
                if (ip->prefix) p.params.emplace_back("cidr_netmask", std::to_string(*ip->prefix));
                if (!ip->iface.empty()) p.params.emplace_back("nic", ip->iface);
                if (!ip->broadcast.empty()) p.params.emplace_back("broadcast", ip->broadcast);
                return p;
            }
            case conf::AgentKind::ocf: {
                // ocf:PROVIDER:TYPE
                const auto first = r.agent.find(':'), second = r.agent.find(':', first + 1);
                p.provider = r.agent.substr(first + 1, second - first - 1);
                p.type = r.agent.substr(second + 1);
                p.id = unique_id(p.type);
                for (const auto& a : r.args) {
                    const auto eq = a.find('=');
                    if (eq == std::string::npos || eq == 0) {
                        warn(haresources_, g.line, fmt::format("{}: argument \"{}\" is not NAME=VALUE (hamaster ignores it too); left out", r.agent, conf::quote(a)));
                        continue;
                    }
                    p.params.emplace_back(a.substr(0, eq), a.substr(eq + 1));
                }
                return p;
            }
            case conf::AgentKind::lsb:
                p.cls = "lsb";
                p.provider.clear();
                p.type = r.agent;
                p.id = unique_id(r.agent);
                return p;
            case conf::AgentKind::heartbeat:
                break;
        }
        if (r.agent == "drbddisk") {
            warn(haresources_, g.line,
                 fmt::format("{}: not carried over: DRBD is a promotable clone in Pacemaker (ocf:linbit:drbd), ordered and "
                             "colocated with this group; left out of the group",
                             r.word));
            return std::nullopt;
        }
        for (const auto& w : wrappers()) {
            if (w.name != r.agent) continue;
            p.type = std::string(w.type);
            p.id = unique_id(p.type);
            if (auto special = wrapper_params(w.name, r.args)) {
                p.params = std::move(*special);
            } else {
                for (std::size_t i = 0; i < r.args.size(); ++i) {
                    if (i < w.params.size()) p.params.emplace_back(std::string(w.params[i]), r.args[i]);
                    else warn(haresources_, g.line, fmt::format("{}: argument {} (\"{}\") has no OCF parameter; left out", r.agent, i + 1, conf::quote(r.args[i])));
                }
            }
            info(haresources_, g.line, fmt::format("resource.d/{} becomes ocf:heartbeat:{} (its arguments named as the wrapper names them)", r.agent, p.type));
            return p;
        }
        // A site's own resource.d script: Pacemaker 2 has no "heartbeat" resource class.
        p.cls = "lsb";
        p.provider.clear();
        p.type = r.agent;
        p.id = unique_id(r.agent);
        if (env_.has_init_script(r.agent))
            warn(haresources_, g.line,
                 fmt::format("resource.d/{}: Pacemaker has no class for Heartbeat scripts; mapped to lsb:{}, the init script of "
                             "the same name: check that it does the same",
                             r.agent, r.agent));
        else
            warn(haresources_, g.line,
                 fmt::format("resource.d/{}: Pacemaker has no class for Heartbeat scripts; exported as lsb:{}: install it as "
                             "/etc/init.d/{} (LSB exit codes: status exits 3 when stopped) or write an OCF agent",
                             r.agent, r.agent, r.agent));
        if (!r.args.empty())
            warn(haresources_, g.line, fmt::format("resource.d/{}: its arguments ({}) cannot be passed to an LSB script", r.agent, fmt::join(r.args, " ")));
        return p;
    }

    void build_groups() {
        for (const auto& g : c_.haresources.groups) {
            Group group;
            group.source = &g;
            for (const auto& r : g.resources)
                if (auto p = primitive(g, r)) group.primitives.push_back(std::move(*p));
            if (group.primitives.empty()) {
                warn(haresources_, g.line, "no resource of this group could be carried over; group left out");
                continue;
            }
            group.id = unique_id("group_" + group.primitives.front().id);
            if (std::find(cf_.nodes.begin(), cf_.nodes.end(), g.node) == cf_.nodes.end())
                warn(haresources_, g.line, fmt::format("node {} is not a node of ha.cf; no location preference", g.node));
            groups_.push_back(std::move(group));
        }
    }

    bool ipfail() const {
        return std::any_of(cf_.respawns.begin(), cf_.respawns.end(), [](const conf::Respawn& r) { return r.is_ipfail(); });
    }

    static void nvpair(XmlWriter& x, const std::string& owner, const std::string& name, const std::string& value) {
        x.empty("nvpair", {{"id", xml_id(owner + "-" + name)}, {"name", name}, {"value", value}});
    }

    static void write_primitive(XmlWriter& x, const Primitive& p) {
        XmlWriter::Attributes a{{"id", p.id}, {"class", p.cls}};
        if (!p.provider.empty()) a.emplace_back("provider", p.provider);
        a.emplace_back("type", p.type);
        if (p.params.empty()) return x.empty("primitive", a);
        x.open("primitive", a);
        x.open("instance_attributes", {{"id", p.id + "-instance_attributes"}});
        for (const auto& [name, value] : p.params) nvpair(x, p.id + "-instance_attributes", name, value);
        x.close();
        x.close();
    }

    std::string cib() {
        XmlWriter x;
        x.comment(fmt::format("Pacemaker CIB exported by `hamaster export pacemaker` from {}/ha.cf and haresources. "
                              "Check it with crm_verify and load it with cibadmin (see hamaster(8)).",
                              c_.dir));
        x.open("cib", {{"validate-with", "pacemaker-3.0"}, {"epoch", "1"}, {"num_updates", "0"}, {"admin_epoch", "0"}});
        x.open("configuration");
        x.open("crm_config");
        x.open("cluster_property_set", {{"id", "cib-bootstrap-options"}});
        x.comment("No fencing was configured under Heartbeat: configure a fence device, then set stonith-enabled to true");
        nvpair(x, "cib-bootstrap-options", "stonith-enabled", "false");
        nvpair(x, "cib-bootstrap-options", "no-quorum-policy", "stop");
        nvpair(x, "cib-bootstrap-options", "dc-deadtime", seconds_text(cf_.initdead));
        nvpair(x, "cib-bootstrap-options", "cluster-name", cf_.cluster);
        x.close();
        x.close();
        x.open("nodes");
        for (std::size_t n = 0; n < cf_.nodes.size(); ++n) x.empty("node", {{"id", std::to_string(n + 1)}, {"uname", cf_.nodes[n]}});
        x.close();

        x.open("resources");
        for (const auto& g : groups_) {
            x.comment(fmt::format("haresources line {}: {}", g.source->line, g.source->text));
            x.open("group", {{"id", g.id}});
            for (const auto& p : g.primitives) write_primitive(x, p);
            x.close();
        }
        std::vector<std::string> hosts;
        for (const auto& pn : cf_.ping_nodes)
            for (const auto& h : pn.hosts)
                if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
        const bool ping = !hosts.empty();
        if (ping) {
            x.comment("ping and ping_group of ha.cf: each node's pingd attribute is 1000 x the ping nodes it reaches");
            x.open("clone", {{"id", "ping-clone"}});
            x.open("primitive", {{"id", "ping"}, {"class", "ocf"}, {"provider", "pacemaker"}, {"type", "ping"}});
            x.open("instance_attributes", {{"id", "ping-instance_attributes"}});
            nvpair(x, "ping-instance_attributes", "host_list", fmt::format("{}", fmt::join(hosts, " ")));
            nvpair(x, "ping-instance_attributes", "multiplier", std::to_string(kPingMultiplier));
            nvpair(x, "ping-instance_attributes", "dampen", seconds_text(cf_.deadping));
            x.close();
            x.open("operations");
            x.empty("op", {{"id", "ping-monitor-interval-10s"}, {"name", "monitor"}, {"interval", "10s"}, {"timeout", "60s"}});
            x.close();
            x.close();
            x.close();
        }
        x.close();

        x.open("constraints");
        for (const auto& g : groups_) {
            const std::string& node = g.source->node;
            if (std::find(cf_.nodes.begin(), cf_.nodes.end(), node) == cf_.nodes.end()) continue;
            x.empty("rsc_location", {{"id", xml_id("prefer-" + g.id)}, {"rsc", g.id}, {"node", node}, {"score", std::to_string(kPreferred)}});
            if (ping && ipfail()) {
                const std::string id = xml_id("connected-" + g.id);
                x.open("rsc_location", {{"id", id}, {"rsc", g.id}});
                x.open("rule", {{"id", id + "-rule"}, {"score-attribute", "pingd"}});
                x.empty("expression", {{"id", id + "-rule-defined"}, {"attribute", "pingd"}, {"operation", "defined"}});
                x.close();
                x.close();
            }
        }
        x.close();

        x.open("rsc_defaults");
        x.open("meta_attributes", {{"id", "rsc-options"}});
        nvpair(x, "rsc-options", "resource-stickiness", cf_.auto_failback == conf::AutoFailback::off ? std::to_string(kStickinessOff) : "0");
        x.close();
        x.close();
        x.close();  // configuration
        x.empty("status");
        x.close();  // cib
        return x.text();
    }

    // --- what does not map -------------------------------------------------------------------
    void not_carried_over() {
        warn("cib.xml", 0,
             "stonith-enabled=false: Heartbeat R1 did not fence, but Pacemaker needs fencing to recover safely from a "
             "split brain; configure a fence device (or sbd) and set stonith-enabled=true");
        if (cf_.auto_failback == conf::AutoFailback::legacy)
            warn(ha_cf_, cf_.line_of("auto_failback") ? cf_.line_of("auto_failback") : cf_.line_of("nice_failback"),
                 "auto_failback legacy (Heartbeat's default) has no Pacemaker equivalent: exported as on "
                 "(resource-stickiness 0, each group goes back to its haresources node)");
        if (cf_.nodes.size() != 2)
            warn(ha_cf_, cf_.line_of("node"), fmt::format("{} node(s): two_node quorum is set only for exactly two nodes", cf_.nodes.size()));
        for (const auto& r : cf_.respawns) {
            if (r.is_ipfail()) {
                if (!cf_.ping_nodes.empty())
                    info(ha_cf_, r.line, "ipfail becomes the ping clone and a location rule per group on pingd: a group "
                                         "runs where more ping nodes answer");
                continue;
            }
            warn(ha_cf_, r.line,
                 fmt::format("respawn {} {}: not carried over (Pacemaker respawns no programs); run it as a systemd "
                             "service with Restart=always, or as a systemd: or ocf:heartbeat:anything resource",
                             r.user, r.path));
        }
        if (!cf_.ping_nodes.empty() && !ipfail())
            info(ha_cf_, cf_.ping_nodes.front().line,
                 "ping nodes without ipfail: Heartbeat only reported them; the ping clone sets pingd, no rule uses it");
        for (const auto& pn : cf_.ping_nodes)
            if (pn.group)
                warn(ha_cf_, pn.line,
                     fmt::format("ping_group {}: ipfail counted the group as one node, up while any host answers; ping counts "
                                 "each host ({})",
                                 pn.name, fmt::join(pn.hosts, " ")));
        if (!cf_.watchdog.empty())
            warn(ha_cf_, cf_.line_of("watchdog"),
                 fmt::format("watchdog {}: not carried over; Pacemaker uses a watchdog through sbd (stonith-watchdog-timeout)", cf_.watchdog));
        if (cf_.given("warntime"))
            info(ha_cf_, cf_.line_of("warntime"), "warntime has no equivalent: knet logs links going down and up, not late heartbeats");
        if (!groups_.empty())
            info(haresources_, 0,
                 "no monitor operations: Heartbeat R1 never monitored a running resource; add `op monitor` per primitive "
                 "once its agent's status/monitor is trusted");
    }

    const conf::Config& c_;
    const conf::HaCf& cf_;
    const ExportEnvironment& env_;
    const std::string ha_cf_, haresources_, authkeys_;
    std::vector<Link> links_;
    std::vector<Group> groups_;
    std::set<std::string> ids_;
    PacemakerExport out_;
};

}  // namespace

PacemakerExport export_pacemaker(const conf::Config& config, const ExportEnvironment& environment) {
    return Exporter(config, environment).run();
}

}  // namespace ha::master
