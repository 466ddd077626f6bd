// ResourceOwner — the master's R1 resource-ownership state machine (haresources mode, two nodes).
//
// Owns, for every haresources group, whether this node holds it and whether an operation on it is
// in flight, plus the cluster-level protocol of compat spec §7 and §9: the start-up exchange
// (`starting` / `resource`), takeover on peer death (mach_down) and on the peer's `shutdone`,
// graceful release at shutdown, the three-phase standby handshake of §7.1 in both roles
// (`ask_resources` me / other / done), `hb_takeover` (mirrored into a standby request) and
// auto_failback. It never runs a script and never touches a socket: every input returns a vector
// of typed actions the shell carries out — SendToPeer (cluster messages WITHOUT default fields; the
// shell stamps them with HeartbeatSource), RunGroup (an rsc_op for rscd), AwaitClearance (only
// with require_acquire_clearance), AnnounceGroup (re-announce a kept group's VIPs) and
// ShutdownComplete.
//
// Model: each group has a wanted state (held / not held) and an actual one. Decisions only change
// "wanted"; one RunGroup at a time converges actual to wanted (stops first, reverse haresources
// order; then starts, local groups before foreign ones, file order). While anything is left to do
// the node is in `transition`. When it has converged, the pending completions (initial acquisition,
// mach_down, standby, shutdown) are announced. A failed start leaves the group unclaimed (not
// retried until a new decision wants it again); a failed stop leaves it held.
//
// Split by concern: ResourceOwner keeps the groups, the start-up exchange, takeover after a death
// or `shutdone`, shutdown, isolation, reload and the one acquisition decision (acquire_verdict()
// in pump()). It delegates the standby handshake's phases and timers to StandbyHandshake
// (master/core/standby_handshake.hpp) and the partition settlement's stages and the
// preferred-node rule to PartitionSettlement (master/core/partition_settlement.hpp); both only
// return decisions, so every start still goes through pump(). Peer messages are decoded once
// into typed values (master/core/peer_message.hpp) and on_peer_message dispatches on them.
//
// Heartbeat's words (3.0.6 hb_resource.c behaviour, confirmed flows in the compat spec):
//   resource      t=resource rsc_hold=<none|local|foreign|all> rtype=full isstable=<0|1> [info=…]
//   mach_down     t=resource rsc_hold=foreign info=mach_down   (as 3.0.6's mach_down script: no
//                 rtype, no isstable; the receiver ORs it into what it knows)
//   starting      t=starting
//   ask_resources t=ask_resources rsc_hold=<word as the requester wrote it> info=me|other|done
//   hb_takeover   t=hb_takeover rsc_hold=<all|local|foreign|failback>
//   shutdone      t=shutdone st=dead
// Standby words are always the requester's view (its `foreign` is our `local`); log lines quote
// them unchanged, as Heartbeat does.
//
// auto_failback: `legacy` behaves like `on` for failback, but standby requests (ours and the
// peer's) are refused with `Standby mode only implemented when nice_failback on`, as 3.0.6 does.
//
// One rule for every acquisition (docs/split-brain.md, "The acquisition rule"): every start of a
// group — after a peer death, at start-up, after ipfail isolation ends, after a partition heals,
// in a standby or takeover — is decided by acquire_verdict() inside pump(), the only place that
// issues a start. A group is started only when the peer said it released it (`shutdone`, its
// `done` in the standby handshake, or its own full report of this life, stable or starting, that
// does not claim it) or when the split-brain guard cleared it (with require_acquire_clearance:
// the core emits AwaitClearance{group} once per wish, on_acquire_clearance(group) answers when
// rscd's ARP probe found its VIPs free; CancelClearance when the wish is gone; EarlyProbe while the
// peer is only late, so that the probe's window is over by the dead decision). A clearance is
// used up by the start it allows: a group released since (isolation) needs a new one. A group the
// live peer's stable report claims is not acquired at all (the wish is dropped and logged): the
// settlement or the standby handshake moves it. Nothing here probes anything.
// Never a standing double hold: whenever the live peer's latest stable full report and our claims
// overlap (checked on each such report and at each of our convergences) the group's preferred
// node keeps it and the other releases it (CRIT once per episode); every change of what we hold
// is reported to the live peer, so it re-evaluates too. An auto_failback request that got no
// answer is asked again when the standby timer ends, for as long as we hold the peer's groups.
// The peer counts as alive from its `active` status on (a Heartbeat peer ignores standby
// requests while `up`). A `resource` report older (hg, seq) than a message of the peer already
// read — a retransmission delivered late — is ignored: it would undo a handover made since.
// Return from the dead (LinkTable's ReturningAfterPartition — same generation —, or the peer's
// status after a restart or first contact after initdead): acquisitions still waiting for
// clearance are abandoned, both nodes send a full `resource` report (info=partition, which a peer
// that never lost us answers with its own), and the first stable full report from the peer
// settles every group both claim in one round by one rule both sides evaluate alike — the group's
// haresources node (its preferred owner) keeps it, the other node releases it; a group of ours
// that neither holds is taken by us, at once or, when the peer still claims it, once its next
// stable report does not. Logged once: CRIT `Both nodes hold <word> resources after the
// partition: ...`. A peer that restarts within deadtime (its `starting` with no dead verdict before)
// lost what it held, our groups it ran after our standby too: those of ours that its new life's
// first stable full report does not claim are acquired here. A peer's messages read before its first status (they can overtake it) are
// kept when that status arrives.
//
// Reload: replace_groups() swaps in a new haresources group list while the node runs, keeping
// the state of every group by key; it refuses (all or nothing) while a changed or removed group
// is held, in flight or about to be acquired here (busy_groups()). The shell calls it only after
// rscd has swapped its own copy (ResourceShell::reload_groups).
//
// Time and blocking: only the `now` arguments (monotonic); nothing blocks. Deadlines: the standby
// timers (10 s for the first reply, 1 h while resources move, as 3.0.6) and the resource-report
// wait after `starting`.
// Diagnostics (each once per transition, compat spec §10.3): info `Resources being acquired from
//   web2.`, `mach_down takeover complete.`, `Initial resource acquisition complete (T_RESOURCES(us))`
//   (or `(T_RESOURCES(them))`, `(mach_down)`, `(auto_failback)`), `Going standby [all].`,
//   `Giving up foreign resources (auto_failback).`, `Received shutdown notice from 'web2'.`,
//   `Giving up all HA resources.`, `All HA resources relinquished.`,
//   `remote resource transition completed.`, `Dead node web2 gave up resources.`,
//   `Acquiring resource group: <line>`, `Releasing resource group: <line>`; WARN (our own request
//   refused) `Standby in progress- new request from web1 ignored [N seconds left]`, `standby
//   message [me] from web1 ignored.  Other side is in flux.` / `...  local resources in flux.`,
//   `No resource report from web2 after starting; acquiring local resources.`, `resource message
//   from web2 ignored: resource: bad field "rsc_hold": "most"` (a malformed message, counted);
//   info `Standby mode only implemented when nice_failback on`; ERROR `Resource group <key> failed
//   to start|stop ...`. The handshake's own lines are listed in standby_handshake.hpp, the
//   settlement's CRIT in partition_settlement.hpp.
// See also: master/core/link_table.hpp (events that feed on_cluster_event), master/core/standby_handshake.hpp,
//   master/core/partition_settlement.hpp, master/core/peer_message.hpp, rscd/rsc_messages.hpp
//   (rsc_op / rsc_result), compat spec §7, §7.1, §9, "Message flows seen"; docs/architecture.md "The data path".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ipc/clock.hpp"
#include "ipc/config/group_diff.hpp"
#include "ipc/config/ha_cf.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/log.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"
#include "master/core/cluster_event.hpp"
#include "master/core/partition_settlement.hpp"
#include "master/core/peer_message.hpp"
#include "master/core/resource_set.hpp"
#include "master/core/standby_handshake.hpp"

