// ArpGuard — the shell of the split-brain guard: ARP sockets and the timer around ProbeService.
//
// Owns the ProbeService (the core), one AF_PACKET/SOCK_DGRAM socket for ETH_P_ARP per interface
// that a running session probes (bound to that interface; opened when its first probe goes out,
// closed 2 s after no session needs it — closing a packet socket waits for the kernel's RCU grace
// period, which must not delay the start a verdict just cleared; at once at shutdown), and one
// steady_timer armed at the core's next deadline. Replies waiting in the sockets are read before
// every tick and before every bus message (a decisive rsc_probe can clear at once). Probes
// go out broadcast through the interface's socket; every ARP packet read there (non-blocking
// reads, woken by an Asio async_wait) is parsed and handed to the core with its direction
// (PACKET_OUTGOING). It reads the host's addresses and links through NetlinkRoute when a session
// starts. Called by the bus mode (rsc_probe / rsc_probe_cancel from the master) and by
// `rscd --oneshot probe`. It never adds or removes an address.
//
// Time and blocking: Clock& for `now`; steady_timer; non-blocking recvfrom/sendto; one netlink
// round trip per new session.
// Diagnostics: ERROR `cannot open an ARP socket on eth0: <errno text>` (as the session's
// error=arp_send), WARN once per socket when a read fails; plus ProbeService's and ArpProbe's lines.
// See also: probe_service.hpp, arp_probe.hpp, arp_announcer.hpp (the other AF_PACKET user).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>

#include "ipc/clock.hpp"
#include "ipc/deadline_timer.hpp"
#include "ipc/config/ha_cf.hpp"
#include "ipc/log.hpp"
#include "rscd/probe_service.hpp"
#include "rscd/rscd_options.hpp"

namespace ha::rsc {

// The probe timings: window from the command line (interval capped at the keepalive, not below
// 10 ms: conf::guard_probe_interval), recheck from keepalive, deadtime from ha.cf.
ArpProbeOptions arp_probe_options(const conf::HaCf& ha_cf, const RscdOptions& options);

class ArpGuard {
public:
    ArpGuard(boost::asio::io_context& io, const conf::Haresources& haresources, const ArpProbeOptions& options,
             ProbeService::Send send, ipc::Clock& clock, ipc::Log& log);
    ~ArpGuard();
    ArpGuard(const ArpGuard&) = delete;
    ArpGuard& operator=(const ArpGuard&) = delete;

    // rsc_probe / rsc_probe_cancel (anything else is ignored).
    void on_bus_message(const ipc::Message& message);
    // Ends every session with error=shutting_down; later probes are refused.
    void shutdown();
    std::size_t sessions() const { return service_.sessions(); }

    struct Listener;

private:
    Result<void> send_probe(const ProbeTarget& target);
    Result<std::shared_ptr<Listener>> listener(const ProbeTarget& target);
    void wait(const std::shared_ptr<Listener>& l);
    void drain(Listener& l);
    // Closes sockets no session needs and re-arms the timer; after every call into the core.
    void sync();

    boost::asio::io_context& io_;
    ipc::Clock& clock_;
    ipc::Log& log_;
    ProbeService service_;
    ipc::DeadlineTimer timer_;
    boost::asio::steady_timer linger_;  // closes sockets idle for kLinger (arp_guard.cpp)
    bool shutting_down_ = false;
    std::map<int, std::shared_ptr<Listener>> listeners_;
};

}  // namespace ha::rsc
