// RetransmitHistory: the transmit history and NS_rexmit answers. See retransmit_history.hpp.
#include "master/core/retransmit_history.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "master/core/heartbeat_info.hpp"

namespace ha::master {

namespace {

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || p != end) return std::nullopt;
    return value;
}

}  // namespace

void RetransmitHistory::record(const ipc::Message& sent) {
    auto seq_text = sent.get("seq");
    if (!seq_text) return;
    auto seq = parse_hex(*seq_text);
    if (!seq) return;
    kept_.push_back(Kept{*seq, sent, std::nullopt});
    while (kept_.size() > kKept) kept_.pop_front();
}

RexmitAnswer RetransmitHistory::answer(const ipc::Message& request, const std::string& local_node, ipc::SteadyTime now) {
    RexmitAnswer out;
    if (request.type() != "NS_rexmit" || request.get_or("dest", "") != local_node) return out;
    ++counters_.requests;
    const std::string peer(request.src());
    auto first = parse_decimal(request.get_or("firstseq", ""));
    auto last = parse_decimal(request.get_or("lastseq", ""));
    if (peer.empty() || !first || !last || *first > *last) {
        ++counters_.ignored;
        log_.debug("Ignoring a malformed retransmission request from {}", peer.empty() ? "?" : peer);
        return out;
    }
    const std::uint64_t newest = kept_.empty() ? 0 : kept_.back().seq;
    const std::uint64_t oldest = kept_.empty() ? newest + 1 : kept_.front().seq;
    // Counted, not compared with an end seq: firstseq..lastseq may reach UINT64_MAX.
    const std::uint64_t count = std::min<std::uint64_t>(*last - *first, kMaxPerRequest - 1) + 1;
    if (now - window_start_ >= kResendInterval) {
        window_start_ = now;
        window_answers_ = 0;
    }
    for (std::uint64_t n = 0; n < count; ++n) {
        const std::uint64_t seq = *first + n;
        if (seq > newest) {  // never sent (nor any later one): a peer bug, nothing to answer
            counters_.ignored += count - n;
            break;
        }
        // All requests together get at most kMaxPerWindow answers per kResendInterval: a request
        // replayed at line rate (NS_ messages carry no seq) cannot make us flood the links.
        if (window_answers_ >= kMaxPerWindow) {
            counters_.ignored += count - n;
            break;
        }
        if (seq < oldest) {
            ++counters_.naks;
            if (counters_.naks <= 10 || counters_.naks % 100 == 0)
                log_.error("Cannot rexmit pkt {} for {}: seqno too low", seq, peer);
            ipc::Message nak;
            nak.add("t", "NS_nak_rexmit").add("dest", peer).add("firstseq", to_hex(seq)).add("info", "seqno too low");
            out.naks.push_back(std::move(nak));
            ++window_answers_;
            continue;
        }
        auto it = std::lower_bound(kept_.begin(), kept_.end(), seq, [](const Kept& k, std::uint64_t s) { return k.seq < s; });
        if (it == kept_.end() || it->seq != seq) {  // not one we sent with a seq (cannot happen: counted)
            ++counters_.ignored;
            continue;
        }
        Kept& k = *it;
        if (k.resent_at && now - *k.resent_at < kResendInterval) {
            ++counters_.ignored;
            continue;
        }
        k.resent_at = now;
        ++counters_.resent;
        ++window_answers_;
        out.resend.push_back(k.message);
    }
    if (!out.resend.empty())
        log_.info("Retransmitting {} packet(s) for {} [{}:{}]", out.resend.size(), peer, *first, *last);
    return out;
}

}  // namespace ha::master
