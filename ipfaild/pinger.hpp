// Pinger — the ICMP shell: one echo socket, a probe to every ping host every keepalive, replies
// matched strictly and handed on by host name.
//
// open() prefers an unprivileged ICMP datagram socket (`SOCK_DGRAM, IPPROTO_ICMP`, allowed by
// net.ipv4.ping_group_range; the kernel then owns the echo id and filters replies by it) and falls
// back to a raw ICMP socket (CAP_NET_RAW; we pick a random id and see every ICMP packet, so
// EchoMatcher drops the others). Open it before dropping privileges: the fd keeps working after.
// Targets are IPv4 addresses; resolve_targets() turns ha.cf hosts into them once, at start-up
// (a hostname is resolved with getaddrinfo before the loop runs; one that does not resolve is
// logged once and simply never answers, so its ping node goes dead).
// Each probe carries a fresh payload from the PayloadFn (ipfaild: a random token, deliberately
// not a signed cluster message; see ipfail_run.cpp); a reply counts only if it echoes those bytes.
//
// Time and blocking: a steady_timer paces the probes; sendto/recvfrom are non-blocking on the loop.
// Diagnostics: info `ICMP echo socket: datagram|raw, id N`; WARN once per host that does not
// resolve; WARN (rate-limited) `ping: cannot send to HOST: <errno>`; debug per dropped reply.
// Counters: sent, send_failed and the EchoMatcher's.
// See also: echo_matcher.hpp, echo_packet.hpp, ipfail_run.hpp.
#pragma once

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/rate_limit.hpp"
#include "ipc/result.hpp"
#include "ipfaild/echo_matcher.hpp"

namespace ha::ipfail {

struct PingTarget {
    std::string host;         // as written in ha.cf
    std::uint32_t address{};  // IPv4, network byte order; 0 when it did not resolve
};

// Start-up only (may block in getaddrinfo for a hostname).
std::vector<PingTarget> resolve_targets(const std::vector<std::string>& hosts, ipc::Log& log);

class Pinger {
public:
    using PayloadFn = std::function<std::string(std::uint16_t seq)>;
    using ReplyFn = std::function<void(const std::string& host)>;

    // Error code "no_perm" when neither socket kind is allowed, "socket" otherwise.
    static Result<std::unique_ptr<Pinger>> open(boost::asio::io_context& io, const ipc::Clock& clock, ipc::Log& log);
    ~Pinger();
    Pinger(const Pinger&) = delete;
    Pinger& operator=(const Pinger&) = delete;

    // Sends a probe to every target now and then every `interval`; `on_reply` runs on the loop for
    // each matching reply.
    void start(std::vector<PingTarget> targets, std::chrono::milliseconds interval, PayloadFn payload, ReplyFn on_reply);
    bool raw() const { return raw_; }
    const EchoMatcher& matcher() const { return matcher_; }
    std::uint64_t sent() const { return sent_; }
    // Reads the replies already waiting, now (on_reply for each): before any ping-node verdict.
    void read_pending() {
        if (on_reply_) drain();
    }

private:
    Pinger(boost::asio::io_context& io, int fd, bool raw, std::uint16_t id, const ipc::Clock& clock, ipc::Log& log);
    void probe_all();
    void wait_read();
    void drain();

    boost::asio::steady_timer timer_;
    boost::asio::posix::stream_descriptor socket_;
    bool raw_;
    EchoMatcher matcher_;
    ipc::Log& log_;
    ipc::RateLimitedLog limited_;
    std::vector<PingTarget> targets_;
    std::chrono::milliseconds interval_{1000};
    PayloadFn payload_;
    ReplyFn on_reply_;
    std::uint16_t seq_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t send_failed_ = 0;
};

}  // namespace ha::ipfail
