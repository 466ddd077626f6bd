// ArpAnnouncer — see arp_announcer.hpp.
#include "rscd/arp_announcer.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>

#include "ipc/clock.hpp"
#include "rscd/ndp_packet.hpp"

namespace ha::rsc {

struct ArpAnnouncer::Announcement {
    explicit Announcement(boost::asio::io_context& io) : timer(io) {}
    ~Announcement() {
        if (fd >= 0) ::close(fd);
    }
    VipAnnouncement vip;
    boost::asio::steady_timer timer;
    int fd = -1;
    int sent_rounds = 0;
    bool warned = false;
    bool ended = false;
};

std::array<unsigned char, 28> arp_payload(const VipAnnouncement& garp, bool reply) {
    std::array<unsigned char, 28> p{};
    p[0] = 0; p[1] = ARPHRD_ETHER;          // hardware type
    p[2] = 0x08; p[3] = 0x00;               // protocol IPv4
    p[4] = 6; p[5] = 4;                     // lengths
    p[6] = 0; p[7] = reply ? ARPOP_REPLY : ARPOP_REQUEST;
    std::memcpy(&p[8], garp.mac.data(), 6); // sender MAC
    std::memcpy(&p[14], garp.address.bytes().data(), 4);  // sender IP = VIP
    if (reply) std::memcpy(&p[18], garp.mac.data(), 6);  // target MAC = sender MAC (gratuitous reply)
    std::memcpy(&p[24], garp.address.bytes().data(), 4);  // target IP = VIP
    return p;
}

namespace {

// The send-only raw ICMPv6 socket of an IPv6 announcement (header comment); -1 with errno set.
int open_na_socket(const VipAnnouncement& vip) {
    const int fd = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (fd < 0) return -1;
    const int hops = 255;  // RFC 4861: receivers drop neighbour discovery with any other hop limit
    const int loop = 0;
    const unsigned ifindex = static_cast<unsigned>(vip.ifindex);
    icmp6_filter none{};
    ICMP6_FILTER_SETBLOCKALL(&none);
    sockaddr_in6 self{};
    self.sin6_family = AF_INET6;
    std::memcpy(&self.sin6_addr, vip.address.bytes().data(), 16);
    self.sin6_scope_id = ifindex;
    if (::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof none) < 0 ||
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0 ||
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop) < 0 ||
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&self), sizeof self) < 0) {
        const int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

}  // namespace

ArpAnnouncer::ArpAnnouncer(boost::asio::io_context& io, ipc::Log& log, int rounds, std::chrono::milliseconds interval)
    : io_(io), log_(log), rounds_(rounds), interval_(interval) {}

ArpAnnouncer::~ArpAnnouncer() {
    for (auto& [addr, a] : active_) {
        a->ended = true;
        a->timer.cancel();
    }
}

bool ArpAnnouncer::announce(const VipAnnouncement& vip) {
    cancel(vip.address);
    auto a = std::make_shared<Announcement>(io_);
    a->vip = vip;
    const bool v6 = vip.address.is_v6();
    a->fd = v6 ? open_na_socket(vip) : ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (a->fd < 0) {
        log_.warn("{}: cannot open a {} socket for {} on {}: {}", vip.agent, v6 ? "raw ICMPv6" : "packet",
                  v6 ? "neighbour advertisements" : "gratuitous ARP", vip.iface, std::strerror(errno));
        return false;
    }
    log_.info("{}: Sending {} {} for {} on {} every {} ms", vip.agent, rounds_,
              v6 ? "unsolicited neighbour advertisements" : "gratuitous ARPs", vip.address.text(), vip.iface, interval_.count());
    active_[vip.address] = a;
    round(a);
    return true;
}

bool ArpAnnouncer::send_arp(const Announcement& a) {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = a.vip.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    bool ok = true;
    for (bool reply : {false, true}) {
        const auto payload = arp_payload(a.vip, reply);
        if (::sendto(a.fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) ok = false;
    }
    return ok;
}

bool ArpAnnouncer::send_na(const Announcement& a) {
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_addr.s6_addr[0] = 0xff;  // ff02::1, all nodes on the link
    to.sin6_addr.s6_addr[1] = 0x02;
    to.sin6_addr.s6_addr[15] = 0x01;
    to.sin6_scope_id = static_cast<std::uint32_t>(a.vip.ifindex);
    const auto payload = neighbour_advertisement(a.vip.address, a.vip.mac);
    return ::sendto(a.fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) >= 0;
}

void ArpAnnouncer::round(const std::shared_ptr<Announcement>& a) {
    const bool v6 = a->vip.address.is_v6();
    if (!(v6 ? send_na(*a) : send_arp(*a)) && !a->warned) {
        a->warned = true;
        log_.warn("{}: {} for {} on {} failed: {}", a->vip.agent, v6 ? "neighbour advertisement" : "gratuitous ARP",
                  a->vip.address.text(), a->vip.iface, std::strerror(errno));
    }
    if (a->sent_rounds == 0)
        log_.debug("takeover path: first {} for {} sent on {} ({})", v6 ? "neighbour advertisement" : "gratuitous ARP",
                   a->vip.address.text(), a->vip.iface, ipc::mono_text(std::chrono::steady_clock::now()));
    if (++a->sent_rounds >= rounds_) return end(a);
    a->timer.expires_after(interval_);
    a->timer.async_wait([this, a](const boost::system::error_code& ec) {
        if (ec || a->ended) return;
        round(a);
    });
}

void ArpAnnouncer::end(const std::shared_ptr<Announcement>& a) {
    a->ended = true;
    a->timer.cancel();
    auto it = active_.find(a->vip.address);
    if (it != active_.end() && it->second == a) active_.erase(it);
    if (active_.empty() && on_idle_) on_idle_();
}

void ArpAnnouncer::cancel(const IpAddress& address) {
    auto it = active_.find(address);
    if (it == active_.end()) return;
    auto a = it->second;
    end(a);
}

}  // namespace ha::rsc
