#include "heartbeatd-net/net_setup.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace ha::net {

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

}  // namespace ha::net
