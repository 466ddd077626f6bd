// RscMessages — the bus contract between the master and rscd: decode `rsc_op`, encode `rsc_result`.
//
//   master → rscd   t=rsc_op     op=start|stop|status  group=<group key>  seq=<id>
//   rscd → master   t=rsc_result op=…  group=…  seq=<same id>  rc=ok|failed
//                                running=yes|no|partial  [failed_rsc=<resource word>]  [error=<text>]
// The group key is the group's first resource as haresources writes it after shorthand expansion
// (`IPaddr::192.0.2.100/24/eth0`, conf::ResourceGroup::key()). seq is opaque (1–32 printable
// characters) and echoed back so the master can match answers. `error` appears only when the
// request was refused without running anything (unknown group, shutting down); a refusal has no
// `running` field (nothing was asked). Fields are strict
// (style.md §8): a missing, duplicate or unknown field refuses the message.
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

struct RscRequest {
    GroupOp op = GroupOp::status;
    std::string group;
    std::string seq;
};

Result<RscRequest> decode_rsc_request(const ipc::Message& message);
ipc::Message encode_rsc_result(const RscRequest& request, const GroupOutcome& outcome);
// A refusal: rc=failed, error=<reason>.
ipc::Message encode_rsc_refusal(const RscRequest& request, std::string_view reason);

}  // namespace ha::rsc
