// rsc — the bus contract between the master and rscd, one typed struct per message with its
// encoder and its strict decoder, used by both ends (the master and rscd link the same code).
//
//   master → rscd   t=rsc_op     op=start|stop|status|announce  group=<group key>  seq=<id>
//   rscd → master   t=rsc_result op=…  group=…  seq=<same id>  rc=ok|failed
//                                running=yes|no|partial  [failed_rsc=<resource word>]  [error=<text>]
// `announce` (after a double hold settled in our favour: docs/split-brain.md, rule 2) sends the
// gratuitous ARPs / unsolicited neighbour advertisements of the group's IPaddr/IPaddr2/IPv6addr
// VIPs that are on this node again, so that caches the releasing peer turned come back to us. It
// never adds or removes anything, runs beside the group operations (not queued behind them) and is
// answered at once: running= says which of the group's VIPs are on this node (yes: all, or the
// group has none; partial; no), rc=ok when all are and each announcement started, failed_rsc= the
// first VIP that is absent or could not be read.
//
//   master → rscd   t=rsc_probe         group=<group key>  seq=<id>  preferred=yes|no  [early=yes|no]
//   master → rscd   t=rsc_probe_cancel  group=<group key>  seq=<id>
//   rscd → master   t=rsc_clearance     group=…  seq=<same id>  verdict=clear|held|error
//                                       [ip=<vip> mac=<aa:bb:cc:dd:ee:ff> iface=<eth0>]  [error=<text>]
// The split-brain guard (rscd/probe_service.hpp): before taking a group over after the peer's
// death, the master asks whether any of the group's VIPs is still answered on the LAN (RFC 5227 ARP
// probes). `preferred` says whether this node is the group's preferred node (haresources' first
// word): it wins a simultaneous probe. `held` carries ip/mac/iface of the answering holder and may
// be followed by one `clear` for the same seq once the holder has been silent for deadtime;
// `clear` and `error` end the session. `error` carries error= (unknown_group, shutting_down,
// netlink, arp_send). A cancel whose seq does not match the running session is ignored.
// `early=yes` (the peer is late, not dead yet) starts probing without any verdict: the session
// only listens and probes until the decisive rsc_probe for the same group (no `early`, a new seq)
// takes it over with its history, or a cancel ends it; only errors are answered for an early seq.
// The group key is the group's first resource as haresources writes it after shorthand expansion
// (`IPaddr::192.0.2.100/24/eth0`, conf::ResourceGroup::key()). seq is opaque (1–32 printable
// characters) and echoed back so the master can match answers. `error` appears in an rsc_result
// only when the request was refused without running anything (unknown group, shutting down); a
// refusal has no `running` field (nothing was asked), every other result has one.
//
// Reload of haresources (`service hamaster reload`, rscd/rsc_service.hpp):
//   master → rscd   t=rsc_reload   seq=<id>
//   rscd → master   t=rsc_reloaded seq=<same id>  rc=ok  groups=<count of groups now in force>
//                   t=rsc_reloaded seq=<same id>  rc=failed  error=<text>
// Errors: `busy` (ask again later), `shutting_down`, `reload not supported`, the first config
// error as `FILE:LINE: error: ...`, `held group K changed|removed`.
//
// rscd also hears t=master_alive every keepalive (ipc/bus/supervision.hpp).
//
// Every decoder is strict (docs/conventions.md §8): the type, then no unknown and no duplicate field, then
// every required field and value; any failure is an Error naming the type and the field.
//
// Time and blocking: none. Diagnostics: none (errors returned as ha::Error naming the field).
// See also: ipc/bus/fields.hpp, ipc/bus/vocabulary.hpp, rscd/rsc_service.hpp, master/resource_shell.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/message.hpp"
#include "ipc/result.hpp"

namespace ha::ipc::bus {

inline constexpr std::string_view kRscOp = "rsc_op";
inline constexpr std::string_view kRscResult = "rsc_result";
inline constexpr std::string_view kRscReload = "rsc_reload";
inline constexpr std::string_view kRscReloaded = "rsc_reloaded";
inline constexpr std::string_view kRscProbe = "rsc_probe";
inline constexpr std::string_view kRscProbeCancel = "rsc_probe_cancel";
inline constexpr std::string_view kRscClearance = "rsc_clearance";

// One operation on a whole group (the bus `op` field, rscd's --oneshot word). `announce` is not
// run by the group runner: rscd answers it beside the queue (rscd/rsc_service.hpp).
enum class GroupOp { start, stop, status, announce };
std::string_view group_op_name(GroupOp op);
// "start" | "stop" | "status" | "announce" → the op; anything else → false.
bool parse_group_op(std::string_view word, GroupOp& op);

// t=rsc_op.
struct RscOp {
    GroupOp op = GroupOp::status;
    std::string group;
    std::string seq;

    Message encode() const;
    static Result<RscOp> decode(const Message& message);
};

// t=rsc_result. A refusal has `error` and no `running`; a result has `running` and no `error`.
struct RscResult {
    enum class Running { no, yes, partial };
    GroupOp op = GroupOp::status;
    std::string group;
    std::string seq;
    bool ok = false;
    std::optional<Running> running;  // absent: refused (see error)
    std::string failed_rsc;          // only with running
    std::string error;               // only without running

    Message encode() const;
    static Result<RscResult> decode(const Message& message);
};
std::string_view running_name(RscResult::Running running);

// t=rsc_reload.
struct RscReload {
    std::string seq;

    Message encode() const;
    static Result<RscReload> decode(const Message& message);
};

// t=rsc_reloaded: ok with the count of groups, or failed with the reason.
struct RscReloaded {
    std::string seq;
    bool ok = false;
    std::size_t groups = 0;  // with ok
    std::string error;       // without ok

    Message encode() const;
    static Result<RscReloaded> decode(const Message& message);
};

// t=rsc_probe (cancel=false: preferred is required) or t=rsc_probe_cancel (cancel=true: only group
// and seq). Member order is rscd's (aggregate initialisation in its tests).
struct RscProbe {
    std::string group;
    std::string seq;
    bool preferred = false;
    bool cancel = false;
    bool early = false;  // early=yes: probe while the peer is late, no verdict until the decisive rsc_probe

    Message encode() const;
    // Decodes either type.
    static Result<RscProbe> decode(const Message& message);
};

enum class ProbeVerdict { clear, held, error };
std::string_view probe_verdict_name(ProbeVerdict verdict);

// t=rsc_clearance. ip/mac/iface are set with `held` only; error with `error` only.
struct RscClearance {
    std::string group;
    std::string seq;
    ProbeVerdict verdict = ProbeVerdict::error;
    std::string ip;
    std::string mac;
    std::string iface;
    std::string error;

    Message encode() const;
    static Result<RscClearance> decode(const Message& message);
};

}  // namespace ha::ipc::bus
