// RscMessages — see rsc_messages.hpp.
#include "rscd/rsc_messages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <span>

#include "ipc/strict_fields.hpp"

namespace ha::rsc {

namespace {

bool valid_seq(std::string_view seq) {
    return !seq.empty() && seq.size() <= 32 && std::all_of(seq.begin(), seq.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// The type, then ipc::check_fields (no unknown and no duplicate field).
Result<void> check_fields(const ipc::Message& m, std::string_view type, std::initializer_list<std::string_view> allowed) {
    if (m.type() != type) return make_error("bad_type", fmt::format("not an {} message (t={})", type, m.type()));
    return ipc::check_fields(m, type, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

Error missing(std::string_view type, std::string_view field) {
    return make_error("missing_field", fmt::format("{}: missing field \"{}\"", type, field));
}

// group (non-empty, at most 1024 bytes) and seq (1–32 printable characters), both required.
Result<void> check_group_seq(const ipc::Message& m, std::string_view type, std::string& group, std::string& seq) {
    const auto g = m.get("group");
    const auto s = m.get("seq");
    if (!g || g->empty()) return missing(type, "group");
    if (!s) return missing(type, "seq");
    if (!valid_seq(*s)) return make_error("bad_value", fmt::format("{}: bad seq (1-32 printable characters)", type));
    if (g->size() > 1024) return make_error("bad_value", fmt::format("{}: group key too long", type));
    group = std::string(*g);
    seq = std::string(*s);
    return {};
}

}  // namespace

Result<RscRequest> decode_rsc_request(const ipc::Message& m) {
    if (auto ok = check_fields(m, kRscOp, {"t", "op", "group", "seq"}); !ok) return ok.error();
    RscRequest r;
    const auto op = m.get("op");
    if (!op) return missing(kRscOp, "op");
    if (auto ok = check_group_seq(m, kRscOp, r.group, r.seq); !ok) return ok.error();
    if (!parse_group_op(*op, r.op)) return make_error("bad_value", fmt::format("rsc_op: bad op \"{}\"", *op));
    return r;
}

std::string_view probe_verdict_name(ProbeVerdict verdict) {
    switch (verdict) {
        case ProbeVerdict::clear: return "clear";
        case ProbeVerdict::held: return "held";
        case ProbeVerdict::error: return "error";
    }
    return "error";
}

Result<ProbeRequest> decode_probe_request(const ipc::Message& m) {
    ProbeRequest r;
    r.cancel = m.type() == kRscProbeCancel;
    const std::string_view type = r.cancel ? kRscProbeCancel : kRscProbe;
    auto fields = r.cancel ? check_fields(m, type, {"t", "group", "seq"}) : check_fields(m, type, {"t", "group", "seq", "preferred", "early"});
    if (!fields) return fields.error();
    if (auto ok = check_group_seq(m, type, r.group, r.seq); !ok) return ok.error();
    if (r.cancel) return r;
    const auto preferred = m.get("preferred");
    if (!preferred) return missing(type, "preferred");
    if (*preferred != "yes" && *preferred != "no")
        return make_error("bad_value", fmt::format("rsc_probe: bad preferred \"{}\" (yes or no)", *preferred));
    r.preferred = *preferred == "yes";
    if (const auto early = m.get("early")) {
        if (*early != "yes" && *early != "no")
            return make_error("bad_value", fmt::format("rsc_probe: bad early \"{}\" (yes or no)", *early));
        r.early = *early == "yes";
    }
    return r;
}

ipc::Message encode_clearance(const Clearance& c) {
    ipc::Message m;
    m.add("t", kRscClearance);
    m.add("group", c.group);
    m.add("seq", c.seq);
    m.add("verdict", probe_verdict_name(c.verdict));
    if (c.verdict == ProbeVerdict::held) {
        m.add("ip", c.ip);
        m.add("mac", c.mac);
        m.add("iface", c.iface);
    }
    if (c.verdict == ProbeVerdict::error) m.add("error", c.error);
    return m;
}

Result<Clearance> decode_clearance(const ipc::Message& m) {
    if (auto ok = check_fields(m, kRscClearance, {"t", "group", "seq", "verdict", "ip", "mac", "iface", "error"}); !ok)
        return ok.error();
    Clearance c;
    if (auto ok = check_group_seq(m, kRscClearance, c.group, c.seq); !ok) return ok.error();
    const auto verdict = m.get("verdict");
    if (!verdict) return missing(kRscClearance, "verdict");
    if (*verdict == "clear") c.verdict = ProbeVerdict::clear;
    else if (*verdict == "held") c.verdict = ProbeVerdict::held;
    else if (*verdict == "error") c.verdict = ProbeVerdict::error;
    else return make_error("bad_value", fmt::format("rsc_clearance: bad verdict \"{}\"", *verdict));
    const bool held = c.verdict == ProbeVerdict::held;
    for (std::string_view f : {"ip", "mac", "iface"}) {
        if (m.has(f) != held)
            return held ? missing(kRscClearance, f)
                        : make_error("unexpected_field", fmt::format("rsc_clearance: unexpected field \"{}\" with verdict={}", f, *verdict));
    }
    if (m.has("error") != (c.verdict == ProbeVerdict::error))
        return c.verdict == ProbeVerdict::error ? missing(kRscClearance, "error")
                                                : make_error("unexpected_field", fmt::format("rsc_clearance: unexpected field \"error\" with verdict={}", *verdict));
    c.ip = m.get_or("ip", "");
    c.mac = m.get_or("mac", "");
    c.iface = m.get_or("iface", "");
    c.error = m.get_or("error", "");
    return c;
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