namespace ha::master {

enum class GroupOp { start, stop };
std::string_view group_op_word(GroupOp op);

// --- actions ------------------------------------------------------------------------------------

// A cluster message for the peer, without default fields (the shell stamps and sends it).
struct SendToPeer {
    ipc::Message message;
    bool operator==(const SendToPeer&) const = default;
};

// Ask rscd to run one group: `t=rsc_op op=<start|stop> group=<key> seq=<seq>` (to_message()).
struct RunGroup {
    GroupOp op = GroupOp::start;
    std::string group;  // conf::ResourceGroup::key()
    std::string seq;    // echoed back in rsc_result
    ipc::Message to_message() const;
    bool operator==(const RunGroup&) const = default;
};

// Only with require_acquire_clearance: the group waits for on_acquire_clearance(group). `preferred`:
// this node is the group's haresources node (rscd's tie-break for simultaneous probes).
struct AwaitClearance {
    std::string group;
    bool preferred = false;
    bool operator==(const AwaitClearance&) const = default;
};

// Only with require_acquire_clearance: the peer is late (LinkTable's PeerLate), not dead. rscd may
// probe the group's VIPs from now on so that the guard's verdict is ready at the dead decision.
// Nothing is cleared by it: the decision's AwaitClearance for the group decides that probe (under
// its own seq; docs/split-brain.md, "Timing"), and a CancelClearance ends it (the peer was heard
// again, or the group is no longer to be taken).
struct EarlyProbe {
    std::string group;
    bool preferred = false;
    bool operator==(const EarlyProbe&) const = default;
};

// A clearance asked for earlier is no longer wanted (the peer came back, shutdown, standby).
struct CancelClearance {
    std::string group;
    bool operator==(const CancelClearance&) const = default;
};

// After a double hold of a group this node keeps, the peer released its copy: ask rscd to
// announce the group's VIPs again (`t=rsc_op op=announce`: gratuitous ARP, unsolicited neighbour
// advertisements), since the peer's own announcements may have turned the LAN's caches to its
// MAC. Not an acquisition: nothing is started, and the answer is the shell's (logged), not the core's.
struct AnnounceGroup {
    std::string group;  // conf::ResourceGroup::key()
    bool operator==(const AnnounceGroup&) const = default;
};

// Everything is released and (peer alive) `shutdone` was sent: the shell may exit.
struct ShutdownComplete {
    bool operator==(const ShutdownComplete&) const = default;
};

using ResourceAction =
    std::variant<SendToPeer, RunGroup, AwaitClearance, EarlyProbe, CancelClearance, AnnounceGroup, ShutdownComplete>;
using ResourceActions = std::vector<ResourceAction>;

// --- input from rscd ----------------------------------------------------------------------------

// A decoded `t=rsc_result` (rscd/rsc_messages.hpp). `running` is yes / no / partial, empty for a
// refusal (then `error` says why and ok is false).
struct GroupResult {
    GroupOp op = GroupOp::start;
    std::string group;
    std::string seq;
    bool ok = false;
    std::string running;
    std::string failed_rsc;
    std::string error;
};
// Strict enough for the master: t, op, group, seq and rc are required.
Result<GroupResult> decode_group_result(const ipc::Message& message);

// --- the core -----------------------------------------------------------------------------------

struct ResourceOwnerParams {
    std::string local_node;
    std::string peer_node;
    std::vector<conf::ResourceGroup> groups;  // haresources order; node == local_node → local
    conf::AutoFailback auto_failback = conf::AutoFailback::legacy;
    // 3.0.6: STANDBY_INIT_TO_MS (first reply) and HB_STANDBY_RSC_TO_MS (resources moving).
    std::chrono::milliseconds standby_reply_timeout{10'000};
    std::chrono::milliseconds standby_resource_timeout{3'600'000};
    // After `starting`, how long to wait for the peer's `resource` report before taking the local
    // groups the peer is not known to hold (Heartbeat's "take unclaimed local resources when a
    // timer elapses" rule).
    std::chrono::milliseconds resource_report_timeout{10'000};
    // Split-brain seam (see the header comment).
    bool require_acquire_clearance = false;
    // A group that failed to start is handed to the peer this long after (3.0.6's ResourceManager
    // runs `hb_standby local|foreign` 30 s after a failed start).
    std::chrono::milliseconds failed_start_standby_delay{30'000};
};

class ResourceOwner {
public:
    enum class Phase {
        waiting,        // before comm up
        starting,       // `starting` sent, waiting for the peer's report
        running,        // initial decision taken
        shutting_down,  // releasing everything
        stopped,        // ShutdownComplete returned
    };
    using Standby = StandbyHandshake::Phase;

    ResourceOwner(ResourceOwnerParams params, ipc::Log& log);

    // LinkTable events: NodeStatusChanged/NodeDead for the peer, LocalStatusChanged → active,
    // PeerLate / PeerOnTime for the peer (the guard's early probes). Other events are ignored.
    ResourceActions on_cluster_event(ipc::SteadyTime now, const ClusterEvent& event);
    ResourceActions on_local_comm_up(ipc::SteadyTime now);
    // The peer is active: first contact, or back from the dead (a restart, first contact after
    // initdead, or a healed partition: LinkTable's ReturningAfterPartition comes here too).
    ResourceActions on_peer_active(ipc::SteadyTime now);
    ResourceActions on_peer_dead(ipc::SteadyTime now);
    // The live peer is late (running phase only): an EarlyProbe for every group a takeover would
    // have to clear (not held here, not already probed). On time again: each is cancelled.
    ResourceActions on_peer_late(ipc::SteadyTime now);
    ResourceActions on_peer_on_time(ipc::SteadyTime now);

    // A cluster message from the peer (starting, resource, ask_resources, hb_takeover, shutdone);
    // other types are ignored. A message whose src is the local node is ignored. Decoded once
    // (master/core/peer_message.hpp); a malformed one changes nothing but the peer's order and
    // "heard since dead", is logged naming the field and counted (malformed_peer_messages()).
    ResourceActions on_peer_message(ipc::SteadyTime now, const ipc::Message& message);
    std::uint64_t malformed_peer_messages() const { return malformed_peer_messages_; }

    // rscd's answer to a RunGroup. A result whose seq is not the one in flight is ignored (debug).
    ResourceActions on_group_result(ipc::SteadyTime now, const GroupResult& result);

    // Split-brain seam: the group may now be acquired.
    ResourceActions on_acquire_clearance(ipc::SteadyTime now, std::string_view group);

    // Operator (hb_standby / hb_takeover via the control socket) and ipfail requests. A request
    // that standby_refusal() / takeover_refusal() refuses does nothing but log its WARN.
    ResourceActions standby(ipc::SteadyTime now, StandbyKind kind);
    ResourceActions takeover(ipc::SteadyTime now, StandbyKind kind);

    // Why a standby (ours: hb_standby, ipfail, a failed start) or a takeover (hb_takeover: the
    // peer's standby, mirrored) would be refused now; nullopt when it would go ahead. The one
    // decision: standby()/takeover() log it, the control socket hands it to the tools, which exit
    // non-zero with it. Codes: legacy, shutting_down, in_progress, peer_dead (dead or never heard:
    // nobody to hand to or take from), peer_unstable, local_unstable.
    struct Refusal {
        std::string code;
        std::string reason;  // a sentence for the operator
    };
    std::optional<Refusal> standby_refusal(ipc::SteadyTime now) const;
    std::optional<Refusal> takeover_refusal(ipc::SteadyTime now) const;
    // How this node's standby handshakes ended, in either role (hb_standby --wait, hb_takeover
    // --wait): each end counts one; the last says "done" (the resources moved), "no_reply" (the
    // peer never answered; they stayed) or "cancelled" (with why: the peer died, shutdown, ...).
    std::uint64_t standby_ends() const { return standby_.ends(); }
    const std::string& last_standby_end() const { return standby_.last_end(); }
    std::chrono::milliseconds standby_reply_timeout() const { return standby_.reply_timeout(); }

    // Service stop: release everything, then tell the peer (when alive) and complete.
    ResourceActions shutdown(ipc::SteadyTime now);

    // ipfail's isolation tie-breaker: while set, every held group is released and none acquired
    // (a node that lost its public link must not hold a dead VIP); cleared, the decisions in
    // force apply again.
    ResourceActions set_isolated(ipc::SteadyTime now, bool isolated);
    bool isolated() const { return isolated_; }

    // rscd gave up every group on its own (it exits 0 after releasing when the master fell silent
    // longer than its limit, e.g. a frozen master) and has been respawned: nothing is held any
    // more, whatever we believed, and the operation in flight is void. Each group still wanted is
    // acquired again through acquire_verdict() like any other start — at once when the live peer's
    // report leaves it to us, after the guard's clearance otherwise (the peer may have taken it
    // while we were frozen), never where the peer's stable report claims it.
    ResourceActions on_resources_lost(ipc::SteadyTime now);

    ResourceActions on_tick(ipc::SteadyTime now);
    std::optional<ipc::SteadyTime> next_deadline() const;

    // cl_status rscstatus: `transition` while anything is left to do, else what we hold — in
    // Heartbeat's sense: a node with no group of its own holds `local` once it took its (empty)
    // local part (start-up decision, a standby handed to it) until it gives it up (standby,
    // shutdown, isolation), as 3.0.6 reports it; so `all` after it took over the peer's groups.
    std::string_view rsc_hold_word() const;
    ResourceSet holds() const;
    std::vector<std::string> held_groups() const;  // keys, haresources order
    // One line of `hamaster status` per group: where it is, seen from here.
    struct GroupState {
        std::string key;
        std::string text;          // the haresources line
        bool local = false;        // this node is its haresources node
        bool held = false;
        bool wanted = false;
        bool failed = false;       // the last start failed
        bool waiting = false;      // waits for the split-brain guard's clearance
        bool in_flight = false;
        GroupOp op = GroupOp::start;  // with in_flight
        bool peer_holds = false;   // the peer's last report covers it
    };
    std::vector<GroupState> group_states() const;
    const std::vector<conf::ResourceGroup>& groups() const { return params_.groups; }

    // Reload (`service hamaster reload`; master/reload_plan.hpp, ResourceShell::reload_groups).
    // Keys of the groups that `next` changes or removes (conf::diff_groups) and that this node
    // holds, runs an operation on, or is about to acquire (wanted, not failed, not isolated, not
    // yet held — e.g. waiting for clearance): while any is listed the groups cannot be replaced.
    std::vector<std::string> busy_groups(const std::vector<conf::ResourceGroup>& next) const;
    // Replaces the groups with `next` (haresources order) — all or nothing: refused (error
    // `busy`, nothing changes) while busy_groups(next) is not empty. A group whose key stays and
    // whose preferred node stays on the same side (local/foreign) keeps its held / wanted /
    // failed / clearance state, changed text or not; a removed group is forgotten. A new group (or
    // one that moved side) is wanted when this node wants the other groups of its side; when
    // there is no other group of that side: a local one when the initial decision is taken and
    // the peer does not hold our local groups, a foreign one only when the peer is dead or gone.
    // It is never wanted before the initial decision (that decision covers it) nor during
    // shutdown. Returns the starts that follow (plus, when one is needed and the peer is alive,
    // an unstable `resource` report, with the stable one at convergence).
    Result<ResourceActions> replace_groups(ipc::SteadyTime now, std::vector<conf::ResourceGroup> next);
    bool in_transition() const;
    bool stable() const;  // our `isstable`
    Phase phase() const { return phase_; }
    Standby standby_state() const { return standby_.phase(); }
    ResourceSet peer_holds() const { return peer_holds_; }
    bool peer_stable() const { return peer_stable_; }

private:
    struct Group {
        const conf::ResourceGroup* config = nullptr;
        bool local = false;
        bool wanted = false;
        bool held = false;
        bool failed = false;            // start failed for the current decision
        bool cleared = false;           // the guard cleared it; used up by the start it allows
        bool clearance_asked = false;   // an AwaitClearance is outstanding
        bool early_probe = false;       // an EarlyProbe is outstanding (never with clearance_asked)
        // rscd released it on its own because this master was silent too long (frozen, stalled):
        // whatever the peer said before that silence is stale — it may have declared us dead and
        // taken the group meanwhile — so getting it back needs the guard's clearance, whatever
        // the peer's last words were. Cleared by the start it allows, or when no longer wanted.
        bool lost_in_silence = false;
        // The live peer claimed it while we held it or were starting it: announce it again once
        // the peer no longer claims it (track_double_holds). Cleared when we stop holding it.
        bool held_twice = false;
        // The peer let go while our start of it was still running: that start may have announced
        // the VIPs before the peer's last announcement, so announce again once it succeeded.
        bool announce_when_started = false;
    };
    // The acquisition rule (see the header comment): what pump() does with a wanted group.
    enum class AcquireVerdict {
        go,          // the peer said it released it, or the guard cleared it
        peer_holds,  // the live peer's stable report claims it: not acquired here
        ask_guard,   // nobody vouched for it: wait for the guard's clearance
    };
    struct InFlight {
        std::size_t index = 0;
        GroupOp op = GroupOp::start;
        std::string seq;
    };
    enum class PeerState { unknown, alive, dead };
    // What the peer told us since it was last declared dead (each step includes the one before).
    enum class PeerNews { none, heard, full_report };
    // The mach_down announcement owed at convergence (a takeover after the peer's death or stop);
    // `with_report`: the takeover took our local part too, so a full stable report goes first.
    enum class MachDown { none, pending, pending_with_report };
    // A failed start hands its class to the peer later (3.0.6: hb_standby 30 s after it).
    struct FailedStartStandby {
        ipc::SteadyTime at;
        ResourceSet set = ResourceSet::none;
        bool retry = false;  // refused once: retried, not logged again
    };

    void want(ResourceSet set, bool wanted);
    // Queues the CancelClearance of the group's early probe, if any (emitted by pump()).
    void drop_early_probe(Group& g);
    AcquireVerdict acquire_verdict(const Group& g) const;
    bool peer_alive() const { return peer_ == PeerState::alive && !peer_departed_; }
    bool settle_double_hold(ipc::SteadyTime now, ResourceActions& out);
    // The re-announcement rule (header comment): marks the groups the peer claims `theirs` (our
    // words) while we hold them; with `released` (a stable full report, or `shutdone`) emits
    // AnnounceGroup for the marked ones it no longer claims.
    void track_double_holds(ResourceSet theirs, bool released, ResourceActions& out);
    // One AnnounceGroup for a held group with addresses (logged once), unless isolated.
    void announce_again(const Group& g, ResourceActions& out);
    bool new_group_wanted(bool local) const;
    void reconcile_after_partition(ipc::SteadyTime now, ResourceActions& out);
    ResourceActions settle_on_return(ipc::SteadyTime now);
    bool acquire_unclaimed_local(std::string_view after);  // want our local groups when one is claimed by nobody
    ResourceSet claims() const;  // held or being acquired
    bool converged() const;
    void pump(ResourceActions& out);
    // pump(), then the completions when that left nothing to do: the tail of every input.
    void pump_and_settle(ipc::SteadyTime now, ResourceActions& out);
    void on_converged(ipc::SteadyTime now, ResourceActions& out);
    void decide_initial(ipc::SteadyTime now, ResourceActions& out);
    void take_over_from_peer(ipc::SteadyTime now, bool after_shutdone, ResourceActions& out);

    // One handler per peer message kind (on_peer_message decodes and dispatches).
    void on_peer(ipc::SteadyTime now, const PeerEnvelope& from, const Starting& msg, ResourceActions& out);
    void on_peer(ipc::SteadyTime now, const PeerEnvelope& from, const ResourceReport& msg, ResourceActions& out);
    void on_peer(ipc::SteadyTime now, const PeerEnvelope& from, const AskResources& msg, ResourceActions& out);
    void on_peer(ipc::SteadyTime now, const PeerEnvelope& from, const TakeoverAsk& msg, ResourceActions& out);
    void on_peer(ipc::SteadyTime now, const PeerEnvelope& from, const Shutdone& msg, ResourceActions& out);
    void on_peer(ipc::SteadyTime, const PeerEnvelope&, const OtherMessage&, ResourceActions&) {}
    void on_malformed(const PeerEnvelope& from, const Error& error, const ipc::Message& message);

    void request_standby(ipc::SteadyTime now, std::string word, bool failback, ResourceActions& out);
    void maybe_auto_failback(ipc::SteadyTime now, ResourceActions& out);
    std::optional<Refusal> handshake_refusal(ipc::SteadyTime now) const;
    void initial_done(std::string_view reason);

    void send_resource(ResourceActions& out, ResourceSet hold, bool stable, std::string_view info);
    void send_ask(ResourceActions& out, AskPhase phase);

    ResourceOwnerParams params_;
    ipc::Log& log_;
    std::vector<Group> groups_;
    Phase phase_ = Phase::waiting;
    bool isolated_ = false;
    std::optional<InFlight> in_flight_;
    std::uint64_t next_seq_ = 1;
    ResourceSet roles_ = ResourceSet::none;  // the parts want() last asked for (rsc_hold_word)
    std::vector<std::string> cancelled_clearances_;  // emitted as CancelClearance by pump()

    // What we know of the peer.
    PeerState peer_ = PeerState::unknown;
    bool peer_departed_ = false;  // `shutdone` received, not seen active since
    PeerNews news_ = PeerNews::none;
    bool peer_starting_ = false;  // the peer sent `starting` since it became active
    ResourceSet peer_holds_ = ResourceSet::none;
    bool peer_stable_ = false;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> peer_order_;  // (hg, seq) of its newest message read
    std::uint64_t malformed_peer_messages_ = 0;

    // Completions waiting for convergence.
    std::optional<std::string> initial_pending_;  // the initial decision's reason ("" : not announced)
    bool initial_announced_ = false;
    MachDown mach_down_ = MachDown::none;
    std::optional<std::string> shutdone_done_word_;  // `done` owed for the takeover after shutdone
    bool report_when_stable_ = false;  // we told the peer isstable=0 and owe it a stable report
    ResourceSet last_reported_ = ResourceSet::none;  // rsc_hold of our last `resource` report
    bool failback_armed_ = false;      // the peer lost its groups to us or (re)started
    bool peer_new_life_ = false;       // the running peer sent `starting`: settle ours on its first stable report
    std::optional<ipc::SteadyTime> report_deadline_;  // the peer's report after `starting`
    std::optional<FailedStartStandby> failed_standby_;

    StandbyHandshake standby_;
    PartitionSettlement settlement_;
};

}  // namespace ha::master
