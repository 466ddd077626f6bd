// Config — see config.hpp.
#include "ipc/config/config.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ipc/config/authkeys.hpp"
#include "ipc/config/lexer.hpp"

namespace ha::conf {

std::vector<std::string> Config::peers() const {
    std::vector<std::string> out;
    for (const auto& n : ha_cf.nodes) {
        if (n != local_node) out.push_back(n);
    }
    return out;
}

std::vector<const ResourceGroup*> Config::groups_of(std::string_view node) const {
    std::vector<const ResourceGroup*> out;
    for (const auto& g : haresources.groups) {
        if (g.node == node) out.push_back(&g);
    }
    return out;
}

namespace {

// crc on a UDP link is no authentication at all: anyone who can send to udpport can forge any
// cluster message (a serial cable at least needs physical access). Heartbeat allows it; we allow it
// too, for compatibility, but say so loudly, naming the medium's line.
void warn_crc_on_udp(const Config& config, std::string_view ha_cf_path, Diagnostics& diag) {
    const ipc::AuthKey* active = config.authkeys.active_key();
    if (active == nullptr || active->method != ipc::AuthMethod::crc) return;
    for (const auto& m : config.ha_cf.media) {
        if (m.kind == MediumKind::serial) continue;
        diag.warning(ha_cf_path, m.line,
                     fmt::format("INSECURE: {} {}: authkeys signs with crc (auth {}), a checksum anyone on that network can "
                                 "compute: forged heartbeats can keep a dead peer alive or make a live one look dead. "
                                 "Use sha1 (or md5) on every UDP link",
                                 medium_kind_name(m.kind), m.device, config.authkeys.active));
    }
}

}  // namespace

Result<std::string> read_config_file(const std::string& path, struct ::stat* opened) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return make_error("open", fmt::format("cannot open: {}", std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return make_error("stat", fmt::format("cannot stat: {}", std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) return make_error("not_file", "not a regular file");
    if (opened != nullptr) *opened = st;
    if (static_cast<std::size_t>(st.st_size) > kMaxFileSize)
        return make_error("too_big", fmt::format("file too large ({} bytes, limit {}); nothing read", st.st_size, kMaxFileSize));
    std::string text;
    text.resize(kMaxFileSize + 1);
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error("read", fmt::format("cannot read: {}", std::strerror(errno)));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxFileSize) return make_error("too_big", fmt::format("file too large (limit {} bytes); nothing read", kMaxFileSize));
    text.resize(got);
    return text;
}

LoadResult load_config(std::string_view dir_in, std::string_view local_node, const LoadOptions& options) {
    std::string dir(dir_in);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const std::string ha_cf_path = dir + "/ha.cf";
    const std::string haresources_path = dir + "/haresources";
    const std::string authkeys_path = dir + "/authkeys";
    Diagnostics diag;

    Config config;
    config.dir = dir;
    config.local_node = to_lower(local_node);

    auto read = [&](const std::string& path, struct ::stat* opened = nullptr) -> std::optional<std::string> {
        auto r = read_config_file(path, opened);
        if (!r) {
            diag.error(path, 0, r.error().message);
            return std::nullopt;
        }
        return std::move(r).value();
    };

    // ha.cf
    const auto ha_cf_text = read(ha_cf_path);
    if (ha_cf_text) {
        config.ha_cf = parse_ha_cf(ha_cf_path, *ha_cf_text, diag);
        HaCf& cf = config.ha_cf;
        if (!cf.nodes.empty() && std::find(cf.nodes.begin(), cf.nodes.end(), config.local_node) == cf.nodes.end()) {
            diag.error(ha_cf_path, cf.line_of("node"), fmt::format("Current node [{}] not in configuration!", quote(config.local_node)));
            diag.info(ha_cf_path, cf.line_of("node"), fmt::format("the node lines name: {}", *cf.parameter("node")));
            diag.info(ha_cf_path, cf.line_of("node"),
                      "the local name comes from `uname -n` (or --node); names are compared ignoring case");
        }
        for (Medium& m : cf.media) {
            if (m.kind != MediumKind::ucast) continue;
            const std::string peer = to_lower(m.peer);
            m.self = peer == config.local_node ||
                     std::find(options.local_addresses.begin(), options.local_addresses.end(), m.peer) != options.local_addresses.end();
        }
        // `respawn USER PROG`: an unknown USER must never mean "run PROG as root" (issue 20).
        for (const Respawn& r : cf.respawns) {
            struct passwd pw {};
            struct passwd* found = nullptr;
            std::vector<char> buf(16384);
            if (::getpwnam_r(r.user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
                diag.error(ha_cf_path, r.line,
                           fmt::format("respawn: unknown user \"{}\" (no such account; {} would otherwise run as root)",
                                       quote(r.user), r.path));
        }
        if (!cf.metrics_textfile_dir.empty()) {
            // Checked here, not by the pure parser: the directory is on this machine.
            struct ::stat st {};
            const bool found = ::stat(cf.metrics_textfile_dir.c_str(), &st) == 0;
            const std::string why = !found ? std::strerror(errno) : S_ISDIR(st.st_mode) ? "" : "not a directory";
            if (!why.empty())
                diag.error(ha_cf_path, cf.line_of("metrics_textfile_dir"),
                           fmt::format("metrics_textfile_dir {}: {}", quote(cf.metrics_textfile_dir), why));
        }
        const bool has_ipfail = std::any_of(cf.respawns.begin(), cf.respawns.end(), [](const Respawn& r) { return r.is_ipfail(); });
        if (has_ipfail && cf.ping_nodes.empty())
            diag.warning(ha_cf_path, cf.line_of("respawn"), "ipfail is respawned but no ping or ping_group is configured: it has nothing to compare");
    }

    // haresources
    if (const auto text = read(haresources_path)) {
        config.haresources = parse_haresources(haresources_path, *text, diag);
        if (ha_cf_text && !config.ha_cf.nodes.empty()) {
            const auto& nodes = config.ha_cf.nodes;
            for (const auto& g : config.haresources.groups) {
                if (std::find(nodes.begin(), nodes.end(), g.node) == nodes.end())
                    diag.error(haresources_path, g.line,
                               fmt::format("node [{}] is not a cluster node (ha.cf names: {})", quote(g.node), *config.ha_cf.parameter("node")));
            }
        }
        resolve_resources(config.haresources, haresources_path,
                          {.resource_dir = dir + "/resource.d", .init_dir = options.init_dir, .ocf_root = options.ocf_root}, diag);
    }

    // authkeys
    struct ::stat authkeys_stat {};
    if (const auto text = read(authkeys_path, &authkeys_stat)) {
        if (options.check_authkeys_permissions) check_authkeys_permissions(authkeys_path, authkeys_stat, diag);
        config.authkeys = parse_authkeys(authkeys_path, *text, diag);
        warn_crc_on_udp(config, ha_cf_path, diag);
    }

    LoadResult result;
    if (!diag.has_errors()) result.config = std::move(config);
    result.diagnostics = diag.take();
    return result;
}

}  // namespace ha::conf
