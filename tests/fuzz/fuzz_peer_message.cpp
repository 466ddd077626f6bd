// fuzz_peer_message — libFuzzer target for the peer message codec (master/core/peer_message.hpp)
// and ResourceOwner's handling of what it decodes.
//
// The input is a wire message (classic or netstring form, ipc::decode). Invariants: the envelope
// is always decoded; the strict body decoder returns a typed value or an Error with a code and a
// message naming a field; a decoded value of a kind ResourceOwner handles encodes to a message
// that decodes back to the same value. Then a ResourceOwner (two groups, the peer alive, start-up
// under way) reads the message before and after the peer's stable report, and must never crash.
// master/core's codec, ResourceOwner and its cores are compiled into this target
// (tests/fuzz/CMakeLists.txt). Seeds: tests/fuzz/corpus/peer_message.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "ipc/codec.hpp"
#include "master/core/peer_message.hpp"
#include "master/core/resource_owner.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_peer_message: %s\n", what);
        std::abort();
    }
}

ha::conf::ResourceGroup group(const char* node, const char* vip, int line) {
    ha::conf::ResourceGroup g;
    g.node = node;
    ha::conf::Resource r;
    r.word = vip;
    r.agent = "IPaddr";
    g.resources.push_back(r);
    g.line = line;
    g.text = std::string(node) + " " + vip;
    return g;
}

// A ResourceOwner that feeds every action's RunGroup back as done, so the message meets a node
// that is starting, then running.
void drive_owner(const ha::ipc::Message& m) {
    ha::ipc::CaptureLog log;
    ha::master::ResourceOwnerParams p;
    p.local_node = "web1";
    p.peer_node = "web2";
    p.groups = {group("web1", "IPaddr::192.0.2.10", 1), group("web2", "IPaddr::192.0.2.20", 2)};
    p.auto_failback = ha::conf::AutoFailback::on;
    ha::master::ResourceOwner owner(p, log);
    auto now = ha::ipc::SteadyTime{} + std::chrono::hours(1000);
    auto settle = [&](ha::master::ResourceActions actions) {
        for (int rounds = 0; rounds < 16; ++rounds) {
            ha::master::ResourceActions next;
            for (const auto& a : actions) {
                if (const auto* run = std::get_if<ha::master::RunGroup>(&a)) {
                    ha::master::GroupResult res{run->op, run->group, run->seq, true, "yes", "", ""};
                    auto more = owner.on_group_result(now, res);
                    next.insert(next.end(), more.begin(), more.end());
                }
            }
            if (next.empty()) return;
            actions = std::move(next);
        }
    };
    owner.on_peer_active(now);
    settle(owner.on_local_comm_up(now));
    settle(owner.on_peer_message(now, m));
    ha::ipc::Message report;
    report.add("t", "resource").add("rsc_hold", "local").add("rtype", "full").add("isstable", "1").add("src", "web2");
    settle(owner.on_peer_message(now, report));
    settle(owner.on_peer_message(now, m));
    now += std::chrono::hours(2);
    settle(owner.on_tick(now));
    (void)owner.rsc_hold_word();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ha::master;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto decoded = ha::ipc::decode(in);
    if (!decoded) return 0;
    const ha::ipc::Message& m = *decoded;

    const PeerEnvelope envelope = peer_envelope(m);
    check(envelope.kind == peer_message_kind(m.type()), "envelope kind differs from the type's");
    auto body = decode_peer_body(m);
    if (!body) {
        check(envelope.kind != PeerMessageKind::other, "a type the owner ignores failed to decode");
        check(!body.error().code.empty() && body.error().message.find('"') != std::string::npos,
              "error without a code or a field name");
    } else if (!std::holds_alternative<OtherMessage>(*body)) {
        const ha::ipc::Message again = std::visit(
            [](const auto& value) {
                if constexpr (std::is_same_v<std::decay_t<decltype(value)>, OtherMessage>) {
                    return ha::ipc::Message{};
                } else {
                    return encode(value);
                }
            },
            *body);
        auto back = decode_peer_body(again);
        check(back.has_value(), "an encoded value does not decode");
        check(*back == *body, "encode/decode round trip changed the value");
    }
    drive_owner(m);
    return 0;
}
