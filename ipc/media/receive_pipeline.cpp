#include "ipc/media/receive_pipeline.hpp"

#include <algorithm>

#include "ipc/auth.hpp"
#include "ipc/codec.hpp"
#include "ipc/config/diagnostics.hpp"
#include "ipc/config/lexer.hpp"
#include "ipc/hex.hpp"

namespace ha::media {

namespace {

// The codec's and auth's error codes → our reasons. Anything the codec invents later is framing.
DropReason reason_for_code(std::string_view code) {
    if (code == "no_auth") return DropReason::no_auth;
    if (code == "bad_auth") return DropReason::bad_auth;
    if (code == "unknown_key") return DropReason::unknown_key;
    if (code == "too_big") return DropReason::too_big;
    if (code == "empty") return DropReason::empty;
    return DropReason::bad_framing;
}

bool routine(DropReason reason) { return reason == DropReason::own || reason == DropReason::duplicate; }

}  // namespace

ReceivePipeline::ReceivePipeline(PipelineConfig config, MediaCounters& counters, const ipc::Clock& clock, ipc::Log& log)
    : config_(std::move(config)),
      counters_(counters),
      clock_(clock),
      log_(log),
      limited_(log, clock, kLogBurst, kLogInterval) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i) limit_keys_[i] = std::string("dropped packet ").append(kDropReasonNames[i]);
    config_.local_node = conf::to_lower(config_.local_node);
    for (auto& n : config_.nodes) n = conf::to_lower(n);
}

Verdict ReceivePipeline::receive(std::string_view datagram, const Sender& from, std::string_view link, bool truncated) {
    LinkStats& stats = counters_.link(link);
    ++stats.rx;
    Verdict v = judge(datagram, link, from, truncated);
    if (auto* d = std::get_if<Drop>(&v)) {
        ++stats.drops[static_cast<std::size_t>(d->reason)];
        log_drop(*d, from, link);
    } else {
        ++stats.forwarded;
    }
    return v;
}

Verdict ReceivePipeline::drop(DropReason reason, std::string detail) { return Drop{reason, std::move(detail)}; }

