#include "heartbeatd-net/net_setup.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "ipc/config/authkeys.hpp"
#include "ipc/config/config.hpp"
#include "ipc/config/diagnostics.hpp"
#include "ipc/daemon.hpp"

namespace ha::net {

Result<ipc::AuthKeys> load_authkeys(const std::string& config_dir, ipc::Log& log) {
    const std::string path = config_dir + "/authkeys";
    struct ::stat opened {};
    auto text = conf::read_config_file(path, &opened);
    if (!text) return make_error("config", text.error().message);
    conf::Diagnostics diagnostics;
    conf::check_authkeys_permissions(path, opened, diagnostics);
    ipc::AuthKeys keys = conf::parse_authkeys(path, *text, diagnostics);
    std::string errors;
    for (const auto& d : diagnostics.items()) {
        if (d.severity == conf::Severity::error) {
            errors += (errors.empty() ? "" : "; ") + conf::render(d);
        } else {
            log.warn("{}", conf::render(d));
        }
    }
    if (!errors.empty()) return make_error("config", errors);
    if (keys.active_key() == nullptr) return make_error("config", fmt::format("{}: no usable `auth` line", path));
    return keys;
}

Result<void> resolve_peers(NetOptions& options) {
    for (auto& m : options.media) {
        if (m.kind != MediumKind::ucast) continue;
        in_addr a{};
        if (::inet_pton(AF_INET, m.peer.c_str(), &a) == 1) continue;
        addrinfo hints{};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* res = nullptr;
        const int rc = ::getaddrinfo(m.peer.c_str(), nullptr, &hints, &res);
        if (rc != 0 || res == nullptr) {
            return make_error("config", fmt::format("ucast {} {}: cannot resolve: {}", m.dev, m.peer, ::gai_strerror(rc)));
        }
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(res->ai_addr)->sin_addr, text, sizeof(text));
        ::freeaddrinfo(res);
        m.peer = text;
    }
    return {};
}

Result<std::vector<std::unique_ptr<UdpLink>>> open_links(boost::asio::io_context& io, const NetOptions& options, ipc::Log& log) {
    std::vector<std::unique_ptr<UdpLink>> links;
    for (const auto& m : options.media) {
        auto link = UdpLink::open(io, m, options.udpport, options.bind_address, log);
        if (!link) return link.error();
        log.info("{} {} on port {}, sending to {}", medium_kind_name(m.kind), m.dev, link.value()->local_port(),
                 link.value()->destination());
        links.push_back(std::move(link.value()));
    }
    return links;
}

void reload_authkeys(const std::string& config_dir, MediaBridge& bridge, ipc::Log& log) {
    auto keys = load_authkeys(config_dir, log);
    if (!keys) {
        log.error("authkeys not re-read, keeping the old keys: {}", keys.error().message);
        return;
    }
    bridge.set_keys(*keys);
    log.info("authkeys re-read: signing with key {}", keys->active);
}

int exit_code_for(const Error& error) {
    if (error.code == "config" || error.code == "usage") return ipc::kExitConfig;
    if (error.code == "perm") return ipc::kExitNoPerm;
    return 1;
}

}  // namespace ha::net
