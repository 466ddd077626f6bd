// RscMessages — the bus contract between the master and rscd: decode `rsc_op`, `rsc_reload`,
// `rsc_probe` and `rsc_probe_cancel`, encode `rsc_result`, `rsc_reloaded` and `rsc_clearance`.
//
//   master → rscd   t=rsc_op     op=start|stop|status  group=<group key>  seq=<id>
//   rscd → master   t=rsc_result op=…  group=…  seq=<same id>  rc=ok|failed
//                                running=yes|no|partial  [failed_rsc=<resource word>]  [error=<text>]
//
//   master → rscd   t=rsc_probe         group=<group key>  seq=<id>  preferred=yes|no  [early=yes|no]
//   master → rscd   t=rsc_probe_cancel  group=<group key>  seq=<id>
//   rscd → master   t=rsc_clearance     group=…  seq=<same id>  verdict=clear|held|error
//                                       [ip=<vip> mac=<aa:bb:cc:dd:ee:ff> iface=<eth0>]  [error=<text>]
// The split-brain guard (probe_service.hpp): before taking a group over after the peer's death,
// the master asks whether any of the group's VIPs is still answered on the LAN (RFC 5227 ARP
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
// characters) and echoed back so the master can match answers. `error` appears only when the
// request was refused without running anything (unknown group, shutting down); a refusal has no
// `running` field (nothing was asked). Fields are strict
// (style.md §8): a missing, duplicate or unknown field refuses the message.
//
// Reload of haresources (`service hamaster reload`, RscService::on_bus_message):
//   master → rscd   t=rsc_reload   seq=<id>
//   rscd → master   t=rsc_reloaded seq=<same id>  rc=ok  groups=<count of groups now in force>
//                   t=rsc_reloaded seq=<same id>  rc=failed  error=<text>
// rscd re-reads the whole config from its own config dir with the loader it used at start and
// swaps its haresources only when it is idle (nothing running, nothing queued) and no group it
// holds was changed or removed (conf::diff_groups). Errors: `busy` (ask again later),
// `shutting_down`, `reload not supported` (no loader: --oneshot, tests), the first config error as
// `FILE:LINE: error: ...`, `held group K changed|removed`. A refusal changes nothing. seq follows
// the rsc_op rule; only `t` and `seq` are accepted in the request. The master applies its own
// copy only after rc=ok.
//
// Time and blocking: none.
// Diagnostics: errors returned as ha::Error naming the field.
// See also: rsc_service.hpp, group_runner.hpp (GroupOutcome).
#pragma once

#include <string>

#include "ipc/message.hpp"
#include "ipc/result.hpp"
#include "rscd/agent_result.hpp"
#include "rscd/group_runner.hpp"

namespace ha::rsc {

inline constexpr std::string_view kRscOp = "rsc_op";
inline constexpr std::string_view kRscResult = "rsc_result";
inline constexpr std::string_view kRscReload = "rsc_reload";
inline constexpr std::string_view kRscReloaded = "rsc_reloaded";
inline constexpr std::string_view kRscProbe = "rsc_probe";
inline constexpr std::string_view kRscProbeCancel = "rsc_probe_cancel";
inline constexpr std::string_view kRscClearance = "rsc_clearance";

struct RscRequest {
    GroupOp op = GroupOp::status;
    std::string group;
    std::string seq;
};

Result<RscRequest> decode_rsc_request(const ipc::Message& message);
ipc::Message encode_rsc_result(const RscRequest& request, const GroupOutcome& outcome);
// A refusal: rc=failed, error=<reason>.
ipc::Message encode_rsc_refusal(const RscRequest& request, std::string_view reason);

// `t=rsc_reload seq=N`; returns the seq.
Result<std::string> decode_rsc_reload(const ipc::Message& message);
// rc=ok groups=<count>.
ipc::Message encode_rsc_reloaded(std::string_view seq, std::size_t groups);
// rc=failed error=<reason>.
ipc::Message encode_rsc_reload_refusal(std::string_view seq, std::string_view reason);
// rsc_probe (cancel=false: preferred is required) or rsc_probe_cancel (cancel=true: no preferred).
struct ProbeRequest {
    std::string group;
    std::string seq;
    bool preferred = false;
    bool cancel = false;
    bool early = false;  // early=yes: probe while the peer is late, no verdict until the decisive rsc_probe
};

enum class ProbeVerdict { clear, held, error };
std::string_view probe_verdict_name(ProbeVerdict verdict);

// One rsc_clearance. ip/mac/iface are set with `held` only; error with `error` only.
struct Clearance {
    std::string group;
    std::string seq;
    ProbeVerdict verdict = ProbeVerdict::error;
    std::string ip;
    std::string mac;
    std::string iface;
    std::string error;
};

// Decodes t=rsc_probe or t=rsc_probe_cancel (strict, as decode_rsc_request).
Result<ProbeRequest> decode_probe_request(const ipc::Message& message);
ipc::Message encode_clearance(const Clearance& clearance);
// The master's side of the contract (strict: held needs ip/mac/iface, error needs error).
Result<Clearance> decode_clearance(const ipc::Message& message);

}  // namespace ha::rsc
