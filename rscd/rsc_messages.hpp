// RscMessages — rscd's names for its bus contract with the master. The messages, their encoders
// and their strict decoders live in ipc/bus/rsc.hpp, shared with the master; this file only maps
// rscd's own results (GroupOutcome) onto them and keeps the names rscd's code uses.
//
// Time and blocking: none.
// Diagnostics: errors returned as ha::Error naming the field.
// See also: ipc/bus/rsc.hpp (the contract), rsc_service.hpp, group_runner.hpp (GroupOutcome).
#pragma once

#include <string>

#include "ipc/bus/rsc.hpp"
#include "ipc/message.hpp"
#include "ipc/result.hpp"
#include "rscd/agent_result.hpp"
#include "rscd/group_runner.hpp"

namespace ha::rsc {

using ipc::bus::kRscClearance;
using ipc::bus::kRscOp;
using ipc::bus::kRscProbe;
using ipc::bus::kRscProbeCancel;
using ipc::bus::kRscReload;
using ipc::bus::kRscReloaded;
using ipc::bus::kRscResult;

using RscRequest = ipc::bus::RscOp;
using ProbeRequest = ipc::bus::RscProbe;
using Clearance = ipc::bus::RscClearance;
using ipc::bus::ProbeVerdict;
using ipc::bus::probe_verdict_name;

inline Result<RscRequest> decode_rsc_request(const ipc::Message& message) { return RscRequest::decode(message); }
ipc::Message encode_rsc_result(const RscRequest& request, const GroupOutcome& outcome);
// A refusal: rc=failed, error=<reason>.
ipc::Message encode_rsc_refusal(const RscRequest& request, std::string_view reason);

// `t=rsc_reload seq=N`; returns the seq.
Result<std::string> decode_rsc_reload(const ipc::Message& message);
// rc=ok groups=<count>.
ipc::Message encode_rsc_reloaded(std::string_view seq, std::size_t groups);
// rc=failed error=<reason>.
ipc::Message encode_rsc_reload_refusal(std::string_view seq, std::string_view reason);

// Decodes t=rsc_probe or t=rsc_probe_cancel.
inline Result<ProbeRequest> decode_probe_request(const ipc::Message& message) { return ProbeRequest::decode(message); }
inline ipc::Message encode_clearance(const Clearance& clearance) { return clearance.encode(); }
inline Result<Clearance> decode_clearance(const ipc::Message& message) { return Clearance::decode(message); }

}  // namespace ha::rsc
