// ArpProbe — one split-brain guard session: RFC 5227 ARP probes for the VIPs of one group, and
// the verdict (clear / held) they lead to. Pure: no socket, no timer, no clock of its own.
//
// The shell (arp_guard.hpp) feeds it the time (on_tick at next_deadline()) and every ARP packet
// seen on a probed interface (on_packet); the session answers with actions: SendProbe (send the
// RFC 5227 §2.1.1 probe for targets()[i]: sender MAC ours, sender IP 0.0.0.0, target MAC 0,
// target IP the VIP, Ethernet broadcast) and Clearance (report to the master). Rules:
//   - the window: `count` probes per target, `interval` apart, the first at once; no conflict by
//     `interval` after the last one → clear, and the session ends;
//   - an early session (request.early: the peer is late, not yet declared dead) probes every
//     `interval` and gives no verdict until decide() (the dead decision); a conflict before the
//     decision is no verdict either (the live peer may still hold its VIP) but restarts the window:
//     only rounds sent after the last conflict count. At decide() the verdict is `clear` at once
//     when `count` rounds were sent after the last conflict and the last of them `interval` before
//     now (the window completed while the peer was late); otherwise the window goes on as above.
//     After decide() everything is as for a session started then (docs/split-brain.md, "Timing");
//   - a conflict is an ARP packet on the target's interface, not outgoing and not from one of our
//     own MACs, whose sender IP is the VIP (the holder's reply — Linux answers a probe from 0.0.0.0
//     with a unicast reply — or its gratuitous ARP), or, only when this node is not the group's
//     preferred node, an ARP probe from another MAC for the VIP (a simultaneous probe: the
//     preferred node proceeds, the other defers);
//   - the first conflict of a (decided) session reports `held` once (ip, mac, iface); from then on every
//     target is probed again each `recheck` and every conflict refreshes its target's "last heard";
//     when every target that conflicted has been silent for max(deadtime, kMissedRechecks ×
//     recheck) → clear, session ends. The second term matters at short deadtimes: with deadtime
//     50 ms and a recheck every 50 ms the holder's answer to the next probe would race the clear
//     (seen in bench/failover --peers: a killed node's VIP, still answered, taken over); a holder
//     is silent only once it left several probes unanswered, each a full recheck long;
//   - no target at all (no VIP, or every VIP skipped or local) → clear at the first tick (an early
//     session: at decide()).
//
// Time and blocking: reads only the `now` it is given; nothing blocks.
// Diagnostics: CRIT once per session `IPaddr: 192.0.2.100 is still answered by 02:aa:bb:cc:dd:ee on
// eth0: not taking it over (split-brain guard)`; info `IPaddr: 192.0.2.100 is free on eth0 (3 ARP
// probes unanswered)` (clear in the window; `..., probed while the peer was late)` when the window
// was complete at decide()) or `IPaddr: 192.0.2.100: no answer from 02:… for 5000 ms (deadtime);
// taking it over` (clear after held; `(4 rechecks unanswered)` when that was longer than deadtime); debug for ignored simultaneous probes, for answers before
// the decision (`... before the dead decision: window restarted`) and for decide().
// See also: probe_service.hpp (sessions per group), arp_guard.hpp (the shell), ipc/bus/rsc.hpp
// (rsc_clearance), RFC 5227 §2.1.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "rscd/rsc_messages.hpp"

