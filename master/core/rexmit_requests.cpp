// RexmitRequests: asking a peer again for missed messages. See rexmit_requests.hpp.
#include "master/core/rexmit_requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "master/core/heartbeat_info.hpp"

namespace ha::master {

namespace {
// Heartbeat's least delay before a request: some time for the packet to arrive late on its own.
constexpr std::chrono::milliseconds kMinDelay{50};
}  // namespace

RexmitRequests::RexmitRequests(ipc::Log& log, std::chrono::milliseconds max_rexmit_delay,
                               std::chrono::milliseconds give_up_after, std::uint32_t seed)
    : log_(log), max_delay_(std::max(max_rexmit_delay, kMinDelay)), give_up_after_(give_up_after), random_(seed) {}

std::chrono::milliseconds RexmitRequests::random_delay() {
    std::uniform_int_distribution<long long> d(kMinDelay.count(), max_delay_.count());
    return std::chrono::milliseconds(d(random_));
}

void RexmitRequests::on_lost(ipc::SteadyTime now, const std::string& node, std::uint64_t from, std::uint64_t to) {
    Peer& peer = peers_[node];
    for (std::uint64_t seq = from + 1; seq < to; ++seq) peer.missing.emplace(seq, Missing{now, now + random_delay()});
    if (peer.missing.size() > kMaxMissing) {
        const std::size_t over = peer.missing.size() - kMaxMissing;
        peer.missing.erase(peer.missing.begin(), std::next(peer.missing.begin(), static_cast<std::ptrdiff_t>(over)));
        counters_.lost += over;
        log_.warn("Gave up asking {} for {} packet(s) (more than {} missing)", node, over, kMaxMissing);
    }
}

void RexmitRequests::drop(const std::string& node, Peer& peer, std::map<std::uint64_t, Missing>::iterator it) {
    peer.missing.erase(it);
    if (peer.missing.empty()) log_.info("No pkts missing from {}!", node);
}

void RexmitRequests::on_received(const std::string& node, std::uint64_t seq, const ipc::Message& message) {
    auto p = peers_.find(node);
    if (p == peers_.end()) {
        p = peers_.emplace(node, Peer{}).first;
    }
    if (const auto* uuid = message.find("srcuuid")) p->second.uuid = uuid->value;
    auto it = p->second.missing.find(seq);
    if (it == p->second.missing.end()) return;
    ++counters_.filled;
    drop(node, p->second, it);
}

void RexmitRequests::on_nak(const ipc::Message& nak, const std::string& local_node) {
    if (nak.type() != "NS_nak_rexmit" || nak.get_or("dest", "") != local_node) return;
    const std::string node(nak.src());
    auto p = peers_.find(node);
    auto seq = parse_hex(nak.get_or("firstseq", ""));
    if (p == peers_.end() || !seq) return;
    auto it = p->second.missing.find(*seq);
    if (it == p->second.missing.end()) return;
    ++counters_.lost;
    log_.error("Irretrievably lost packet: node {} seq {}", node, *seq);
    drop(node, p->second, it);
}

void RexmitRequests::forget(const std::string& node) {
    if (auto p = peers_.find(node); p != peers_.end()) p->second.missing.clear();
}

bool RexmitRequests::missing_below(const std::string& node, std::uint64_t seq) const {
    auto p = peers_.find(node);
    return p != peers_.end() && !p->second.missing.empty() && p->second.missing.begin()->first < seq;
}

std::vector<ipc::Message> RexmitRequests::due(ipc::SteadyTime now) {
    std::vector<ipc::Message> out;
    for (auto& [node, peer] : peers_) {
        std::uint64_t gave_up = 0;
        std::size_t sent = 0;
        for (auto it = peer.missing.begin(); it != peer.missing.end();) {
            if (now - it->second.seen >= give_up_after_) {
                ++gave_up;
                it = peer.missing.erase(it);
                continue;
            }
            if (it->second.next <= now && sent == kMaxPerCall) {
                it->second.next = now + random_delay();  // put off: this call's share is sent
            } else if (it->second.next <= now) {
                ++sent;
                ipc::Message m;
                const std::string seq = fmt::format("{}", it->first);
                m.add("t", "NS_rexmit").add("dest", node).add("firstseq", seq).add("lastseq", seq);
                if (!peer.uuid.empty()) m.add("destuuid", peer.uuid, ipc::FieldType::binary);
                out.push_back(std::move(m));
                ++counters_.asked;
                it->second.next = now + random_delay();
            }
            ++it;
        }
        if (gave_up > 0) {
            counters_.lost += gave_up;
            log_.warn("Gave up asking {} for {} packet(s) (no answer in {} ms)", node, gave_up, give_up_after_.count());
        }
    }
    return out;
}

std::optional<ipc::SteadyTime> RexmitRequests::next_deadline() const {
    std::optional<ipc::SteadyTime> next;
    for (const auto& [node, peer] : peers_) {
        for (const auto& [seq, m] : peer.missing) {
            const auto t = std::min(m.next, m.seen + give_up_after_);
            if (!next || t < *next) next = t;
        }
    }
    return next;
}

}  // namespace ha::master
