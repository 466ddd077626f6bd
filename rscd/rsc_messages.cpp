// RscMessages — see rsc_messages.hpp.
#include "rscd/rsc_messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace ha::rsc {

Result<RscRequest> decode_rsc_request(const ipc::Message& m) {
    if (m.type() != kRscOp) return make_error("bad_type", fmt::format("not an {} message (t={})", kRscOp, m.type()));
    static constexpr std::array<std::string_view, 4> kFields{"t", "op", "group", "seq"};
    for (const auto& f : m.fields()) {
        if (std::find(kFields.begin(), kFields.end(), f.name) == kFields.end())
            return make_error("unexpected_field", fmt::format("rsc_op: unexpected field \"{}\"", f.name));
        if (std::count_if(m.fields().begin(), m.fields().end(), [&](const ipc::Field& g) { return g.name == f.name; }) > 1)
            return make_error("duplicate_field", fmt::format("rsc_op: duplicate field \"{}\"", f.name));
    }
    RscRequest r;
    const auto op = m.get("op");
    const auto group = m.get("group");
    const auto seq = m.get("seq");
    if (!op) return make_error("missing_field", "rsc_op: missing field \"op\"");
    if (!group || group->empty()) return make_error("missing_field", "rsc_op: missing field \"group\"");
    if (!seq) return make_error("missing_field", "rsc_op: missing field \"seq\"");
    if (!parse_group_op(*op, r.op)) return make_error("bad_value", fmt::format("rsc_op: bad op \"{}\"", *op));
    if (seq->empty() || seq->size() > 32 ||
        !std::all_of(seq->begin(), seq->end(), [](char c) { return c > 0x20 && c < 0x7f; }))
        return make_error("bad_value", "rsc_op: bad seq (1-32 printable characters)");
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

}  // namespace ha::rsc
