// ArpGuard — see arp_guard.hpp.
#include "rscd/arp_guard.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "rscd/netlink_route.hpp"

namespace ha::rsc {

struct ArpGuard::Listener {
    Listener(boost::asio::io_context& io, int fd, int ifindex, std::string iface)
        : descriptor(io, fd), ifindex(ifindex), iface(std::move(iface)) {}
    boost::asio::posix::stream_descriptor descriptor;  // owns (closes) the socket
    int ifindex;
    std::string iface;
    bool warned = false;
    std::optional<ipc::SteadyTime> idle_since;  // no session has needed it since then
};

namespace {
// How long a socket no session needs stays open. Closing an AF_PACKET socket waits for an RCU
// grace period in the kernel (~10-15 ms measured), which would delay the start of the group that
// the verdict just cleared; lingering also serves the next session on the same interface.
constexpr std::chrono::seconds kLinger{2};
}  // namespace

ArpProbeOptions arp_probe_options(const conf::HaCf& ha_cf, const RscdOptions& options) {
    ArpProbeOptions o;
    o.interval = conf::guard_probe_interval(options.arp_probe_interval, ha_cf.keepalive);
    o.count = options.arp_probe_count;
    o.recheck = probe_recheck_interval(ha_cf.keepalive);
    o.deadtime = ha_cf.deadtime;
    return o;
}

namespace {

Result<HostView> read_host() {
    auto nl = NetlinkRoute::open();
    if (!nl) return nl.error();
    auto links = nl->links();
    if (!links) return links.error();
    auto addresses = nl->ipv4_addresses();
    if (!addresses) return addresses.error();
    return HostView{std::move(*addresses), std::move(*links)};
}

Error errno_error(std::string_view what, const std::string& iface) {
    return make_error("arp_send", fmt::format("{} on {}: {}", what, iface, std::strerror(errno)));
}

}  // namespace

ArpGuard::ArpGuard(boost::asio::io_context& io, const conf::Haresources& haresources, const ArpProbeOptions& options,
                   ProbeService::Send send, ipc::Clock& clock, ipc::Log& log)
    : io_(io), clock_(clock), log_(log),
      service_(haresources, options, read_host, std::move(send), [this](const ProbeTarget& t) { return send_probe(t); }, log),
      timer_(io), linger_(io) {}

ArpGuard::~ArpGuard() {
    timer_.cancel();
    linger_.cancel();
}

void ArpGuard::on_bus_message(const ipc::Message& message) {
    // A decisive rsc_probe may clear an early session at once: the replies already waiting in a
    // socket must count before that verdict.
    for (auto& entry : listeners_) drain(*entry.second);
    service_.on_bus_message(message, clock_.now());
    sync();
}

void ArpGuard::shutdown() {
    service_.shutdown();
    shutting_down_ = true;  // nothing lingers: rscd is about to exit
    sync();
}

Result<std::shared_ptr<ArpGuard::Listener>> ArpGuard::listener(const ProbeTarget& target) {
    if (auto it = listeners_.find(target.ifindex); it != listeners_.end()) return it->second;
    const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (fd < 0) return errno_error("cannot open an ARP socket", target.iface);
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(ETH_P_ARP);
    at.sll_ifindex = target.ifindex;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) < 0) {
        auto e = errno_error("cannot bind an ARP socket", target.iface);
        ::close(fd);
        return e;
    }
    auto l = std::make_shared<Listener>(io_, fd, target.ifindex, target.iface);
    listeners_[target.ifindex] = l;
    wait(l);
    return l;
}

Result<void> ArpGuard::send_probe(const ProbeTarget& target) {
    auto l = listener(target);
    if (!l) return l.error();
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = target.ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);  // Ethernet broadcast
    const auto payload = arp_probe_payload(target);
    if (::sendto((*l)->descriptor.native_handle(), payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to) < 0)
        return errno_error("ARP probe not sent", target.iface);
    return {};
}

void ArpGuard::wait(const std::shared_ptr<Listener>& l) {
    l->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             [this, weak = std::weak_ptr<Listener>(l)](const boost::system::error_code& ec) {
                                 auto me = weak.lock();
                                 if (ec || !me) return;
                                 drain(*me);
                                 sync();
                                 if (listeners_.count(me->ifindex) && listeners_[me->ifindex] == me) wait(me);
                             });
}

void ArpGuard::drain(Listener& l) {
    // A bounded batch per wake-up keeps the handler short under a flood; the next wait fires at once.
    for (int i = 0; i < 64; ++i) {
        std::array<unsigned char, 256> buf{};
        sockaddr_ll from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(l.descriptor.native_handle(), buf.data(), buf.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && !l.warned) {
                l.warned = true;
                log_.warn("ARP socket on {}: read failed: {}", l.iface, std::strerror(errno));
            }
            return;
        }
        const auto packet = parse_arp_packet(std::span<const unsigned char>(buf.data(), static_cast<std::size_t>(n)),
                                             from.sll_ifindex, from.sll_pkttype == PACKET_OUTGOING);
        if (packet) service_.on_packet(*packet, clock_.now());
    }
}

void ArpGuard::sync() {
    const auto wanted = service_.interfaces();
    const auto now = clock_.now();
    std::optional<ipc::SteadyTime> close_at;
    std::erase_if(listeners_, [&](const auto& entry) {
        Listener& l = *entry.second;
        if (std::find(wanted.begin(), wanted.end(), entry.first) != wanted.end()) {
            l.idle_since.reset();
            return false;
        }
        if (!l.idle_since) l.idle_since = now;
        if (shutting_down_ || now - *l.idle_since >= kLinger) return true;
        if (!close_at || *l.idle_since + kLinger < *close_at) close_at = *l.idle_since + kLinger;
        return false;
    });
    linger_.cancel();
    if (close_at) {
        linger_.expires_at(*close_at);
        linger_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) sync();
        });
    }
    timer_.arm(service_.next_deadline(), [this] {
        // A reply already in a socket must count before a verdict: when the loop was late, the
        // timer and the socket may be ready at once, in either order.
        for (auto& entry : listeners_) drain(*entry.second);
        service_.on_tick(clock_.now());
        sync();
    });
}

}  // namespace ha::rsc
