// ArpProbe — see arp_probe.hpp.
#include "rscd/arp_probe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "rscd/ip_target.hpp"

namespace ha::rsc {

namespace {

constexpr std::uint16_t kArpRequest = 1;
constexpr std::uint16_t kArpReply = 2;

std::uint32_t read_be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

}  // namespace

std::string mac_text(const MacAddress& m) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

std::array<unsigned char, 28> arp_probe_payload(const ProbeTarget& target) {
    std::array<unsigned char, 28> p{};
    p[1] = 1;                                // hardware type Ethernet
    p[2] = 0x08;                             // protocol IPv4
    p[4] = 6;                                // hardware address length
    p[5] = 4;                                // protocol address length
    p[7] = kArpRequest;
    std::memcpy(&p[8], target.mac.data(), 6);  // sender MAC: ours; sender IP 0.0.0.0, target MAC 0
    for (int i = 0; i < 4; ++i) p[24 + i] = static_cast<unsigned char>(target.address >> (24 - 8 * i));
    return p;
}

std::optional<ArpPacket> parse_arp_packet(std::span<const unsigned char> b, int ifindex, bool outgoing) {
    if (b.size() < 28) return std::nullopt;
    if (b[0] != 0 || b[1] != 1 || b[2] != 0x08 || b[3] != 0x00 || b[4] != 6 || b[5] != 4) return std::nullopt;
    ArpPacket p;
    p.ifindex = ifindex;
    p.outgoing = outgoing;
    p.op = static_cast<std::uint16_t>((b[6] << 8) | b[7]);
    if (p.op != kArpRequest && p.op != kArpReply) return std::nullopt;
    std::copy_n(&b[8], 6, p.sender_mac.begin());
    p.sender_ip = read_be32(&b[14]);
    std::copy_n(&b[18], 6, p.target_mac.begin());
    p.target_ip = read_be32(&b[24]);
    return p;
}

std::chrono::milliseconds probe_recheck_interval(std::chrono::milliseconds keepalive) {
    return std::clamp(keepalive, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

ArpProbe::ArpProbe(ProbeRequest request, std::vector<ProbeTarget> targets, std::vector<MacAddress> own_macs,
                   const ArpProbeOptions& options, ipc::Log& log, ipc::SteadyTime now)
    : request_(std::move(request)), targets_(std::move(targets)), own_macs_(std::move(own_macs)), options_(options),
      log_(log), started_(now), decided_(!request_.early), decided_at_(now), next_probe_(now), heard_(targets_.size()) {}

Clearance ArpProbe::report(ProbeVerdict verdict) const {
    return Clearance{request_.group, request_.seq, verdict, {}, {}, {}, {}};
}

void ArpProbe::probe_all(std::vector<ProbeAction>& actions) const {
    for (std::size_t i = 0; i < targets_.size(); ++i) actions.emplace_back(SendProbe{i});
}

std::chrono::milliseconds ArpProbe::holder_silence() const {
    return std::max(options_.deadtime, kMissedRechecks * options_.recheck);
}

ipc::SteadyTime ArpProbe::clear_at() const {
    ipc::SteadyTime at = started_;
    for (const auto& h : heard_)
        if (h.last) at = std::max(at, *h.last + holder_silence());
    return at;
}

std::optional<ipc::SteadyTime> ArpProbe::verdict_at() const {
    const auto count = static_cast<std::size_t>(options_.count);
    if (!decided_ || clean_.size() < count) return std::nullopt;
    return clean_[count - 1] + options_.interval;
}

std::optional<ipc::SteadyTime> ArpProbe::next_deadline() const {
    switch (phase_) {
        case Phase::window: {
            if (targets_.empty()) return decided_ ? std::optional(started_) : std::nullopt;
            const auto verdict = verdict_at();
            return verdict ? std::min(*verdict, next_probe_) : next_probe_;
        }
        case Phase::held: return std::min(next_probe_, clear_at());
        case Phase::done: break;
    }
    return std::nullopt;
}

std::vector<ProbeAction> ArpProbe::decide(const ProbeRequest& request, ipc::SteadyTime now) {
    request_.seq = request.seq;
    request_.preferred = request.preferred;
    request_.early = false;
    if (!decided_ && phase_ == Phase::window)
        log_.debug("probe session for {}: decisive (seq {}), {} unanswered rounds of the {} needed so far",
                   request_.group, request_.seq, clean_.size(), options_.count);
    if (!decided_) decided_at_ = now;
    decided_ = true;
    return on_tick(now);
}

std::vector<ProbeAction> ArpProbe::on_tick(ipc::SteadyTime now) {
    std::vector<ProbeAction> actions;
    if (phase_ == Phase::window) {
        if (targets_.empty()) {
            if (!decided_) return actions;
            phase_ = Phase::done;
            actions.emplace_back(report(ProbeVerdict::clear));
            return actions;
        }
        // The verdict first (a round due now would prove nothing before its interval is over).
        if (const auto verdict = verdict_at(); verdict && now >= *verdict) {
            for (const auto& t : targets_)
                log_.info("{}: {} is free on {} ({} ARP probes unanswered{})", t.agent, ipv4_text(t.address), t.iface,
                          options_.count, *verdict <= decided_at_ ? ", probed while the peer was late" : "");
            phase_ = Phase::done;
            actions.emplace_back(report(ProbeVerdict::clear));
            return actions;
        }
        // One round when due (a late loop sends one, not a burst: each round needs its interval).
        if (now >= next_probe_) {
            probe_all(actions);
            if (clean_.size() < static_cast<std::size_t>(options_.count)) clean_.push_back(now);
            next_probe_ += options_.interval;
            if (next_probe_ <= now) next_probe_ = now + options_.interval;
        }
        return actions;
    }
    if (phase_ != Phase::held) return actions;
    if (now >= clear_at()) {
        for (std::size_t i = 0; i < targets_.size(); ++i) {
            if (!heard_[i].last) continue;
            log_.info("{}: {}: no answer from {} for {} ms ({}); taking it over", targets_[i].agent,
                      ipv4_text(targets_[i].address), mac_text(heard_[i].mac), holder_silence().count(),
                      holder_silence() == options_.deadtime ? "deadtime" : "4 rechecks unanswered");
        }
        phase_ = Phase::done;
        actions.emplace_back(report(ProbeVerdict::clear));
        return actions;
    }
    if (now >= next_probe_) {
        probe_all(actions);
        next_probe_ += options_.recheck;
        if (next_probe_ <= now) next_probe_ = now + options_.recheck;  // the loop was late: no burst
    }
    return actions;
}

bool ArpProbe::conflicts(const ProbeTarget& t, const ArpPacket& p) const {
    if (p.ifindex != t.ifindex) return false;
    if (p.sender_ip == t.address) return true;  // the holder's reply or its gratuitous ARP
    const bool probe = p.op == kArpRequest && p.sender_ip == 0 && p.target_ip == t.address;
    if (probe && request_.preferred)
        log_.debug("{}: simultaneous ARP probe for {} from {} on {}: ignored (this node is preferred)", t.agent,
                   ipv4_text(t.address), mac_text(p.sender_mac), t.iface);
    return probe && !request_.preferred;
}

std::vector<ProbeAction> ArpProbe::on_packet(const ArpPacket& p, ipc::SteadyTime now) {
    std::vector<ProbeAction> actions;
    if (phase_ == Phase::done || p.outgoing) return actions;
    if (std::find(own_macs_.begin(), own_macs_.end(), p.sender_mac) != own_macs_.end()) return actions;
    for (std::size_t i = 0; i < targets_.size(); ++i) {
        const ProbeTarget& t = targets_[i];
        if (!conflicts(t, p)) continue;
        if (!decided_) {
            // The peer is late, not dead: it may still hold the VIP. The rounds sent so far prove
            // nothing any more; the window starts again from the next round.
            log_.debug("{}: {} answered by {} on {} before the dead decision: window restarted", t.agent,
                       ipv4_text(t.address), mac_text(p.sender_mac), t.iface);
            clean_.clear();
            continue;
        }
        heard_[i].last = now;
        heard_[i].mac = p.sender_mac;
        if (phase_ == Phase::held) continue;
        phase_ = Phase::held;
        next_probe_ = now + options_.recheck;
        log_.crit("{}: {} is still answered by {} on {}: not taking it over (split-brain guard)", t.agent,
                  ipv4_text(t.address), mac_text(p.sender_mac), t.iface);
        Clearance held = report(ProbeVerdict::held);
        held.ip = ipv4_text(t.address);
        held.mac = mac_text(p.sender_mac);
        held.iface = t.iface;
        actions.emplace_back(std::move(held));
    }
    return actions;
}

}  // namespace ha::rsc
