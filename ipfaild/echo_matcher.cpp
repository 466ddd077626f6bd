#include "ipfaild/echo_matcher.hpp"

#include <algorithm>

namespace ha::ipfail {

void EchoMatcher::sent(std::uint32_t address, std::uint16_t seq, std::string payload) {
    auto& q = outstanding_[address];
    q.push_back(Probe{seq, std::move(payload)});
    while (q.size() > window_) q.pop_front();
}

bool EchoMatcher::fail(std::string_view reason) {
    ++counts_[std::string(reason)];
    return false;
}

bool EchoMatcher::match(std::uint32_t source, const EchoReply& reply) {
    if (reply.id != id_) return fail("not_ours");
    auto by_seq = [&](const Probe& p) { return p.seq == reply.seq; };
    auto it = outstanding_.find(source);
    if (it == outstanding_.end() || std::none_of(it->second.begin(), it->second.end(), by_seq)) {
        for (const auto& [addr, q] : outstanding_)
            if (std::any_of(q.begin(), q.end(), by_seq)) return fail("wrong_source");
        return fail("unknown_seq");
    }
    auto& q = it->second;
    auto p = std::find_if(q.begin(), q.end(), by_seq);
    if (p->payload != reply.payload) return fail("bad_payload");
    q.erase(p);
    ++counts_["matched"];
    return true;
}

std::uint64_t EchoMatcher::count(std::string_view reason) const {
    auto it = counts_.find(reason);
    return it == counts_.end() ? 0 : it->second;
}

}  // namespace ha::ipfail
