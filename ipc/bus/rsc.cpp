// rsc — see rsc.hpp.
#include "ipc/bus/rsc.hpp"

#include <fmt/format.h>

#include "ipc/bus/fields.hpp"

namespace ha::ipc::bus {

namespace {

// group (non-empty, at most 1024 bytes) and seq (valid_seq), both required.
Result<void> read_group_seq(const Message& m, std::string_view type, std::string& group, std::string& seq) {
    const auto g = m.get("group");
    if (!g || g->empty()) return missing_field(type, "group");
    auto s = read_seq(m, type);
    if (!s) return s.error();
    if (g->size() > 1024) return make_error("bad_value", fmt::format("{}: group key too long", type));
    group = std::string(*g);
    seq = std::move(*s);
    return {};
}

Result<GroupOp> read_op(const Message& m, std::string_view type) {
    const auto op = m.get("op");
    if (!op) return missing_field(type, "op");
    GroupOp parsed = GroupOp::status;
    if (!parse_group_op(*op, parsed)) return make_error("bad_value", fmt::format("{}: bad op \"{}\"", type, *op));
    return parsed;
}

}  // namespace

std::string_view group_op_name(GroupOp op) {
    switch (op) {
        case GroupOp::start: return "start";
        case GroupOp::stop: return "stop";
        case GroupOp::status: return "status";
        case GroupOp::announce: return "announce";
    }
    return "status";
}

bool parse_group_op(std::string_view word, GroupOp& op) {
    if (word == "start") op = GroupOp::start;
    else if (word == "stop") op = GroupOp::stop;
    else if (word == "status") op = GroupOp::status;
    else if (word == "announce") op = GroupOp::announce;
    else return false;
    return true;
}

// ---- rsc_op -----------------------------------------------------------------------------------

Message RscOp::encode() const {
    Message m;
    m.add("t", kRscOp).add("op", group_op_name(op)).add("group", group).add("seq", seq);
    return m;
}

Result<RscOp> RscOp::decode(const Message& m) {
    if (auto ok = check_message(m, kRscOp, {"t", "op", "group", "seq"}); !ok) return ok.error();
    RscOp r;
    auto op = read_op(m, kRscOp);
    if (!op) return op.error();
    if (auto ok = read_group_seq(m, kRscOp, r.group, r.seq); !ok) return ok.error();
    r.op = *op;
    return r;
}

// ---- rsc_result -------------------------------------------------------------------------------

std::string_view running_name(RscResult::Running running) {
    switch (running) {
        case RscResult::Running::no: return "no";
        case RscResult::Running::yes: return "yes";
        case RscResult::Running::partial: return "partial";
    }
    return "no";
}

Message RscResult::encode() const {
    Message m;
    m.add("t", kRscResult).add("op", group_op_name(op)).add("group", group).add("seq", seq);
    m.add("rc", ok ? "ok" : "failed");
    if (running) {
        m.add("running", running_name(*running));
        if (!failed_rsc.empty()) m.add("failed_rsc", failed_rsc);
    } else {
        m.add("error", error);
    }
    return m;
}

Result<RscResult> RscResult::decode(const Message& m) {
    if (auto ok = check_message(m, kRscResult, {"t", "op", "group", "seq", "rc", "running", "failed_rsc", "error"}); !ok)
        return ok.error();
    RscResult r;
    auto op = read_op(m, kRscResult);
    if (!op) return op.error();
    r.op = *op;
    if (auto ok = read_group_seq(m, kRscResult, r.group, r.seq); !ok) return ok.error();
    const auto rc = m.get("rc");
    if (!rc) return missing_field(kRscResult, "rc");
    if (*rc != "ok" && *rc != "failed") return make_error("bad_value", fmt::format("rsc_result: bad rc \"{}\"", *rc));
    r.ok = *rc == "ok";
    if (const auto running = m.get("running")) {
        if (*running == "yes") r.running = Running::yes;
        else if (*running == "no") r.running = Running::no;
        else if (*running == "partial") r.running = Running::partial;
        else return make_error("bad_value", fmt::format("rsc_result: bad running \"{}\"", *running));
        if (m.has("error")) return unexpected_field(kRscResult, "error", "with running");
        r.failed_rsc = m.get_or("failed_rsc", "");
        return r;
    }
    // A refusal: nothing ran, so no running and no failed_rsc, and it says why.
    if (r.ok) return missing_field(kRscResult, "running");
    if (m.has("failed_rsc")) return unexpected_field(kRscResult, "failed_rsc", "without running");
    auto error = read_required(m, kRscResult, "error");
    if (!error) return missing_field(kRscResult, "running");  // neither a result nor a refusal
    r.error = std::move(*error);
    return r;
}

// ---- rsc_reload / rsc_reloaded ----------------------------------------------------------------

Message RscReload::encode() const {
    Message m;
    m.add("t", kRscReload).add("seq", seq);
    return m;
}

Result<RscReload> RscReload::decode(const Message& m) {
    if (auto ok = check_message(m, kRscReload, {"t", "seq"}); !ok) return ok.error();
    auto seq = read_seq(m, kRscReload);
    if (!seq) return seq.error();
    return RscReload{std::move(*seq)};
}

Message RscReloaded::encode() const {
    Message m;
    m.add("t", kRscReloaded).add("seq", seq);
    if (ok) m.add("rc", "ok").add("groups", std::to_string(groups));
    else m.add("rc", "failed").add("error", error);
    return m;
}

Result<RscReloaded> RscReloaded::decode(const Message& m) {
    if (auto ok = check_message(m, kRscReloaded, {"t", "seq", "rc", "groups", "error"}); !ok) return ok.error();
    RscReloaded r;
    auto seq = read_seq(m, kRscReloaded);
    if (!seq) return seq.error();
    r.seq = std::move(*seq);
    const auto rc = m.get("rc");
    if (!rc) return missing_field(kRscReloaded, "rc");
    if (*rc == "ok") {
        if (m.has("error")) return unexpected_field(kRscReloaded, "error", "with rc=ok");
        auto groups = read_count(m, kRscReloaded, "groups", 6);
        if (!groups) return groups.error();
        r.ok = true;
        r.groups = static_cast<std::size_t>(*groups);
    } else if (*rc == "failed") {
        if (m.has("groups")) return unexpected_field(kRscReloaded, "groups", "with rc=failed");
        auto error = read_required(m, kRscReloaded, "error");
        if (!error) return error.error();
        r.error = std::move(*error);
    } else {
        return make_error("bad_value", fmt::format("rsc_reloaded: bad rc \"{}\"", *rc));
    }
    return r;
}

// ---- rsc_probe / rsc_probe_cancel / rsc_clearance ---------------------------------------------

std::string_view probe_verdict_name(ProbeVerdict verdict) {
    switch (verdict) {
        case ProbeVerdict::clear: return "clear";
        case ProbeVerdict::held: return "held";
        case ProbeVerdict::error: return "error";
    }
    return "error";
}

Message RscProbe::encode() const {
    Message m;
    m.add("t", cancel ? kRscProbeCancel : kRscProbe).add("group", group).add("seq", seq);
    if (cancel) return m;
    m.add("preferred", preferred ? "yes" : "no");
    if (early) m.add("early", "yes");
    return m;
}

Result<RscProbe> RscProbe::decode(const Message& m) {
    RscProbe r;
    r.cancel = m.type() == kRscProbeCancel;
    const std::string_view type = r.cancel ? kRscProbeCancel : kRscProbe;
    auto fields = r.cancel ? check_message(m, type, {"t", "group", "seq"})
                           : check_message(m, type, {"t", "group", "seq", "preferred", "early"});
    if (!fields) return fields.error();
    if (auto ok = read_group_seq(m, type, r.group, r.seq); !ok) return ok.error();
    if (r.cancel) return r;
    auto preferred = read_yes_no(m, type, "preferred");
    if (!preferred) return preferred.error();
    r.preferred = *preferred;
    if (m.has("early")) {
        auto early = read_yes_no(m, type, "early");
        if (!early) return early.error();
        r.early = *early;
    }
    return r;
}

Message RscClearance::encode() const {
    Message m;
    m.add("t", kRscClearance);
    m.add("group", group);
    m.add("seq", seq);
    m.add("verdict", probe_verdict_name(verdict));
    if (verdict == ProbeVerdict::held) {
        m.add("ip", ip);
        m.add("mac", mac);
        m.add("iface", iface);
    }
    if (verdict == ProbeVerdict::error) m.add("error", error);
    return m;
}

Result<RscClearance> RscClearance::decode(const Message& m) {
    if (auto ok = check_message(m, kRscClearance, {"t", "group", "seq", "verdict", "ip", "mac", "iface", "error"}); !ok)
        return ok.error();
    RscClearance c;
    if (auto ok = read_group_seq(m, kRscClearance, c.group, c.seq); !ok) return ok.error();
    const auto verdict = m.get("verdict");
    if (!verdict) return missing_field(kRscClearance, "verdict");
    if (*verdict == "clear") c.verdict = ProbeVerdict::clear;
    else if (*verdict == "held") c.verdict = ProbeVerdict::held;
    else if (*verdict == "error") c.verdict = ProbeVerdict::error;
    else return make_error("bad_value", fmt::format("rsc_clearance: bad verdict \"{}\"", *verdict));
    const bool held = c.verdict == ProbeVerdict::held;
    const std::string with = fmt::format("with verdict={}", *verdict);
    for (std::string_view f : {"ip", "mac", "iface"}) {
        if (m.has(f) != held) return held ? missing_field(kRscClearance, f) : unexpected_field(kRscClearance, f, with);
    }
    if (m.has("error") != (c.verdict == ProbeVerdict::error))
        return c.verdict == ProbeVerdict::error ? missing_field(kRscClearance, "error")
                                                : unexpected_field(kRscClearance, "error", with);
    c.ip = m.get_or("ip", "");
    c.mac = m.get_or("mac", "");
    c.iface = m.get_or("iface", "");
    c.error = m.get_or("error", "");
    return c;
}

}  // namespace ha::ipc::bus
