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
#include <set>

#include "rscd/netlink_route.hpp"
#include "rscd/probe_transport.hpp"

namespace ha::rsc {

struct ArpGuard::Listener {
    Listener(boost::asio::io_context& io, int fd, ProbeInterface where, std::string iface)
        : descriptor(io, fd), where(where), iface(std::move(iface)), transport(probe_transport(where.family)) {}
    boost::asio::posix::stream_descriptor descriptor;  // owns (closes) the socket
    ProbeInterface where;
    std::string iface;
    const ProbeTransport& transport;
    std::set<MacAddress> joined;  // multicast groups added to the socket (dropped with it)
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
    auto addresses = nl->addresses();
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
    const ProbeInterface where{target.ifindex, target.address.family()};
    if (auto it = listeners_.find(where); it != listeners_.end()) return it->second;
    const ProbeTransport& transport = probe_transport(where.family);
    const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(transport.ethertype()));
    if (fd < 0) return errno_error(fmt::format("cannot open an {} socket", transport.name()), target.iface);
    if (auto narrowed = transport.narrow(fd); !narrowed) {
        ::close(fd);
        return make_error(narrowed.error().code, fmt::format("{} on {}", narrowed.error().message, target.iface));
    }
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(transport.ethertype());
    at.sll_ifindex = target.ifindex;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) < 0) {
        auto e = errno_error(fmt::format("cannot bind an {} socket", transport.name()), target.iface);
        ::close(fd);
        return e;
    }
    auto l = std::make_shared<Listener>(io_, fd, where, target.iface);
    listeners_[where] = l;
    wait(l);
    return l;
}

Result<void> ArpGuard::send_probe(const ProbeTarget& target) {
    auto l = listener(target);
    if (!l) return l.error();
    const ProbeTransport& transport = (*l)->transport;
    if (const auto group = transport.listen_group(target); group && !(*l)->joined.count(*group)) {
        packet_mreq join{};
        join.mr_ifindex = target.ifindex;
        join.mr_type = PACKET_MR_MULTICAST;
        join.mr_alen = 6;
        std::memcpy(join.mr_address, group->data(), 6);
        if (::setsockopt((*l)->descriptor.native_handle(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &join, sizeof join) < 0)
            return errno_error(fmt::format("cannot join {} on the {} socket", mac_text(*group), transport.name()), target.iface);
        (*l)->joined.insert(*group);
    }
    const ProbeFrame frame = transport.probe(target);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(transport.ethertype());
    to.sll_ifindex = target.ifindex;
    to.sll_halen = 6;
    std::memcpy(to.sll_addr, frame.destination.data(), 6);
    if (::sendto((*l)->descriptor.native_handle(), frame.payload.data(), frame.payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to) < 0)
        return errno_error(fmt::format("{} probe not sent", transport.name()), target.iface);
    return {};
}

void ArpGuard::wait(const std::shared_ptr<Listener>& l) {
    l->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             [this, weak = std::weak_ptr<Listener>(l)](const boost::system::error_code& ec) {
                                 auto me = weak.lock();
                                 if (ec || !me) return;
                                 drain(*me);
                                 sync();
                                 if (listeners_.count(me->where) && listeners_[me->where] == me) wait(me);
                             });
}

void ArpGuard::drain(Listener& l) {
    // A bounded batch per wake-up keeps the handler short under a flood; the next wait fires at once.
    for (int i = 0; i < 64; ++i) {
        std::array<unsigned char, 1600> buf{};  // a whole frame: an NDP packet's checksum covers all of it
        sockaddr_ll from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(l.descriptor.native_handle(), buf.data(), buf.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && !l.warned) {
                l.warned = true;
                log_.warn("{} socket on {}: read failed: {}", l.transport.name(), l.iface, std::strerror(errno));
            }
            return;
        }
        MacAddress source{};
        if (from.sll_halen == 6) std::memcpy(source.data(), from.sll_addr, 6);
        const auto packet = l.transport.parse(std::span<const unsigned char>(buf.data(), static_cast<std::size_t>(n)),
                                              from.sll_ifindex, from.sll_pkttype == PACKET_OUTGOING, source);
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
