// RscMessages — see rsc_messages.hpp.
#include "rscd/rsc_messages.hpp"

namespace ha::rsc {

ipc::Message encode_rsc_result(const RscRequest& request, const GroupOutcome& outcome) {
    using Running = ipc::bus::RscResult::Running;
    ipc::bus::RscResult r{request.op, request.group, request.seq, outcome.ok, std::nullopt, outcome.failed_rsc, {}};
    r.running = outcome.running ? Running::yes : (outcome.any_running ? Running::partial : Running::no);
    return r.encode();
}

ipc::Message encode_rsc_refusal(const RscRequest& request, std::string_view reason) {
    return ipc::bus::RscResult{request.op, request.group, request.seq, false, std::nullopt, {}, std::string(reason)}.encode();
}

Result<std::string> decode_rsc_reload(const ipc::Message& message) {
    auto r = ipc::bus::RscReload::decode(message);
    if (!r) return r.error();
    return std::move(r->seq);
}

ipc::Message encode_rsc_reloaded(std::string_view seq, std::size_t groups) {
    return ipc::bus::RscReloaded{std::string(seq), true, groups, {}}.encode();
}

ipc::Message encode_rsc_reload_refusal(std::string_view seq, std::string_view reason) {
    return ipc::bus::RscReloaded{std::string(seq), false, 0, std::string(reason)}.encode();
}

}  // namespace ha::rsc