Verdict ReceivePipeline::judge(std::string_view datagram, std::string_view link, const Sender& from, bool truncated) {
    // 1. Size, before anything looks at the bytes.
    if (datagram.empty()) return drop(DropReason::empty, "empty datagram");
    if (truncated || datagram.size() > ipc::kMaxMessageBytes) {
        return drop(DropReason::too_big, fmt::format("{}{} bytes, limit {}", truncated ? "more than " : "",
                                                     datagram.size(), ipc::kMaxMessageBytes));
    }

    // 2. Framing and authentication (one call: the digest covers the exact bytes).
    auto decoded = ipc::verify_and_decode(datagram, config_.keys);
    if (!decoded) {
        return drop(reason_for_code(decoded.error().code), conf::quote(decoded.error().message));
    }
    ipc::Message& msg = decoded.value();

    // 3. Own node.
    const std::string src = conf::to_lower(msg.src());
    if (!src.empty() && src == config_.local_node) return drop(DropReason::own, fmt::format("src {}", src));

    // 4. Required fields. Every message a Heartbeat 3.0.6 node sends between nodes carries `hg`
    //    and `ts` (tests/data/captured); only the NS_ types go without `seq`.
    const std::string_view type = msg.type();
    if (type.empty()) return drop(DropReason::missing_field, "missing field \"t\"");
    if (src.empty()) return drop(DropReason::missing_field, fmt::format("t={}: missing field \"src\"", conf::quote(type)));
    if (type == "NS_st" || type == "ifstat") {
        // Heartbeat's local-only types: NS_st is what the ping payload (ICMP, not to a peer) is.
        return drop(DropReason::not_wire, fmt::format("t={} src={}: a local-only type, never sent between nodes", type, conf::quote(src)));
    }
    const bool ns_type = type.starts_with("NS_");
    const auto seq_text = msg.get("seq");
    const auto hg_text = msg.get("hg");
    if (!ns_type && !seq_text) {
        return drop(DropReason::missing_field, fmt::format("t={} src={}: missing field \"seq\"", conf::quote(type), conf::quote(src)));
    }
    if (!hg_text) {
        return drop(DropReason::missing_field, fmt::format("t={} src={}: missing field \"hg\"", conf::quote(type), conf::quote(src)));
    }
    const auto seq_value = seq_text ? ipc::parse_hex(*seq_text) : Result<std::uint64_t>(std::uint64_t{0});
    if (!seq_value) {
        return drop(DropReason::bad_field, fmt::format("src={}: field \"seq\" is not hex: {}", conf::quote(src), conf::quote(*seq_text)));
    }
    const auto hg_value = ipc::parse_hex(*hg_text);
    if (!hg_value) {
        return drop(DropReason::bad_field, fmt::format("src={}: field \"hg\" is not hex: {}", conf::quote(src), conf::quote(*hg_text)));
    }
    const std::uint64_t seq = *seq_value;
    const std::uint64_t hg = *hg_value;
    std::optional<std::uint64_t> ts;
    if (const auto ts_text = msg.get("ts")) {
        if (auto v = ipc::parse_hex(*ts_text)) ts = *v;
    }

    // 5. Known node.
    if (std::find(config_.nodes.begin(), config_.nodes.end(), src) == config_.nodes.end()) {
        return drop(DropReason::unknown_node, fmt::format("src={}: not a configured node", conf::quote(src)));
    }

    // 6. Replay, freshness and jumps, per (peer, link).
    auto key = std::make_pair(src, std::string(link));
    auto it = peers_.find(key);
    if (it == peers_.end()) it = peers_.emplace(std::move(key), PeerState{}).first;
    PeerState& peer = it->second;
    if (peer.has_generation && hg < peer.generation) {
        return drop(DropReason::replay, fmt::format("t={} src={}: field \"hg\" {:x} below generation {:x}", conf::quote(type), src, hg,
                                                    peer.generation));
    }
    if (ns_type) {
        if (auto stale = ns_staleness(peer, hg, ts)) {
            Drop d{DropReason::stale, fmt::format("t={} src={}: {}", conf::quote(type), src, *stale)};
            d.routine = !peer.has_generation;
            return d;
        }
    } else {
        if (!peer.has_generation || hg > peer.generation) {
            peer.has_generation = true;
            peer.generation = hg;
            peer.window.reset();
            peer.anchor.reset();
        }
        const std::uint64_t before = peer.window.highest();
        switch (peer.window.check_and_mark(seq)) {
            case ReplayWindow::Verdict::fresh: break;
            case ReplayWindow::Verdict::resync:
                limited_.write(ipc::LogLevel::warn, "seq resync",
                               fmt::format("src={} via {}: seq moved from {:x} to {:x} in generation {:x}, confirmed by {} "
                                           "messages in a row",
                                           src, link, before, seq, hg, ipc::SeqJumpGuard::kConfirm));
                break;
            case ReplayWindow::Verdict::duplicate:
                return drop(DropReason::duplicate, fmt::format("src={}: field \"seq\" {:x} already seen", src, seq));
            case ReplayWindow::Verdict::too_old:
                return drop(DropReason::replay, fmt::format("src={}: field \"seq\" {:x} too far below {:x}", src, seq,
                                                            peer.window.highest()));
            case ReplayWindow::Verdict::held:
                return drop(DropReason::seq_jump,
                            fmt::format("src={}: field \"seq\" {:x} jumps more than {} past {:x} in generation {:x}; held until "
                                        "{} messages in a row confirm it",
                                        src, seq, ReplayWindow::kSize, peer.window.highest(), hg, ipc::SeqJumpGuard::kConfirm));
        }
        // The newest in-order message tells how the peer's clock reads now (for its NS_ messages).
        if (ts && peer.window.highest() == seq) peer.anchor = ClockAnchor{*ts, clock_.now()};
    }

    // Accepted: our bus fields are ours alone.
    std::erase_if(msg.fields(), [](const ipc::Field& f) { return f.name.starts_with('_'); });
    msg.add("_link", link);
    if (!from.address.empty()) msg.add("_from", from.address);
    return Forward{std::move(msg), src, std::string(link)};
}

std::optional<std::string> ReceivePipeline::ns_staleness(const PeerState& peer, std::uint64_t hg,
                                                         std::optional<std::uint64_t> ts) const {
    if (!peer.has_generation) return fmt::format("field \"hg\" {:x}: no generation known yet on this link", hg);
    if (hg != peer.generation) return fmt::format("field \"hg\" {:x} is not the current generation {:x}", hg, peer.generation);
    if (!ts) return std::string("no valid field \"ts\"");
    if (!peer.anchor) return std::string("no in-order message yet to judge field \"ts\" against");
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - peer.anchor->at).count();
    const std::uint64_t expected = peer.anchor->ts + static_cast<std::uint64_t>(elapsed < 0 ? 0 : elapsed);
    if (*ts + static_cast<std::uint64_t>(kNsMaxAge.count()) < expected)
        return fmt::format("field \"ts\" {:x} is more than {} s behind the peer's clock ({:x})", *ts, kNsMaxAge.count(), expected);
    return std::nullopt;
}

void ReceivePipeline::log_drop(const Drop& d, const Sender& from, std::string_view link) {
    const ipc::LogLevel level = d.routine || routine(d.reason) ? ipc::LogLevel::debug : ipc::LogLevel::warn;
    if (level == ipc::LogLevel::debug && !log_.debug_enabled()) return;
    limited_.write(level, limit_keys_[static_cast<std::size_t>(d.reason)],
                   fmt::format("dropped packet from {} via {}: {}: {}", from.label, link, drop_reason_name(d.reason), d.detail));
}

}  // namespace ha::media
