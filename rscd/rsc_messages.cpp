// RscMessages — see rsc_messages.hpp.
#include "rscd/rsc_messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "ipc/strict_fields.hpp"

namespace ha::rsc {

namespace {

bool valid_seq(std::string_view seq) {
    return !seq.empty() && seq.size() <= 32 && std::all_of(seq.begin(), seq.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

Result<RscRequest> decode_rsc_request(const ipc::Message& m) {
    if (m.type() != kRscOp) return make_error("bad_type", fmt::format("not an {} message (t={})", kRscOp, m.type()));
    static constexpr std::array<std::string_view, 4> kFields{"t", "op", "group", "seq"};
    if (auto fields = ipc::check_fields(m, kRscOp, kFields); !fields) return fields.error();
    RscRequest r;
    const auto op = m.get("op");
    const auto group = m.get("group");
    const auto seq = m.get("seq");
    if (!op) return make_error("missing_field", "rsc_op: missing field \"op\"");
    if (!group || group->empty()) return make_error("missing_field", "rsc_op: missing field \"group\"");
    if (!seq) return make_error("missing_field", "rsc_op: missing field \"seq\"");
    if (!parse_group_op(*op, r.op)) return make_error("bad_value", fmt::format("rsc_op: bad op \"{}\"", *op));
    if (!valid_seq(*seq)) return make_error("bad_value", "rsc_op: bad seq (1-32 printable characters)");
    if (group->size() > 1024) return make_error("bad_value", "rsc_op: group key too long");
    r.group = std::string(*group);
    r.seq = std::string(*seq);
    return r;
}

namespace {

ipc::Message result_head(const RscRequest& request) {
    ipc::Message m;
    m.add("t", kRscResult);
    m.add("op", group_op_name(request.op));
    m.add("group", request.group);
    m.add("seq", request.seq);
    return m;
}

}  // namespace

ipc::Message encode_rsc_result(const RscRequest& request, const GroupOutcome& outcome) {
    ipc::Message m = result_head(request);
    m.add("rc", outcome.ok ? "ok" : "failed");
    m.add("running", outcome.running ? "yes" : (outcome.any_running ? "partial" : "no"));
    if (!outcome.failed_rsc.empty()) m.add("failed_rsc", outcome.failed_rsc);
    return m;
}

ipc::Message encode_rsc_refusal(const RscRequest& request, std::string_view reason) {
    ipc::Message m = result_head(request);
    m.add("rc", "failed");
    m.add("error", reason);
    return m;
}

Result<std::string> decode_rsc_reload(const ipc::Message& m) {
    if (m.type() != kRscReload) return make_error("bad_type", fmt::format("not an {} message (t={})", kRscReload, m.type()));
    static constexpr std::array<std::string_view, 2> kFields{"t", "seq"};
    if (auto fields = ipc::check_fields(m, kRscReload, kFields); !fields) return fields.error();
    const auto seq = m.get("seq");
    if (!seq) return make_error("missing_field", "rsc_reload: missing field \"seq\"");
    if (!valid_seq(*seq)) return make_error("bad_value", "rsc_reload: bad seq (1-32 printable characters)");
    return std::string(*seq);
}

ipc::Message encode_rsc_reloaded(std::string_view seq, std::size_t groups) {
    ipc::Message m;
    m.add("t", kRscReloaded).add("seq", seq).add("rc", "ok").add("groups", std::to_string(groups));
    return m;
}

ipc::Message encode_rsc_reload_refusal(std::string_view seq, std::string_view reason) {
    ipc::Message m;
    m.add("t", kRscReloaded).add("seq", seq).add("rc", "failed").add("error", reason);
    return m;
}

}  // namespace ha::rsc
