// IpAddr — the built-in IPaddr / IPaddr2 / IPv6addr resource agent: start, stop, status of a VIP
// (IPv4 or IPv6), in-process.
//
// start: if the VIP is already on an interface, nothing to do; else resolve where it goes
// (ip_target.hpp), add it through netlink (IPaddr with an `eth0:N` label, IPaddr2 and IPv6addr
// without; IPv6 without duplicate address detection: netlink_route.hpp), and hand back a
// VipAnnouncement for the ArpAnnouncer (gratuitous ARP, or unsolicited neighbour advertisements).
// stop: remove the VIP from every interface that has it (only the named one when the word names
// one); absent is success. status: prints `running` when the VIP is on an interface, else
// `stopped` — the same words Heartbeat's IPaddr prints, read by the same rule as scripts
// (agent_command.hpp). An IPv6 copy that the kernel will not use (tentative, or its DAD failed) is
// not running: a start removes it and adds the VIP again, a stop removes it too. Failures are exit code 1 (OCF_ERR_GENERIC), the
// reason in the log and in `err`.
//
// Time and blocking: a few netlink round trips (sub-millisecond to a few ms); never a child process.
// Diagnostics: info `IPaddr: Adding inet address 192.0.2.100/24 with broadcast address
// 192.0.2.255 to device eth0 (label eth0:0)` (IPv6: `IPv6addr: Adding inet6 address
// 2001:db8::100/64 to device eth0`), info `IPaddr: Removing inet address 192.0.2.100/24
// from device eth0` (inet6 likewise; `Removing the unusable (tentative or DAD-failed) inet6
// address ...` before a start), WARN `IPaddr: device eth0 is down`, ERROR with the reason on
// failure. present_announcement() logs nothing (its caller does).
// See also: netlink_route.hpp, arp_announcer.hpp, group_executor.hpp.
#pragma once

#include <optional>

#include "ipc/config/haresources.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"
#include "rscd/agent_result.hpp"
#include "rscd/arp_announcer.hpp"

namespace ha::rsc {

class IpAddr {
public:
    explicit IpAddr(ipc::Log& log) : log_(log) {}

    struct Outcome {
        AgentResult result;
        std::optional<VipAnnouncement> announce;  // after a start that added the VIP
        std::optional<IpAddress> withdrawn;       // after a stop: stop announcing this address
    };
    // `resource` must be a built-in with `ip` set.
    Outcome run(const conf::Resource& resource, AgentAction action);
    // For rsc_op `announce` (rsc_service.hpp): the announcement of the VIP where it is on this
    // node now (usable: an IPv6 copy still tentative or DAD-failed does not count), nullopt when
    // it is not here or its interface has no MAC. Reads only: never adds or removes an address.
    // An error when the word is not an address or netlink cannot be read.
    Result<std::optional<VipAnnouncement>> present_announcement(const conf::Resource& resource);

private:
    Outcome fail(const std::string& agent, const std::string& message);
    ipc::Log& log_;
};

}  // namespace ha::rsc
