// ipfail — see ipfail.hpp.
#include "ipc/bus/ipfail.hpp"

#include <fmt/format.h>

#include <initializer_list>

#include "ipc/bus/fields.hpp"

namespace ha::ipc::bus {

namespace {

// A required field whose value is one of `words`.
Result<std::string> read_word(const Message& m, std::string_view type, std::string_view field,
                              std::initializer_list<std::string_view> words) {
    const auto value = m.get(field);
    if (!value) return missing_field(type, field);
    for (auto w : words)
        if (*value == w) return std::string(*value);
    return make_error("bad_value", fmt::format("{}: bad field \"{}\" (\"{}\")", type, field, value->substr(0, 40)));
}

Message type_only(std::string_view type) {
    Message m;
    m.add("t", type);
    return m;
}

}  // namespace

Message NodeStatus::encode() const {
    Message m;
    m.add("t", kNodeStatus).add("node", node).add("st", st);
    return m;
}

Result<NodeStatus> NodeStatus::decode(const Message& m) {
    if (auto ok = check_message(m, kNodeStatus, {"t", "node", "st"}); !ok) return ok.error();
    auto node = read_required(m, kNodeStatus, "node");
    if (!node) return node.error();
    auto st = read_word(m, kNodeStatus, "st", {"init", "up", "active", "dead"});
    if (!st) return st.error();
    return NodeStatus{std::move(*node), std::move(*st)};
}

Message RscHold::encode() const {
    Message m;
    m.add("t", kRscHold).add("word", word);
    return m;
}

Result<RscHold> RscHold::decode(const Message& m) {
    if (auto ok = check_message(m, kRscHold, {"t", "word"}); !ok) return ok.error();
    auto word = read_word(m, kRscHold, "word", {"none", "local", "foreign", "all"});
    if (!word) return word.error();
    return RscHold{std::move(*word)};
}

Message PingStatus::encode() const {
    Message m;
    m.add("t", kPingStatus).add("node", node).add("st", st);
    return m;
}

Result<PingStatus> PingStatus::decode(const Message& m) {
    if (auto ok = check_message(m, kPingStatus, {"t", "node", "st"}); !ok) return ok.error();
    auto node = read_required(m, kPingStatus, "node");
    if (!node) return node.error();
    auto st = read_word(m, kPingStatus, "st", {"init", "up", "dead"});
    if (!st) return st.error();
    return PingStatus{std::move(*node), std::move(*st)};
}

Message IpfailRelease::encode() const { return type_only(kIpfailRelease); }

Result<IpfailRelease> IpfailRelease::decode(const Message& m) {
    if (auto ok = check_message(m, kIpfailRelease, {"t"}); !ok) return ok.error();
    return IpfailRelease{};
}

Message IpfailOk::encode() const { return type_only(kIpfailOk); }

Result<IpfailOk> IpfailOk::decode(const Message& m) {
    if (auto ok = check_message(m, kIpfailOk, {"t"}); !ok) return ok.error();
    return IpfailOk{};
}

}  // namespace ha::ipc::bus
