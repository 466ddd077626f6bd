// PeerMessage decoding and encoding — see peer_message.hpp.
#include "master/core/peer_message.hpp"

#include <fmt/format.h>

#include "master/core/cluster_event.hpp"
#include "master/core/heartbeat_info.hpp"

namespace ha::master {

namespace {

constexpr std::string_view kStarting = "starting";
constexpr std::string_view kResource = "resource";
constexpr std::string_view kAskResources = "ask_resources";
constexpr std::string_view kHbTakeover = "hb_takeover";
constexpr std::string_view kShutdone = "shutdone";

Error missing(std::string_view type, std::string_view field) {
    return make_error("missing_field", fmt::format("{}: missing field \"{}\"", type, field));
}
Error bad(std::string_view type, std::string_view field, std::string_view value) {
    return make_error("bad_field", fmt::format("{}: bad field \"{}\": \"{}\"", type, field, value));
}

Result<PeerBody> decode_resource(const ipc::Message& m) {
    const auto word = m.get("rsc_hold");
    if (!word) return missing(kResource, "rsc_hold");
    const auto set = parse_resource_set(*word);
    if (!set) return bad(kResource, "rsc_hold", *word);
    ResourceReport r;
    r.hold = *set;
    r.full = m.get_or("rtype", "") == "full";
    // Heartbeat reads isstable as "1" or not: anything else is an unstable report.
    if (const auto st = m.get("isstable")) r.stable = *st == "1";
    r.info = m.get_or("info", "");
    return PeerBody{std::move(r)};
}

Result<PeerBody> decode_ask(const ipc::Message& m) {
    AskResources a;
    a.word = m.get_or("rsc_hold", "all");
    if (!parse_resource_set(a.word)) return bad(kAskResources, "rsc_hold", a.word);
    const auto info = m.get("info");
    if (!info || info->empty()) return missing(kAskResources, "info");
    if (*info == "me") {
        a.phase = AskPhase::me;
    } else if (*info == "other") {
        a.phase = AskPhase::other;
    } else if (*info == "done") {
        a.phase = AskPhase::done;
    } else {
        return bad(kAskResources, "info", *info);
    }
    return PeerBody{std::move(a)};
}

Result<PeerBody> decode_takeover(const ipc::Message& m) {
    const std::string word = m.get_or("rsc_hold", "all");
    const auto kind = parse_standby_kind(word);
    if (!kind) return bad(kHbTakeover, "rsc_hold", word);
    return PeerBody{TakeoverAsk{*kind}};
}

}  // namespace

std::string_view ask_phase_word(AskPhase phase) {
    switch (phase) {
        case AskPhase::me: return "me";
        case AskPhase::other: return "other";
        case AskPhase::done: return "done";
    }
    return "me";
}

PeerMessageKind peer_message_kind(std::string_view type) {
    if (type == kStarting) return PeerMessageKind::starting;
    if (type == kResource) return PeerMessageKind::resource;
    if (type == kAskResources) return PeerMessageKind::ask_resources;
    if (type == kHbTakeover) return PeerMessageKind::hb_takeover;
    if (type == kShutdone) return PeerMessageKind::shutdone;
    return PeerMessageKind::other;
}

PeerEnvelope peer_envelope(const ipc::Message& message) {
    PeerEnvelope e;
    e.type = std::string(message.type());
    e.src = std::string(message.src());
    e.kind = peer_message_kind(e.type);
    const auto hg = parse_hex(message.get_or("hg", ""));
    const auto seq = parse_hex(message.get_or("seq", ""));
    if (hg && seq) e.order = std::pair{*hg, *seq};
    return e;
}

Result<PeerBody> decode_peer_body(const ipc::Message& message) {
    switch (peer_message_kind(message.type())) {
        case PeerMessageKind::starting: return PeerBody{Starting{}};
        case PeerMessageKind::resource: return decode_resource(message);
        case PeerMessageKind::ask_resources: return decode_ask(message);
        case PeerMessageKind::hb_takeover: return decode_takeover(message);
        case PeerMessageKind::shutdone: return PeerBody{Shutdone{}};
        case PeerMessageKind::other: break;
    }
    return PeerBody{OtherMessage{}};
}

ipc::Message encode(const Starting&) {
    ipc::Message m;
    m.add("t", kStarting);
    return m;
}

ipc::Message encode(const ResourceReport& report) {
    ipc::Message m;
    m.add("t", kResource).add("rsc_hold", resource_set_word(report.hold));
    if (report.full) m.add("rtype", "full");
    if (report.stable) m.add("isstable", *report.stable ? "1" : "0");
    if (!report.info.empty()) m.add("info", report.info);
    return m;
}

ipc::Message encode(const AskResources& ask) {
    ipc::Message m;
    m.add("t", kAskResources).add("rsc_hold", ask.word).add("info", ask_phase_word(ask.phase));
    return m;
}

ipc::Message encode(const TakeoverAsk& ask) {
    ipc::Message m;
    m.add("t", kHbTakeover).add("rsc_hold", standby_kind_word(ask.kind));
    return m;
}

ipc::Message encode(const Shutdone&) {
    ipc::Message m;
    m.add("t", kShutdone).add("st", kStatusDead);
    return m;
}

}  // namespace ha::master
