// IpAddr — see ip_addr.hpp.
#include "rscd/ip_addr.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ipc/clock.hpp"
#include "rscd/ip_target.hpp"
#include "rscd/netlink_route.hpp"

namespace ha::rsc {

namespace {

// An IPaddr resource's VIP, and every address netlink lists now (with the socket, for what the
// caller does next). The errors' texts are what run() logs and answers.
struct VipLookup {
    IpAddress vip;
    NetlinkRoute nl;
    std::vector<InterfaceAddress> addresses;
};

Result<VipLookup> look_up(const conf::Resource& resource) {
    if (!resource.ip) return make_error("bad_value", fmt::format("{}: not an IPaddr argument", resource.word));
    const conf::IpAddrSpec& spec = *resource.ip;
    const auto vip = spec_address(spec);
    if (!vip) return make_error("bad_value", fmt::format("\"{}\" is not an {} address", spec.address, spec.ipv6 ? "IPv6" : "IPv4"));
    auto nl = NetlinkRoute::open();
    if (!nl) return nl.error();
    auto addresses = nl->addresses();
    if (!addresses) return addresses.error();
    return VipLookup{*vip, std::move(*nl), std::move(*addresses)};
}

}  // namespace

IpAddr::Outcome IpAddr::fail(const std::string& agent, const std::string& message) {
    log_.error("{}: {}", agent, message);
    Outcome o;
    o.result = AgentResult::exit(1);
    o.result.err = message;
    return o;
}

IpAddr::Outcome IpAddr::run(const conf::Resource& resource, AgentAction action) {
    const std::string& agent = resource.agent;
    auto found = look_up(resource);
    if (!found) return fail(agent, found.error().message);
    const conf::IpAddrSpec& spec = *resource.ip;
    const IpAddress* vip = &found->vip;
    auto* nl = &found->nl;
    const auto* addresses = &found->addresses;
    const char* inet = vip->is_v6() ? "inet6" : "inet";

    // Where the VIP is now (only on the named interface, when one is named). An IPv6 copy the
    // kernel will not use (tentative, or its DAD failed: added by someone else, with DAD) does not
    // count as running; a start replaces it, a stop removes it too.
    std::vector<InterfaceAddress> present;
    std::vector<InterfaceAddress> unusable;
    for (const auto& a : *addresses)
        if (a.local == *vip && (spec.iface.empty() || a.ifname == spec.iface)) (a.usable ? present : unusable).push_back(a);

    Outcome o;
    switch (action) {
        case AgentAction::status:
            o.result = AgentResult::exit(0, present.empty() ? "stopped\n" : "running\n");
            return o;
        case AgentAction::stop:
            if (present.empty()) {
                log_.info("{}: {} is not on any interface", agent, spec.address);
            }
            present.insert(present.end(), unusable.begin(), unusable.end());
            for (const auto& a : present) {
                log_.info("{}: Removing {} address {}/{} from device {}", agent, inet, spec.address, a.prefix, a.ifname);
                if (auto r = nl->remove(a); !r) return fail(agent, r.error().message);
            }
            o.result = AgentResult::exit(0);
            o.withdrawn = *vip;
            return o;
        case AgentAction::start: break;
    }
    if (!present.empty()) {
        log_.info("{}: {} is already on device {}", agent, spec.address, present.front().ifname);
        o.result = AgentResult::exit(0);
        return o;
    }
    for (const auto& a : unusable) {
        log_.info("{}: Removing the unusable (tentative or DAD-failed) {} address {}/{} from device {}", agent, inet,
                  spec.address, a.prefix, a.ifname);
        if (auto r = nl->remove(a); !r) return fail(agent, r.error().message);
    }
    auto links = nl->links();
    if (!links) return fail(agent, links.error().message);
    auto target = resolve_ip_target(spec, agent == "IPaddr", *addresses, *links);
    if (!target) return fail(agent, target.error().message);
    const auto link = std::find_if(links->begin(), links->end(), [&](const LinkInfo& l) { return l.ifindex == target->ifindex; });
    if (!link->up) log_.warn("{}: device {} is down", agent, target->iface);
    log_.info("{}: Adding {} address {}/{}{} to device {}{}", agent, inet, spec.address, target->prefix,
              target->broadcast ? " with broadcast address " + ipv4_text(*target->broadcast) : std::string(), target->iface,
              target->label.empty() ? std::string() : " (label " + target->label + ")");
    if (auto r = nl->add(*target); !r) return fail(agent, r.error().message);
    log_.debug("takeover path: {} added to {} (netlink acknowledged, {})", spec.address, target->iface,
               ipc::mono_text(std::chrono::steady_clock::now()));
    o.result = AgentResult::exit(0);
    if (link->has_mac) o.announce = VipAnnouncement{agent, target->address, target->ifindex, target->iface, link->mac};
    return o;
}

Result<std::optional<VipAnnouncement>> IpAddr::present_announcement(const conf::Resource& resource) {
    auto found = look_up(resource);
    if (!found) return found.error();
    const conf::IpAddrSpec& spec = *resource.ip;
    const IpAddress* vip = &found->vip;
    auto* nl = &found->nl;
    const auto* addresses = &found->addresses;
    const auto here = std::find_if(addresses->begin(), addresses->end(), [&](const InterfaceAddress& a) {
        return a.local == *vip && a.usable && (spec.iface.empty() || a.ifname == spec.iface);
    });
    if (here == addresses->end()) return std::optional<VipAnnouncement>{};
    auto links = nl->links();
    if (!links) return links.error();
    const auto link = std::find_if(links->begin(), links->end(), [&](const LinkInfo& l) { return l.ifindex == here->ifindex; });
    if (link == links->end() || !link->has_mac) return std::optional<VipAnnouncement>{};
    return std::optional<VipAnnouncement>{VipAnnouncement{resource.agent, *vip, here->ifindex, here->ifname, link->mac}};
}

}  // namespace ha::rsc
