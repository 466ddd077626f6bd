// ArpAnnouncer — see arp_announcer.hpp.
#include "rscd/arp_announcer.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>

#include "ipc/clock.hpp"
#include "rscd/ip_target.hpp"

namespace ha::rsc {

struct ArpAnnouncer::Announcement {
    explicit Announcement(boost::asio::io_context& io) : timer(io) {}
    ~Announcement() {
        if (fd >= 0) ::close(fd);
    }
    GratuitousArp garp;
    boost::asio::steady_timer timer;
    int fd = -1;
    int sent_rounds = 0;
    bool warned = false;
    bool ended = false;
};

std::array<unsigned char, 28> arp_payload(const GratuitousArp& garp, bool reply) {
    std::array<unsigned char, 28> p{};
    const std::uint32_t ip = htonl(garp.address);
    p[0] = 0; p[1] = ARPHRD_ETHER;          // hardware type
    p[2] = 0x08; p[3] = 0x00;               // protocol IPv4
    p[4] = 6; p[5] = 4;                     // lengths
    p[6] = 0; p[7] = reply ? ARPOP_REPLY : ARPOP_REQUEST;
    std::memcpy(&p[8], garp.mac.data(), 6); // sender MAC
    std::memcpy(&p[14], &ip, 4);            // sender IP = VIP
    if (reply) std::memcpy(&p[18], garp.mac.data(), 6);  // target MAC = sender MAC (gratuitous reply)
    std::memcpy(&p[24], &ip, 4);            // target IP = VIP
    return p;
}

ArpAnnouncer::ArpAnnouncer(boost::asio::io_context& io, ipc::Log& log, int rounds, std::chrono::milliseconds interval)
    : io_(io), log_(log), rounds_(rounds), interval_(interval) {}

ArpAnnouncer::~ArpAnnouncer() {
    for (auto& [addr, a] : active_) {
        a->ended = true;
        a->timer.cancel();
    }
}

void ArpAnnouncer::announce(const GratuitousArp& garp) {
    cancel(garp.address);
    auto a = std::make_shared<Announcement>(io_);
    a->garp = garp;
    a->fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (a->fd < 0) {
        log_.warn("IPaddr: cannot open a packet socket for gratuitous ARP on {}: {}", garp.iface, std::strerror(errno));
        return;
    }
    log_.info("IPaddr: Sending {} gratuitous ARPs for {} on {} every {} ms", rounds_, ipv4_text(garp.address), garp.iface,
              interval_.count());
    active_[garp.address] = a;
    round(a);
}

void ArpAnnouncer::round(const std::shared_ptr<Announcement>& a) {
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = a->garp.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    for (bool reply : {false, true}) {
        const auto payload = arp_payload(a->garp, reply);
        if (::sendto(a->fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0 && !a->warned) {
            a->warned = true;
            log_.warn("IPaddr: gratuitous ARP for {} on {} failed: {}", ipv4_text(a->garp.address), a->garp.iface,
                      std::strerror(errno));
        }
    }
    if (a->sent_rounds == 0)
        log_.debug("takeover path: first gratuitous ARP for {} sent on {} ({})", ipv4_text(a->garp.address),
                   a->garp.iface, ipc::mono_text(std::chrono::steady_clock::now()));
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
    auto it = active_.find(a->garp.address);
    if (it != active_.end() && it->second == a) active_.erase(it);
    if (active_.empty() && on_idle_) on_idle_();
}

void ArpAnnouncer::cancel(std::uint32_t address) {
    auto it = active_.find(address);
    if (it == active_.end()) return;
    auto a = it->second;
    end(a);
}

}  // namespace ha::rsc
