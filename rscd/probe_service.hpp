// ProbeService — the split-brain guard's bus-facing core: one ArpProbe session per group, from
// `rsc_probe` to `rsc_clearance`.
//
// It owns no socket or timer. The shell (arp_guard.hpp) feeds it bus messages (on_bus_message),
// ARP packets (on_packet) and the time (on_tick at next_deadline()); it sends clearances through
// `Send`, probes through `SendArp`, and reads the host's addresses and links through `ReadHost`
// when a session starts. Rules:
//   - one session per group; a new rsc_probe for a group already probing replaces it (new seq),
//     except that a decisive rsc_probe (no early=yes) for an early session decides that session
//     (ArpProbe::decide: its history counts, it may clear at once);
//     sessions run beside group operations, never queued behind rsc_op (rsc_service.hpp);
//   - rsc_probe_cancel ends the session silently (no reply) when its seq matches; a cancel for
//     another seq or an idle group is ignored (debug log);
//   - a group not in haresources → `verdict=error error=unknown_group` at once; after shutdown()
//     → `error=shutting_down`; shutdown() also ends every running session that way;
//   - targets (probe_targets): each IPaddr/IPaddr2 VIP of the group, resolved to its interface
//     (ip_target.hpp). A VIP already on this host is not probed; one that does not resolve, or
//     whose interface has no MAC, is skipped with a WARN (its start fails loudly anyway). No
//     target left → `clear` at once.
//   - a host view that cannot be read → `error=netlink`; a probe that cannot be sent →
//     `error=arp_send`; either ends the session.
//
// Time and blocking: reads only the `now` it is given.
// Diagnostics: ERROR `dropped bus message from master: <reason>` (bad rsc_probe), WARN `unknown
// resource group X (probe, seq N)`, WARN `IPaddr: cannot probe 192.0.2.100: <why>; skipped`,
// info `IPaddr: 192.0.2.100 is already on eth0: not probed`, ERROR on netlink / send failures,
// debug for replace and cancel; plus ArpProbe's lines (arp_probe.hpp).
// See also: arp_probe.hpp, arp_guard.hpp, ipc/bus/rsc.hpp (the contract).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"
#include "rscd/arp_probe.hpp"
#include "rscd/ip_target.hpp"

namespace ha::rsc {

// The host's IPv4 addresses and links, as netlink reports them.
struct HostView {
    std::vector<InterfaceAddress> addresses;
    std::vector<LinkInfo> links;
};

// The VIPs of `group` worth probing (see the rules above); logs what it skips.
std::vector<ProbeTarget> probe_targets(const conf::ResourceGroup& group, const HostView& host, ipc::Log& log);

class ProbeService {
public:
    using Send = std::function<void(const ipc::Message&)>;
    using SendArp = std::function<Result<void>(const ProbeTarget&)>;
    using ReadHost = std::function<Result<HostView>()>;

    ProbeService(const conf::Haresources& haresources, const ArpProbeOptions& options, ReadHost read_host, Send send,
                 SendArp send_arp, ipc::Log& log);

    // True for the message types this service takes (rsc_probe, rsc_probe_cancel).
    static bool takes(std::string_view type);
    void on_bus_message(const ipc::Message& message, ipc::SteadyTime now);
    void on_packet(const ArpPacket& packet, ipc::SteadyTime now);
    void on_tick(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;
    // The interfaces the running sessions probe (the shell listens on exactly these).
    std::vector<int> interfaces() const;
    // Ends every session with error=shutting_down and refuses new requests. Idempotent.
    void shutdown();

    std::size_t sessions() const { return sessions_.size(); }
    const ArpProbe* session(const std::string& group) const;

private:
    void start(const ProbeRequest& request, const conf::ResourceGroup& group, ipc::SteadyTime now);
    // Carries out a session's actions; false when the session has ended (done or failed).
    bool apply(ArpProbe& session, const std::vector<ProbeAction>& actions);
    void refuse(const ProbeRequest& request, std::string_view reason);

    const conf::Haresources& haresources_;
    ArpProbeOptions options_;
    ReadHost read_host_;
    Send send_;
    SendArp send_arp_;
    ipc::Log& log_;
    std::map<std::string, std::unique_ptr<ArpProbe>> sessions_;
    bool shutting_down_ = false;
};

}  // namespace ha::rsc
