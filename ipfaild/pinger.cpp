#include "ipfaild/pinger.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>

#include <boost/asio/post.hpp>

#include "ipfaild/echo_packet.hpp"

namespace ha::ipfail {

std::vector<PingTarget> resolve_targets(const std::vector<std::string>& hosts, ipc::Log& log) {
    std::vector<PingTarget> out;
    for (const auto& h : hosts) {
        PingTarget t{h, 0};
        in_addr a{};
        if (::inet_pton(AF_INET, h.c_str(), &a) == 1) {
            t.address = a.s_addr;
        } else {
            addrinfo hints{};
            hints.ai_family = AF_INET;
            addrinfo* res = nullptr;
            const int rc = ::getaddrinfo(h.c_str(), nullptr, &hints, &res);
            if (rc == 0 && res != nullptr) {
                t.address = reinterpret_cast<const sockaddr_in*>(res->ai_addr)->sin_addr.s_addr;
            } else {
                log.warn("Ping node {}: cannot resolve it ({}); it will never answer.", h, ::gai_strerror(rc));
            }
            if (res != nullptr) ::freeaddrinfo(res);
        }
        out.push_back(std::move(t));
    }
    return out;
}

Result<std::unique_ptr<Pinger>> Pinger::open(boost::asio::io_context& io, const ipc::Clock& clock, ipc::Log& log) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
    bool raw = false;
    std::uint16_t id = 0;
    if (fd >= 0) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        socklen_t len = sizeof local;
        // Binding port 0 makes the kernel choose our echo id now, so we can read it back.
        if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
            const int e = errno;
            ::close(fd);
            return make_error("socket", fmt::format("ICMP datagram socket: bind: {}", std::strerror(e)));
        }
        id = ntohs(local.sin_port);
    } else {
        const int dgram_errno = errno;
        fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd < 0) {
            const int e = errno;
            return make_error(e == EPERM || e == EACCES ? "no_perm" : "socket",
                              fmt::format("no ICMP socket: datagram: {} (net.ipv4.ping_group_range), raw: {}",
                                          std::strerror(dgram_errno), std::strerror(e)));
        }
        raw = true;
        std::random_device rd;
        id = static_cast<std::uint16_t>(rd());
    }
    log.info("ICMP echo socket: {}, id {}", raw ? "raw" : "datagram", id);
    return std::unique_ptr<Pinger>(new Pinger(io, fd, raw, id, clock, log));
}

Pinger::Pinger(boost::asio::io_context& io, int fd, bool raw, std::uint16_t id, const ipc::Clock& clock, ipc::Log& log)
    : timer_(io), socket_(io, fd), raw_(raw), matcher_(id), log_(log), limited_(log, clock) {}

Pinger::~Pinger() {
    timer_.cancel();
    boost::system::error_code ec;
    socket_.close(ec);
}

void Pinger::start(std::vector<PingTarget> targets, std::chrono::milliseconds interval, PayloadFn payload,
                   ReplyFn on_reply) {
    targets_ = std::move(targets);
    interval_ = interval;
    payload_ = std::move(payload);
    on_reply_ = std::move(on_reply);
    wait_read();
    probe_all();
}

void Pinger::probe_all() {
    for (const auto& t : targets_) {
        if (t.address == 0) continue;
        const std::uint16_t seq = ++seq_;
        std::string body = payload_(seq);
        if (body.size() > kMaxEchoPayload) body.resize(kMaxEchoPayload);
        const std::string packet = build_echo_request(matcher_.id(), seq, body);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = t.address;
        const ssize_t n = ::sendto(socket_.native_handle(), packet.data(), packet.size(), MSG_DONTWAIT,
                                   reinterpret_cast<const sockaddr*>(&to), sizeof to);
        if (n < 0) {
            ++send_failed_;
            limited_.warn("send_" + t.host, "ping: cannot send to {}: {}", t.host, std::strerror(errno));
            continue;
        }
        ++sent_;
        matcher_.sent(t.address, seq, std::move(body));
    }
    timer_.expires_after(interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) probe_all();
    });
}

void Pinger::wait_read() {
    socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        drain();
        wait_read();
    });
}

void Pinger::drain() {
    std::array<char, 2048> buf{};
    for (int i = 0; i < 256; ++i) {
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(socket_.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) return;  // EAGAIN: drained (errors like ECONNREFUSED are not ours to act on)
        auto reply = parse_echo_reply(std::string_view(buf.data(), static_cast<std::size_t>(n)), raw_);
        if (!reply) {
            if (reply.error().code != "not_reply") log_.debug("ping: dropped packet: {}", reply.error().message);
            continue;
        }
        if (!matcher_.match(from.sin_addr.s_addr, *reply)) continue;
        for (const auto& t : targets_)
            if (t.address == from.sin_addr.s_addr) on_reply_(t.host);
    }
    // A busy socket (raw sockets see every ICMP packet) must not starve the loop: go round again.
    boost::asio::post(socket_.get_executor(), [this] { drain(); });
}

}  // namespace ha::ipfail
