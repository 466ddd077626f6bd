// StandbyHandshake — the three-phase standby handshake of R1 (compat spec §7.1), in both roles.
//
// The requester (hb_standby, auto_failback, ipfail's standby, a failed start, the peer's
// hb_takeover mirrored) sends `ask_resources info=me`; the other node answers `other` when both
// sides are stable; the requester releases its part and sends `done`; the other node acquires it
// and sends `done` too. One Phase per step of either role:
//
//   requester:  idle → requested (me sent) → releasing (other read) → released (our done sent)
//               → idle (the peer's done read)
//   other node: idle → granted (other sent) → acquiring (the peer's done read) → idle (our done sent)
//
// Timers as 3.0.6: the reply timeout (10 s) from `me` to `other`, the resource timeout (1 h) for
// each later step. When one runs out the handshake is cancelled (`No reply to standby request.
// Standby request cancelled.`); an auto_failback request that got no answer says so (Expired),
// so that ResourceOwner asks again while its reason holds.
//
// Pure core: it keeps the phase, the requester's word (as written, logged unchanged), the timer
// and how handshakes ended; it never sends anything and never decides what is held. Each input
// returns the step the caller carries out (ResourceOwner sends the replies and changes what it
// wants). Whether a request may start at all (the peer alive and stable, our resources stable)
// is ResourceOwner's question: request() is only called when it said yes.
//
// Time and blocking: only the `now` arguments; nothing blocks. Deadline: deadline().
// Diagnostics: info `<node> wants to go standby [all]`, `standby: web2 can take our all
// resources`, `standby: acquire [all] resources from web2`, `Local standby process completed
// [all].`, `Standby resource acquisition done [all].`, `Other node completed standby takeover of
// all resources.`, `Cancelling pending standby operation`; WARN `Standby in progress- new request
// from web2 ignored [N seconds left]`, `standby message [me] from web2 ignored.  Other side is in
// flux.` / `...  local resources in flux.`, `No reply to standby request.  Standby request
// cancelled.`; ERROR `Ignored standby message 'done' from web2 in state 0`.
// See also: master/core/resource_owner.hpp (the caller), master/core/peer_message.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/clock.hpp"
#include "ipc/log.hpp"
#include "master/core/peer_message.hpp"
#include "master/core/resource_set.hpp"

namespace ha::master {

struct StandbyHandshakeParams {
    std::string peer_node;
    // 3.0.6: STANDBY_INIT_TO_MS (first reply) and HB_STANDBY_RSC_TO_MS (resources moving).
    std::chrono::milliseconds reply_timeout{10'000};
    std::chrono::milliseconds resource_timeout{3'600'000};
};

class StandbyHandshake {
public:
    enum class Phase {
        idle,
        requested,   // we sent `me`, waiting for `other`
        releasing,   // we release our part, then send `done`
        released,    // our `done` sent, waiting for the peer's `done`
        granted,     // the peer sent `me`; we answered `other`, waiting for its `done`
        acquiring,   // we acquire the peer's part, then send `done`
    };

    StandbyHandshake(StandbyHandshakeParams params, ipc::Log& log);

    // We go standby: `me` is to be sent (AskResources{word(), me}). `requester` is this node's
    // name (logged); `failback`: an auto_failback request (see Expired).
    void request(ipc::SteadyTime now, std::string_view requester, std::string word, bool failback);

    // The peer's `ask_resources`. `peer_stable` / `local_stable`: the peer's last report was
    // stable / ours would be (only an idle node checks them, before granting).
    enum class Step {
        none,      // ignored (logged)
        grant,     // idle → granted: send `other`
        release,   // requested → releasing: release set(), report it unstable
        complete,  // released → idle: the peer took our part; report stable
        acquire,   // granted → acquiring: acquire taking()
    };
    Step on_ask(ipc::SteadyTime now, const AskResources& ask, std::string_view from, bool peer_stable,
                bool local_stable);

    // ResourceOwner's operations converged (nothing left to start or stop).
    enum class Settled {
        none,
        released,  // releasing → released: send our `done`
        acquired,  // acquiring → idle: send our `done`, then a stable report
    };
    Settled on_converged(ipc::SteadyTime now);

    // The timer ran out: the handshake is cancelled. `failback`: it was our auto_failback request
    // and the peer never answered (ResourceOwner asks again while we hold the peer's groups).
    struct Expired {
        bool failback = false;
    };
    std::optional<Expired> on_tick(ipc::SteadyTime now);

    // Any handshake under way is dropped (the peer died or stopped, shutdown, a settlement).
    void cancel(std::string_view why);

    Phase phase() const { return phase_; }
    bool idle() const { return phase_ == Phase::idle; }
    // Resources move or are about to (past the request, or granted): reports are unstable.
    bool under_way() const { return phase_ != Phase::idle && phase_ != Phase::requested; }
    const std::string& word() const { return word_; }  // the requester's word, as written
    ResourceSet set() const;                             // the requester's set, in its words
    ResourceSet taking() const;                          // acquiring: what we take, in our words
    bool timer_running(ipc::SteadyTime now) const { return deadline_ && now < *deadline_; }
    // Whole seconds left on a running timer, rounded up (the WARN and the refusal say it).
    std::int64_t seconds_left(ipc::SteadyTime now) const;
    std::optional<ipc::SteadyTime> deadline() const { return deadline_; }
    std::chrono::milliseconds reply_timeout() const { return params_.reply_timeout; }

    // How handshakes ended, in either role (hb_standby --wait, hb_takeover --wait): each end
    // counts one; the last says "done", "no_reply: ..." or "cancelled: <why>".
    std::uint64_t ends() const { return ends_; }
    const std::string& last_end() const { return last_end_; }

private:
    void end(std::string outcome);
    void to(Phase phase, std::optional<ipc::SteadyTime> deadline);

    StandbyHandshakeParams params_;
    ipc::Log& log_;
    Phase phase_ = Phase::idle;
    std::string word_;
    bool failback_ = false;  // the request under way is auto_failback's
    std::optional<ipc::SteadyTime> deadline_;
    std::uint64_t ends_ = 0;
    std::string last_end_;
};

}  // namespace ha::master
