// EchoMatcher — which echo replies answer our probes: id, sequence, source address and payload.
//
// The pinger records every probe it sends (destination, sequence, payload bytes); a reply counts
// only when its id is ours, its sequence is one still outstanding for the address it came from,
// and its payload is the exact bytes we sent. The last `window` probes per address stay
// outstanding, so a reply up to window × keepalive late still counts; a matched probe is consumed,
// so a duplicated reply does not. Pure: no socket, no clock.
//
// Time and blocking: none. Diagnostics: counters by reason ("matched", "not_ours" (another
// pinger's id: normal on a raw socket), "unknown_seq", "wrong_source", "bad_payload").
// See also: echo_packet.hpp, pinger.hpp.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ipfaild/echo_packet.hpp"

namespace ha::ipfail {

class EchoMatcher {
public:
    explicit EchoMatcher(std::uint16_t id = 0, std::size_t window = 4) : id_(id), window_(window) {}
    void set_id(std::uint16_t id) { id_ = id; }
    std::uint16_t id() const { return id_; }

    // `address`: IPv4 in network byte order.
    void sent(std::uint32_t address, std::uint16_t seq, std::string payload);
    // True (and the probe consumed) when `reply` from `source` answers an outstanding probe.
    bool match(std::uint32_t source, const EchoReply& reply);

    std::uint64_t count(std::string_view reason) const;

private:
    struct Probe {
        std::uint16_t seq;
        std::string payload;
    };
    bool fail(std::string_view reason);

    std::uint16_t id_;
    std::size_t window_;
    std::map<std::uint32_t, std::deque<Probe>> outstanding_;
    std::map<std::string, std::uint64_t, std::less<>> counts_;
};

}  // namespace ha::ipfail
