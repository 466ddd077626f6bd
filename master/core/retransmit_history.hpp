// RetransmitHistory — the last messages the master sent with a `seq`, and the answer to a peer's
// retransmission request (`t=NS_rexmit`), as Heartbeat 3.0.6 keeps its transmit history.
//
// A Heartbeat peer that sees a gap in our `seq` logs `N lost packet(s) for [web1] [a:b]` and asks
// for each missing seq with NS_rexmit (dest = us, firstseq..lastseq in decimal), repeating the
// request until the seq arrives (compat spec §7.3). The shell records every sequenced message it
// sends (status heartbeats included: they are in the sequence too) and, for a request addressed to
// this node, sends the kept message again unchanged (same seq, hg, ts: the media daemons sign it
// again, to the same digest), or answers `t=NS_nak_rexmit` (dest, firstseq in hex, info
// `seqno too low`) for a seq no longer kept, after which the peer gives that seq up ("Irretrievably
// lost packet"). A seq never sent is ignored (the request is authenticated, so that is a peer
// bug, not an attack: counted, never answered).
//
// Bounds: the last kKept (500, as Heartbeat) messages; at most kMaxPerRequest seqs answered per
// request; one seq is sent again at most once per kResendInterval, so the copies of one request
// that arrive over two media, or a repeat of the request that crossed our answer, cost one resend;
// and all requests together get at most kMaxPerWindow answers (resends and NAKs) per
// kResendInterval, so a request replayed or forged at line rate cannot make us flood the links.
//
// Time and blocking: the caller passes the monotonic time; nothing blocks.
// Diagnostics: info `Retransmitting 2 packet(s) for web2 [40:41]` (the range asked; at most one line
//   per request, none for a repeat within kResendInterval); ERROR `Cannot rexmit pkt N for web2:
//   seqno too low` (the first 10, then every 100th); counters (requests, resent, naks, ignored).
// See also: master/cluster_shell.cpp (records and sends), master/core/seq_track.hpp (the
//   receiving side's gap detection), compat spec §7 (`NS_rexmit`, `NS_nak_rexmit`), §7.3.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"

namespace ha::master {

struct RexmitCounters {
    std::uint64_t requests = 0;  // NS_rexmit addressed to us
    std::uint64_t resent = 0;    // messages sent again
    std::uint64_t naks = 0;      // NS_nak_rexmit answered (seq no longer kept)
    std::uint64_t ignored = 0;   // malformed requests, seqs never sent, repeats within kResendInterval
};

// What to send for one request: kept messages again (as they are, no new stamp), and NAKs (to be
// stamped as our own NS_ messages).
struct RexmitAnswer {
    std::vector<ipc::Message> resend;
    std::vector<ipc::Message> naks;
    bool empty() const { return resend.empty() && naks.empty(); }
};

class RetransmitHistory {
public:
    static constexpr std::size_t kKept = 500;
    static constexpr std::uint64_t kMaxPerRequest = 50;
    static constexpr std::chrono::milliseconds kResendInterval{100};
    // Answers (resends and NAKs) of all requests together per kResendInterval.
    static constexpr std::uint64_t kMaxPerWindow = kMaxPerRequest;

    explicit RetransmitHistory(ipc::Log& log) : log_(log) {}

    // A message just sent; kept if it carries a (hex) `seq`. Sequence numbers only grow within a
    // generation (one per process), so the deque stays sorted by seq, oldest first.
    void record(const ipc::Message& sent);

    // The answer to `request` if it is an NS_rexmit addressed to `local_node`; empty otherwise.
    RexmitAnswer answer(const ipc::Message& request, const std::string& local_node, ipc::SteadyTime now);

    const RexmitCounters& counters() const { return counters_; }

private:
    struct Kept {
        std::uint64_t seq = 0;
        ipc::Message message;
        std::optional<ipc::SteadyTime> resent_at;
    };

    ipc::Log& log_;
    std::deque<Kept> kept_;
    ipc::SteadyTime window_start_{};  // the current kResendInterval window of the answer budget
    std::uint64_t window_answers_ = 0;
    RexmitCounters counters_;
};

}  // namespace ha::master
