// ProbeService — see probe_service.hpp.
#include "rscd/probe_service.hpp"

#include <algorithm>

namespace ha::rsc {

std::vector<ProbeTarget> probe_targets(const conf::ResourceGroup& group, const HostView& host, ipc::Log& log) {
    std::vector<ProbeTarget> targets;
    for (const auto& r : group.resources) {
        if (r.kind != conf::AgentKind::builtin || !r.ip) continue;
        const auto vip = spec_address(*r.ip);
        if (!vip) {
            log.warn("{}: cannot probe \"{}\": not an IP address; skipped", r.agent, r.ip->address);
            continue;
        }
        const auto local = std::find_if(host.addresses.begin(), host.addresses.end(),
                                        [&](const InterfaceAddress& a) { return a.local == *vip && a.usable; });
        if (local != host.addresses.end()) {
            log.info("{}: {} is already on {}: not probed", r.agent, r.ip->address, local->ifname);
            continue;
        }
        auto where = resolve_ip_target(*r.ip, false, host.addresses, host.links);
        if (!where) {
            log.warn("{}: cannot probe {}: {}; skipped", r.agent, r.ip->address, where.error().message);
            continue;
        }
        const auto link = std::find_if(host.links.begin(), host.links.end(),
                                       [&](const LinkInfo& l) { return l.ifindex == where->ifindex; });
        if (link == host.links.end() || !link->has_mac) {
            log.warn("{}: cannot probe {}: {} has no MAC address; skipped", r.agent, r.ip->address, where->iface);
            continue;
        }
        targets.push_back(ProbeTarget{r.agent, *vip, where->ifindex, where->iface, link->mac});
    }
    return targets;
}

ProbeService::ProbeService(const conf::Haresources& haresources, const ArpProbeOptions& options, ReadHost read_host,
                           Send send, Transmit transmit, ipc::Log& log)
    : haresources_(haresources), options_(options), read_host_(std::move(read_host)), send_(std::move(send)),
      transmit_(std::move(transmit)), log_(log) {}

bool ProbeService::takes(std::string_view type) { return type == kRscProbe || type == kRscProbeCancel; }

const ArpProbe* ProbeService::session(const std::string& group) const {
    const auto it = sessions_.find(group);
    return it == sessions_.end() ? nullptr : it->second.get();
}

void ProbeService::refuse(const ProbeRequest& request, std::string_view reason) {
    send_(encode_clearance(Clearance{request.group, request.seq, ProbeVerdict::error, {}, {}, {}, std::string(reason)}));
}

void ProbeService::on_bus_message(const ipc::Message& message, ipc::SteadyTime now) {
    if (!takes(message.type())) return;
    auto request = decode_probe_request(message);
    if (!request) {
        log_.error("dropped bus message from master: {}", request.error().message);
        return;
    }
    const auto it = sessions_.find(request->group);
    if (request->cancel) {
        if (it == sessions_.end() || it->second->request().seq != request->seq) {
            log_.debug("probe cancel for {} (seq {}): no such probe session; ignored", request->group, request->seq);
            return;
        }
        log_.debug("probe session for {} (seq {}) cancelled", request->group, request->seq);
        sessions_.erase(it);
        return;
    }
    if (shutting_down_) return refuse(*request, "shutting_down");
    const auto group = std::find_if(haresources_.groups.begin(), haresources_.groups.end(),
                                    [&](const conf::ResourceGroup& g) { return g.key() == request->group; });
    if (group == haresources_.groups.end()) {
        log_.warn("unknown resource group {} (probe, seq {})", request->group, request->seq);
        return refuse(*request, "unknown_group");
    }
    if (it != sessions_.end() && it->second->early() && !request->early) {
        // The dead decision: the session that probed while the peer was late goes on, history kept.
        ArpProbe& session = *it->second;
        log_.debug("probe session for {} (seq {}, early) decided as seq {}", request->group, session.request().seq,
                   request->seq);
        if (!apply(session, session.decide(*request, now))) sessions_.erase(request->group);
        return;
    }
    if (it != sessions_.end()) {
        log_.debug("probe session for {} (seq {}) replaced by seq {}", request->group, it->second->request().seq,
                   request->seq);
        sessions_.erase(it);
    }
    start(*request, *group, now);
}

void ProbeService::start(const ProbeRequest& request, const conf::ResourceGroup& group, ipc::SteadyTime now) {
    auto host = read_host_();
    if (!host) {
        log_.error("cannot probe the VIPs of {}: {}", request.group, host.error().message);
        return refuse(request, "netlink");
    }
    std::vector<MacAddress> own;
    for (const auto& l : host->links)
        if (l.has_mac) own.push_back(l.mac);
    auto session = std::make_unique<ArpProbe>(request, probe_targets(group, *host, log_), std::move(own), options_, log_, now);
    if (apply(*session, session->on_tick(now))) sessions_.emplace(request.group, std::move(session));
}

bool ProbeService::apply(ArpProbe& session, const std::vector<ProbeAction>& actions) {
    for (const auto& action : actions) {
        if (const auto* clearance = std::get_if<Clearance>(&action)) {
            send_(encode_clearance(*clearance));
            continue;
        }
        const ProbeTarget& target = session.targets().at(std::get<SendProbe>(action).target);
        if (auto sent = transmit_(target); !sent) {
            log_.error("{}: cannot send a probe for {} on {}: {}", target.agent, target.address.text(), target.iface,
                       sent.error().message);
            refuse(session.request(), "arp_send");
            return false;
        }
    }
    return !session.done();
}

void ProbeService::on_packet(const GuardPacket& packet, ipc::SteadyTime now) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = apply(*it->second, it->second->on_packet(packet, now)) ? std::next(it) : sessions_.erase(it);
}

void ProbeService::on_tick(ipc::SteadyTime now) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        const auto due = it->second->next_deadline();
        // No deadline: an early session with nothing to probe waits for its decision.
        const bool keep = !it->second->done() && (!due || now < *due || apply(*it->second, it->second->on_tick(now)));
        it = keep ? std::next(it) : sessions_.erase(it);
    }
}

std::optional<ipc::SteadyTime> ProbeService::next_deadline() const {
    std::optional<ipc::SteadyTime> next;
    for (const auto& [group, s] : sessions_) {
        const auto d = s->next_deadline();
        if (d && (!next || *d < *next)) next = d;
    }
    return next;
}

std::vector<ProbeInterface> ProbeService::interfaces() const {
    std::vector<ProbeInterface> out;
    for (const auto& [group, s] : sessions_)
        for (const auto& t : s->targets())
            if (const ProbeInterface where{t.ifindex, t.address.family()}; std::find(out.begin(), out.end(), where) == out.end())
                out.push_back(where);
    return out;
}

void ProbeService::shutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    for (const auto& [group, s] : sessions_) refuse(s->request(), "shutting_down");
    sessions_.clear();
}

}  // namespace ha::rsc
