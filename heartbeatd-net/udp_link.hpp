// UdpLink — one UDP socket for one media directive (ucast / bcast / mcast), on the Asio loop.
//
// Owns the socket, nothing else: it hands every datagram it reads to a callback and sends the
// bytes it is given. It never parses, checks or logs a packet (the ReceivePipeline does).
//   ucast DEV PEER   bind (--bind ADDR or any):udpport, send to PEER:udpport (udpport: the
//                    medium's own port if given, else --udpport)
//   bcast DEV        bind any:udpport, SO_BROADCAST, send to DEV's IPv4 broadcast address:udpport
//                    (from getifaddrs; derived from the prefix when the address has none, see
//                    broadcast_for — never our own address)
//   mcast DEV G P T L  bind G:P, IP_ADD_MEMBERSHIP on DEV, IP_MULTICAST_IF DEV, IP_MULTICAST_TTL T,
//                    IP_MULTICAST_LOOP L, send to G:P
// Every socket has SO_REUSEADDR and SO_BINDTODEVICE DEV; without CAP_NET_RAW the latter fails with
// EPERM, which is logged once as WARN and tolerated. The same socket sends and receives, so the
// source port is fixed for the whole run (Heartbeat peers do not look at it).
//
// Time and blocking: never blocks. Reads are non-blocking recvmsg() with MSG_TRUNC into a
// kMaxMessageBytes+1 buffer (a datagram longer than the buffer is reported as truncated), at most
// kBatch per wake-up before yielding to the loop, so a flood cannot starve the bus. Sends are
// non-blocking sendto(); a full socket buffer is a failed send, not a wait.
// Diagnostics: open() errors name the directive and the system call; WARN for SO_BINDTODEVICE
// EPERM; a failed send returns false (the caller counts tx_errors and rate-limits its log line).
// See also: net_options.hpp, ipc/media/receive_pipeline.hpp, compat spec §1.3.
#pragma once

#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "heartbeatd-net/net_options.hpp"
#include "ipc/media/receive_pipeline.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::net {

class UdpLink {
public:
    static constexpr int kBatch = 64;

    // `from`: the peer's dotted quad as label, `address:port` as address (the `_from` the master gets).
    using Receiver = std::function<void(std::string_view datagram, const media::Sender& from, bool truncated)>;

    // Opens and configures the socket. `peer` for ucast must already be a dotted quad.
    static Result<std::unique_ptr<UdpLink>> open(boost::asio::io_context& io, const MediumSpec& spec,
                                                 std::uint16_t udpport, const std::string& bind_address, ipc::Log& log);

    UdpLink(const UdpLink&) = delete;
    UdpLink& operator=(const UdpLink&) = delete;
    ~UdpLink();

    // Starts reading; `receiver` is called on the loop for each datagram.
    void start(Receiver receiver);
    void stop();
    // Sends one datagram to this link's destination. False on any error (errno kept in last_error).
    bool send(std::string_view datagram);

    const std::string& name() const { return name_; }
    std::string destination() const { return destination_.address().to_string() + ":" + std::to_string(destination_.port()); }
    std::uint16_t local_port() const { return socket_.local_endpoint().port(); }
    int last_error() const { return last_error_; }

private:
    UdpLink(boost::asio::io_context& io, std::string name);
    void wait_readable();
    void drain();

    boost::asio::io_context& io_;
    std::string name_;
    boost::asio::ip::udp::socket socket_;
    boost::asio::ip::udp::endpoint destination_;
    std::vector<char> buffer_;
    Receiver receiver_;
    // The last sender's names, kept: the peer sends from one address, and naming it afresh for
    // every datagram (inet_ntop's sprintf, a format) was a visible share of a 10 ms cycle.
    sockaddr_in last_peer_{};
    media::Sender last_sender_;
    int last_error_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The broadcast address for `address`/`netmask` on `dev` (host byte order): the one the kernel
// reports, else — none reported, or the address itself, which is what getifaddrs gives for an
// address added without `brd` — the directed broadcast derived from the prefix. /31, /32 or a
// non-contiguous mask: an error naming the interface ("no_broadcast"). Never our own address.
Result<std::uint32_t> broadcast_for(const std::string& dev, std::uint32_t address, std::uint32_t netmask,
                                    std::optional<std::uint32_t> reported);
// The IPv4 broadcast address of `dev` (getifaddrs + broadcast_for), or an error naming the
// interface. A derived address is logged once as WARN on `log` (when given).
Result<std::string> interface_broadcast(const std::string& dev, ipc::Log* log = nullptr);

}  // namespace ha::net
