// control — see control.hpp.
#include "ipc/bus/control.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ipc/bus/fields.hpp"
#include "ipc/strict_fields.hpp"

namespace ha::ipc::bus {

bool ClStatusRequest::has_flag(std::string_view f) const { return std::find(flags.begin(), flags.end(), f) != flags.end(); }

Message ClStatusRequest::encode() const {
    Message m;
    m.add("t", kClStatus).add("cmd", cmd);
    for (const auto& a : args) m.add("arg", a);
    for (const auto& f : flags) m.add("flag", f);
    if (!param.empty()) m.add("param", param);
    if (json) m.add("json", "1");
    return m;
}

Result<ClStatusRequest> ClStatusRequest::decode(const Message& m) {
    if (m.type() != kClStatus) return make_error("bad_type", fmt::format("not an {} message (t={})", kClStatus, m.type()));
    ClStatusRequest r;
    std::size_t words = 0;
    for (const auto& f : m.fields()) {
        if (f.name == "arg" || f.name == "flag") {
            if (++words > kMaxControlWords)
                return make_error("bad_value", fmt::format("cl_status: more than {} arg and flag fields", kMaxControlWords));
            (f.name == "arg" ? r.args : r.flags).push_back(f.value);
        }
    }
    // arg and flag may repeat; every other field appears once.
    Message single;
    for (const auto& f : m.fields())
        if (f.name != "arg" && f.name != "flag") single.fields().push_back(f);
    static constexpr std::string_view kSingle[] = {"t", "cmd", "param", "json"};
    if (auto ok = check_fields(single, kClStatus, kSingle); !ok) return ok.error();
    auto cmd = read_required(m, kClStatus, "cmd");
    if (!cmd) return cmd.error();
    r.cmd = std::move(*cmd);
    r.param = m.get_or("param", "");
    if (const auto json = m.get("json")) {
        if (*json != "0" && *json != "1") return make_error("bad_value", fmt::format("cl_status: bad json \"{}\" (0 or 1)", json->substr(0, 40)));
        r.json = *json == "1";
    }
    return r;
}

Message StandbyRequest::encode() const {
    Message m;
    m.add("t", takeover ? kTakeover : kStandby).add("rsc_hold", kind);
    return m;
}

Result<StandbyRequest> StandbyRequest::decode(const Message& m) {
    StandbyRequest r;
    r.takeover = m.type() == kTakeover;
    if (auto ok = check_message(m, r.takeover ? kTakeover : kStandby, {"t", "rsc_hold"}); !ok) return ok.error();
    r.kind = m.get_or("rsc_hold", "all");
    return r;
}

Message StandbyStateRequest::encode() const {
    Message m;
    m.add("t", kStandbyState);
    return m;
}

Result<StandbyStateRequest> StandbyStateRequest::decode(const Message& m) {
    if (auto ok = check_message(m, kStandbyState, {"t"}); !ok) return ok.error();
    return StandbyStateRequest{};
}

Result<ControlRequest> decode_control_request(const Message& m) {
    const auto type = m.type();
    auto as_request = [](auto decoded) -> Result<ControlRequest> {
        if (!decoded) return decoded.error();
        return ControlRequest{std::move(*decoded)};
    };
    if (type == kClStatus) return as_request(ClStatusRequest::decode(m));
    if (type == kStandby || type == kTakeover) return as_request(StandbyRequest::decode(m));
    if (type == kStandbyState) return as_request(StandbyStateRequest::decode(m));
    return make_error("unknown_type", fmt::format("unknown request type \"{}\"", type.substr(0, 40)));
}

Message ControlReply::encode() const {
    Message m;
    m.add("t", kControlReply);
    m.add("rc", std::to_string(rc));
    m.add("out", out);
    if (!err.empty()) m.add("err", err);
    if (usage) m.add("usage", "1");
    if (standby) {
        if (!standby->refused.empty()) m.add("refused", standby->refused).add("reason", standby->reason);
        m.add("ends", std::to_string(standby->ends));
        m.add("reply_timeout_ms", std::to_string(standby->reply_timeout_ms));
    }
    if (state) {
        m.add("ends", std::to_string(state->ends)).add("last_end", state->last_end);
        m.add("rsc_hold", state->rsc_hold).add("peer", state->peer).add("peer_node", state->peer_node);
        m.add("standby", state->running ? "running" : "idle");
    }
    return m;
}

Message ControlError::encode() const {
    Message m;
    m.add("t", kControlError).add("reason", reason).add("err", err);
    return m;
}

}  // namespace ha::ipc::bus