namespace ha::rsc {

using MacAddress = std::array<unsigned char, 6>;
std::string mac_text(const MacAddress& mac);  // "02:aa:bb:cc:dd:ee"

// One VIP to probe: where, and with which of our MACs as the sender.
struct ProbeTarget {
    std::string agent;          // "IPaddr" or "IPaddr2", for log lines
    std::uint32_t address = 0;  // host byte order
    int ifindex = 0;
    std::string iface;
    MacAddress mac{};
};

// One ARP packet as read from an AF_PACKET/SOCK_DGRAM socket (parse_arp_packet).
struct ArpPacket {
    int ifindex = 0;
    bool outgoing = false;      // PACKET_OUTGOING: our own transmission looped back
    std::uint16_t op = 0;       // 1 request, 2 reply
    MacAddress sender_mac{};
    std::uint32_t sender_ip = 0;  // host byte order
    MacAddress target_mac{};
    std::uint32_t target_ip = 0;
};

// The 28-byte RFC 5227 probe for `target`.
std::array<unsigned char, 28> arp_probe_payload(const ProbeTarget& target);
// Parses an Ethernet/IPv4 ARP payload; nullopt for anything else (short, other hardware, other op).
std::optional<ArpPacket> parse_arp_packet(std::span<const unsigned char> bytes, int ifindex, bool outgoing);

struct ArpProbeOptions {
    std::chrono::milliseconds interval{30};   // between window probes (--arp-probe-interval)
    int count = 3;                            // window probes (--arp-probe-count)
    std::chrono::milliseconds recheck{1000};  // while held: ha.cf keepalive clamped to [50 ms, 1 s]
    std::chrono::milliseconds deadtime{30000};  // ha.cf deadtime: the holder's silence that clears
};
// keepalive clamped to [50 ms, 1 s].
std::chrono::milliseconds probe_recheck_interval(std::chrono::milliseconds keepalive);

struct SendProbe {
    std::size_t target = 0;  // index into targets()
    bool operator==(const SendProbe&) const = default;
};
using ProbeAction = std::variant<SendProbe, Clearance>;

class ArpProbe {
public:
    // Rechecks a holder must leave unanswered before it counts as gone (with deadtime, the longer).
    static constexpr int kMissedRechecks = 4;
    ArpProbe(ProbeRequest request, std::vector<ProbeTarget> targets, std::vector<MacAddress> own_macs,
             const ArpProbeOptions& options, ipc::Log& log, ipc::SteadyTime now);

    std::vector<ProbeAction> on_tick(ipc::SteadyTime now);
    // The dead decision for an early session: takes the decisive request's seq and preferred and
    // may clear at once (see above). On a decided session it only takes the new seq.
    std::vector<ProbeAction> decide(const ProbeRequest& request, ipc::SteadyTime now);
    std::vector<ProbeAction> on_packet(const ArpPacket& packet, ipc::SteadyTime now);
    // When on_tick must be called next; nullopt once the session has ended.
    std::optional<ipc::SteadyTime> next_deadline() const;

    bool done() const { return phase_ == Phase::done; }
    bool early() const { return !decided_; }
    bool held() const { return phase_ == Phase::held; }
    const ProbeRequest& request() const { return request_; }
    const std::vector<ProbeTarget>& targets() const { return targets_; }

private:
    enum class Phase { window, held, done };
    struct Heard {
        std::optional<ipc::SteadyTime> last;  // last conflict
        MacAddress mac{};                     // who answered last
    };
    bool conflicts(const ProbeTarget& target, const ArpPacket& packet) const;
    ipc::SteadyTime clear_at() const;
    // How long every holder must stay silent before the session clears (see the header).
    std::chrono::milliseconds holder_silence() const;
    // When the window's verdict is due: decided, and `count` rounds after the last conflict.
    std::optional<ipc::SteadyTime> verdict_at() const;
    Clearance report(ProbeVerdict verdict) const;
    void probe_all(std::vector<ProbeAction>& actions) const;

    ProbeRequest request_;
    std::vector<ProbeTarget> targets_;
    std::vector<MacAddress> own_macs_;
    ArpProbeOptions options_;
    ipc::Log& log_;
    ipc::SteadyTime started_;
    Phase phase_ = Phase::window;
    bool decided_ = true;             // false while early (the peer late, not dead)
    ipc::SteadyTime decided_at_;      // when decide() came (the start for a decided session)
    std::vector<ipc::SteadyTime> clean_;  // the first `count` rounds sent since the last conflict
    ipc::SteadyTime next_probe_;
    std::vector<Heard> heard_;
};

}  // namespace ha::rsc
