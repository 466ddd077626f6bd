#include "heartbeatd-net/udp_link.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

#include "ipc/codec.hpp"

namespace ha::net {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

Error sys_error(const MediumSpec& spec, std::string_view what, int err) {
    return make_error("os", fmt::format("{} {}: {}: {}", medium_kind_name(spec.kind), spec.dev, what, std::strerror(err)));
}

template <class T>
int set_opt(int fd, int level, int name, const T& value) {
    return ::setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : errno;
}

}  // namespace

Result<std::uint32_t> broadcast_for(const std::string& dev, std::uint32_t address, std::uint32_t netmask,
                                    std::optional<std::uint32_t> reported) {
    const auto text = [](std::uint32_t a) { return asio::ip::address_v4(a).to_string(); };
    // glibc's getifaddrs reports the address itself when the kernel has no IFA_BROADCAST for it
    // (`ip addr add A/24 dev D` without `brd`); that is not a broadcast address, it is us.
    if (reported && *reported != address && *reported != 0) return *reported;
    const std::uint32_t host_bits = ~netmask;
    // /31 and /32 have no broadcast address (RFC 3021); the prefix must be contiguous.
    if (host_bits < 3 || (host_bits & (host_bits + 1)) != 0)
        return make_error("no_broadcast", fmt::format("bcast {}: {} (netmask {}) has no broadcast address; "
                                                      "use ucast or mcast on this interface",
                                                      dev, text(address), text(netmask)));
    return (address & netmask) | host_bits;
}

Result<std::string> interface_broadcast(const std::string& dev, ipc::Log* log) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return make_error("os", fmt::format("getifaddrs: {}", std::strerror(errno)));
    std::optional<Result<std::uint32_t>> found;
    bool derived = false;
    const auto host_order = [](const sockaddr* sa) { return ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr); };
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET || dev != a->ifa_name) continue;
        if ((a->ifa_flags & IFF_BROADCAST) == 0 || a->ifa_netmask == nullptr) continue;
        const std::uint32_t address = host_order(a->ifa_addr);
        std::optional<std::uint32_t> reported;
        if (a->ifa_broadaddr != nullptr && a->ifa_broadaddr->sa_family == AF_INET) reported = host_order(a->ifa_broadaddr);
        found = broadcast_for(dev, address, host_order(a->ifa_netmask), reported);
        derived = !reported || *reported == address || *reported == 0;
        break;
    }
    ::freeifaddrs(list);
    if (!found) return make_error("no_broadcast", fmt::format("bcast {}: interface has no IPv4 broadcast address", dev));
    if (!*found) return found->error();
    const std::string text = asio::ip::address_v4(found->value()).to_string();
    if (derived && log != nullptr)
        log->warn("bcast {}: the interface's address has no broadcast address set; sending to {}, derived from its "
                  "prefix", dev, text);
    return text;
}

UdpLink::UdpLink(asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)), socket_(io), buffer_(ipc::kMaxMessageBytes + 1) {}

UdpLink::~UdpLink() { stop(); }

