// ArpAnnouncer — gratuitous ARP (IPv4) or unsolicited neighbour advertisements (IPv6) for a VIP
// that was just added, on the Asio loop.
//
// Heartbeat's IPaddr runs send_arp in the background with `-i 200 -r 5`: five rounds, 200 ms apart.
// We do the same without a helper process: each round sends one gratuitous ARP request (sender and
// target IP = VIP, target MAC zero) and one gratuitous ARP reply (target MAC = our MAC, as Linux
// requires to treat a reply as gratuitous), broadcast, through one AF_PACKET/SOCK_DGRAM socket bound
// to nothing (send-only). The first round goes out at once, so a start is not slowed down; a stop of
// the same VIP cancels the rest. Receivers with arp_accept=0 update only entries they already have
// (the failover case); new entries need arp_accept=1 (the lab sets it on the client).
// An IPv6 VIP gets the same rounds at the same pace, each one unsolicited neighbour advertisement
// (ndp_packet.hpp: Override flag, our MAC as target link-layer address) to all nodes (ff02::1),
// hop limit 255, through a raw ICMPv6 socket bound to the VIP (so the VIP is the source; it was
// added without DAD, so it is usable at once) with the interface as multicast interface and
// nothing to read (ICMP6_FILTER blocks every type). Neighbours update the entry they have for
// the VIP (the failover case), as with ARP.
//
// Time and blocking: steady_timer between rounds; sendto() on a non-blocking socket.
// Diagnostics: info `IPaddr: Sending 5 gratuitous ARPs for 192.0.2.100 on eth0 every 200 ms`,
// `IPv6addr: Sending 5 unsolicited neighbour advertisements for 2001:db8::100 on eth0 every 200 ms`;
// WARN once per announcement when a send fails (with errno text).
// See also: ip_addr.hpp, ndp_packet.hpp.
#pragma once

#include <boost/asio/io_context.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ipc/log.hpp"
#include "rscd/ip_address.hpp"

namespace ha::rsc {

// What to announce: the VIP (its family chooses ARP or NDP), where, and with which MAC.
struct VipAnnouncement {
    std::string agent;  // "IPaddr", "IPaddr2", "IPv6addr": for log lines
    IpAddress address;
    int ifindex = 0;
    std::string iface;
    std::array<unsigned char, 6> mac{};
};

// The 28-byte ARP payloads of an IPv4 announcement (public for tests).
std::array<unsigned char, 28> arp_payload(const VipAnnouncement& garp, bool reply);

class ArpAnnouncer {
public:
    ArpAnnouncer(boost::asio::io_context& io, ipc::Log& log, int rounds = 5,
                 std::chrono::milliseconds interval = std::chrono::milliseconds(200));
    ~ArpAnnouncer();

    // Starts the rounds (the first at once), replacing a running announcement of the same
    // address. False when its socket cannot be opened (WARN logged, nothing sent).
    bool announce(const VipAnnouncement& announcement);
    void cancel(const IpAddress& address);
    std::size_t active() const { return active_.size(); }
    // Called (once per time it happens) when the last running announcement ends.
    void on_idle(std::function<void()> handler) { on_idle_ = std::move(handler); }

    struct Announcement;

private:
    void round(const std::shared_ptr<Announcement>& a);
    bool send_arp(const Announcement& a);
    bool send_na(const Announcement& a);
    void end(const std::shared_ptr<Announcement>& a);

    boost::asio::io_context& io_;
    ipc::Log& log_;
    const int rounds_;
    const std::chrono::milliseconds interval_;
    std::map<IpAddress, std::shared_ptr<Announcement>> active_;
    std::function<void()> on_idle_;
};

}  // namespace ha::rsc
