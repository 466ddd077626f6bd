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

Result<ControlReply> ControlReply::decode(const Message& m) {
    if (m.type() == kControlError)
        return make_error("control_error", fmt::format("the master refused the request: {} ({})", m.get_or("err", ""), m.get_or("reason", "")));
    if (auto ok = check_message(m, kControlReply, {"t", "rc", "out", "err", "usage", "refused", "reason", "ends", "reply_timeout_ms",
                                                   "last_end", "rsc_hold", "peer", "peer_node", "standby"});
        !ok)
        return ok.error();
    ControlReply r;
    auto rc = read_count(m, kControlReply, "rc", 3);
    if (!rc) return rc.error();
    if (*rc > 255) return make_error("bad_value", fmt::format("control_reply: bad rc \"{}\"", *rc));
    r.rc = static_cast<int>(*rc);
    const auto out = m.get("out");
    if (!out) return missing_field(kControlReply, "out");
    r.out = std::string(*out);
    r.err = m.get_or("err", "");
    if (const auto usage = m.get("usage")) {
        if (*usage != "1") return make_error("bad_value", "control_reply: bad usage (1)");
        r.usage = true;
    }
    const bool state = m.has("last_end");
    const bool standby = m.has("reply_timeout_ms");
    if (state && standby) return unexpected_field(kControlReply, "reply_timeout_ms", "with last_end");
    if (state) {
        State st;
        auto ends = read_count(m, kControlReply, "ends");
        if (!ends) return ends.error();
        st.ends = *ends;
        st.last_end = m.get_or("last_end", "");
        for (auto [name, value] : {std::pair{"rsc_hold", &st.rsc_hold}, {"peer", &st.peer}, {"peer_node", &st.peer_node}}) {
            const auto v = m.get(name);
            if (!v) return missing_field(kControlReply, name);
            *value = std::string(*v);
        }
        const auto running = m.get("standby");
        if (!running) return missing_field(kControlReply, "standby");
        if (*running != "idle" && *running != "running") return make_error("bad_value", "control_reply: bad standby (idle or running)");
        st.running = *running == "running";
        for (std::string_view f : {"refused", "reason"})
            if (m.has(f)) return unexpected_field(kControlReply, f, "with last_end");
        r.state = std::move(st);
    } else if (standby) {
        Standby sb;
        auto ends = read_count(m, kControlReply, "ends");
        if (!ends) return ends.error();
        sb.ends = *ends;
        auto timeout = read_count(m, kControlReply, "reply_timeout_ms", 12);
        if (!timeout) return timeout.error();
        sb.reply_timeout_ms = static_cast<std::int64_t>(*timeout);
        if (m.has("refused") != m.has("reason")) return missing_field(kControlReply, m.has("refused") ? "reason" : "refused");
        if (m.has("refused")) {
            auto refused = read_required(m, kControlReply, "refused");
            if (!refused) return refused.error();
            sb.refused = std::move(*refused);
            sb.reason = m.get_or("reason", "");
        }
        for (std::string_view f : {"rsc_hold", "peer", "peer_node", "standby"})
            if (m.has(f)) return unexpected_field(kControlReply, f, "with reply_timeout_ms");
        r.standby = std::move(sb);
    } else {
        for (std::string_view f : {"refused", "reason", "ends", "rsc_hold", "peer", "peer_node", "standby"})
            if (m.has(f)) return unexpected_field(kControlReply, f);
    }
    return r;
}

Message ControlError::encode() const {
    Message m;
    m.add("t", kControlError).add("reason", reason).add("err", err);
    return m;
}

}  // namespace ha::ipc::bus