Result<std::unique_ptr<UdpLink>> UdpLink::open(asio::io_context& io, const MediumSpec& spec, std::uint16_t udpport,
                                               const std::string& bind_address, ipc::Log& log) {
    std::unique_ptr<UdpLink> link(new UdpLink(io, spec.dev));
    boost::system::error_code ec;
    link->socket_.open(udp::v4(), ec);
    if (ec) return make_error("os", fmt::format("{} {}: socket: {}", medium_kind_name(spec.kind), spec.dev, ec.message()));
    const int fd = link->socket_.native_handle();
    const int one = 1;
    if (int e = set_opt(fd, SOL_SOCKET, SO_REUSEADDR, one)) return sys_error(spec, "SO_REUSEADDR", e);
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, spec.dev.c_str(), static_cast<socklen_t>(spec.dev.size() + 1)) != 0) {
        const int e = errno;
        if (e == EPERM || e == EACCES) {
            log.warn("{} {}: cannot bind the socket to the interface (SO_BINDTODEVICE needs CAP_NET_RAW); "
                     "packets from other interfaces are accepted too",
                     medium_kind_name(spec.kind), spec.dev);
        } else {
            return sys_error(spec, "SO_BINDTODEVICE", e);
        }
    }

    if (spec.port != 0 && spec.kind != MediumKind::mcast) udpport = spec.port;
    udp::endpoint local;
    auto parse = [&](const std::string& text, asio::ip::address_v4& out) {
        boost::system::error_code pec;
        out = asio::ip::make_address_v4(text, pec);
        return !pec;
    };
    asio::ip::address_v4 addr;
    switch (spec.kind) {
        case MediumKind::ucast: {
            if (!parse(spec.peer, addr)) return make_error("usage", fmt::format("ucast {}: peer {} is not an IPv4 address", spec.dev, spec.peer));
            link->destination_ = udp::endpoint(addr, udpport);
            asio::ip::address_v4 bind_addr = asio::ip::address_v4::any();
            if (!bind_address.empty() && !parse(bind_address, bind_addr)) {
                return make_error("usage", fmt::format("--bind {}: not an IPv4 address", bind_address));
            }
            local = udp::endpoint(bind_addr, udpport);
            break;
        }
        case MediumKind::bcast: {
            auto b = interface_broadcast(spec.dev, &log);
            if (!b) return b.error();
            parse(*b, addr);
            if (int e = set_opt(fd, SOL_SOCKET, SO_BROADCAST, one)) return sys_error(spec, "SO_BROADCAST", e);
            link->destination_ = udp::endpoint(addr, udpport);
            local = udp::endpoint(asio::ip::address_v4::any(), udpport);
            break;
        }
        case MediumKind::mcast: {
            if (!parse(spec.group, addr) || !addr.is_multicast()) {
                return make_error("usage", fmt::format("mcast {}: {} is not an IPv4 multicast group", spec.dev, spec.group));
            }
            const unsigned ifindex = ::if_nametoindex(spec.dev.c_str());
            if (ifindex == 0) return sys_error(spec, "if_nametoindex", errno);
            ip_mreqn mreq{};
            mreq.imr_multiaddr.s_addr = htonl(addr.to_uint());
            mreq.imr_ifindex = static_cast<int>(ifindex);
            if (int e = set_opt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq)) return sys_error(spec, "IP_ADD_MEMBERSHIP", e);
            ip_mreqn ifreq{};
            ifreq.imr_ifindex = static_cast<int>(ifindex);
            if (int e = set_opt(fd, IPPROTO_IP, IP_MULTICAST_IF, ifreq)) return sys_error(spec, "IP_MULTICAST_IF", e);
            const unsigned char ttl = static_cast<unsigned char>(spec.ttl);
            const unsigned char loop = spec.loop ? 1 : 0;
            if (int e = set_opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl)) return sys_error(spec, "IP_MULTICAST_TTL", e);
            if (int e = set_opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, loop)) return sys_error(spec, "IP_MULTICAST_LOOP", e);
            link->destination_ = udp::endpoint(addr, spec.port);
            local = udp::endpoint(addr, spec.port);
            break;
        }
    }
    link->socket_.bind(local, ec);
    if (ec) {
        return make_error(ec == boost::asio::error::access_denied ? "perm" : "os", fmt::format("{} {}: bind {}:{}: {}", medium_kind_name(spec.kind), spec.dev,
                                            local.address().to_string(), local.port(), ec.message()));
    }
    link->socket_.non_blocking(true, ec);
    if (ec) return make_error("os", fmt::format("{} {}: non-blocking: {}", medium_kind_name(spec.kind), spec.dev, ec.message()));
    return link;
}

void UdpLink::start(Receiver receiver) {
    receiver_ = std::move(receiver);
    wait_readable();
}

void UdpLink::stop() {
    *alive_ = false;
    boost::system::error_code ec;
    socket_.close(ec);
}

void UdpLink::wait_readable() {
    socket_.async_wait(udp::socket::wait_read, [this, alive = alive_](const boost::system::error_code& ec) {
        if (!*alive || ec) return;  // closed: operation_aborted
        drain();
    });
}

void UdpLink::drain() {
    const int fd = socket_.native_handle();
    for (int i = 0; i < kBatch; ++i) {
        sockaddr_in peer{};
        iovec iov{buffer_.data(), buffer_.size()};
        msghdr msg{};
        msg.msg_name = &peer;
        msg.msg_namelen = sizeof(peer);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        const ssize_t n = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR) continue;
            // EAGAIN: drained. Anything else (ECONNREFUSED from an earlier ICMP error) is not ours to
            // judge per packet; wait for the next datagram.
            wait_readable();
            return;
        }
        const bool truncated = (msg.msg_flags & MSG_TRUNC) != 0 || static_cast<std::size_t>(n) > buffer_.size();
        const std::size_t len = std::min(static_cast<std::size_t>(n), buffer_.size());
        if (last_sender_.address.empty() || peer.sin_addr.s_addr != last_peer_.sin_addr.s_addr ||
            peer.sin_port != last_peer_.sin_port) {
            char text[INET_ADDRSTRLEN] = {};
            ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
            last_sender_ = media::Sender{text, fmt::format("{}:{}", text, ntohs(peer.sin_port))};
            last_peer_ = peer;
        }
        receiver_(std::string_view(buffer_.data(), len), last_sender_, truncated);
        if (!*alive_) return;
    }
    // Batch used up: let the bus and the other links run, then continue.
    asio::post(io_, [this, alive = alive_] {
        if (*alive) drain();
    });
}

bool UdpLink::send(std::string_view datagram) {
    const auto& ep = destination_;
    const ssize_t n = ::sendto(socket_.native_handle(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               ep.data(), static_cast<socklen_t>(ep.size()));
    if (n < 0 || static_cast<std::size_t>(n) != datagram.size()) {
        last_error_ = n < 0 ? errno : EMSGSIZE;
        return false;
    }
    last_error_ = 0;
    return true;
}

}  // namespace ha::net
