// fuzz_control — libFuzzer target for the control socket's request parser
// (ipc::bus::decode_control_request), the master's answer to it (master/control_service.cpp,
// compiled in, instrumented) and the tools' reply decoder (ipc::bus::ControlReply::decode).
//
// Input: a request in any form ha::ipc::decode() takes (tools send the netstring form). Any input
// must be parsed or refused with an Error, never crash, leak or trip a sanitizer; a parsed request
// re-encodes to one that parses to the same; handle_control answers every cl_status request with
// a control_reply carrying rc and out, whatever its command, arguments and flags.
// Seeds: tests/fuzz/corpus/control (what cl_status, hb_standby, hb_takeover and `hamaster status`
// send, and replies).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "ipc/bus/control.hpp"
#include "ipc/codec.hpp"
#include "master/control_service.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_control: %s\n", what);
        std::abort();
    }
}

ha::master::ClusterView sample_view() {
    using namespace ha::master;
    ClusterView v;
    v.local_node = "web1";
    v.local_status = "active";
    v.nodes = {{"web1", "normal", "active", 0}, {"web2", "normal", "dead", 2}, {"192.0.2.1", "ping", "ping", 0}};
    v.links = {LinkView{"web2", "eth1", true, std::chrono::milliseconds(12), 40, 1, {{"duplicate", 1}}, 55, {{"bad_auth", 3}},
                        std::chrono::milliseconds(1003), std::nullopt, std::nullopt},
               LinkView{"web2", "/dev/ttyS0", false, std::nullopt, 0, 0, {}, 0, {}, std::nullopt,
                        std::chrono::milliseconds(127), std::chrono::milliseconds(508)}};
    v.rsc_hold = "local";
    v.clients = {{"web2", "ipfail", "online"}};
    v.parameter = [](std::string_view name) -> std::optional<std::string> {
        if (name == "deadtime") return "10";
        return std::nullopt;
    };
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ha::ipc;
    static const ha::master::ClusterView view = sample_view();
    auto decoded = decode(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!decoded) return 0;
    // The tools' side: the reply decoder, with the same round-trip rule.
    if (auto reply = bus::ControlReply::decode(*decoded)) {
        auto back = bus::ControlReply::decode(reply->encode());
        check(back.has_value() && back->encode() == reply->encode(), "re-encoded reply decodes differently");
    }
    auto request = bus::decode_control_request(*decoded);
    if (!request) {
        check(!request.error().code.empty() && !request.error().message.empty(), "error without code or message");
        // The master answers a refused cl_status request too (rc 11 and why).
        if (decoded->type() == bus::kClStatus) check(ha::master::handle_control(*decoded, view).has("rc"), "no rc");
        return 0;
    }
    const Message canonical = std::visit([](const auto& r) { return r.encode(); }, *request);
    auto again = bus::decode_control_request(canonical);
    check(again.has_value(), "re-encoded request does not parse");
    check(std::visit([](const auto& r) { return r.encode(); }, *again) == canonical, "re-encoded request parses differently");
    if (const auto* cl = std::get_if<bus::ClStatusRequest>(&*request)) {
        const Message reply = ha::master::handle_control(*cl, view);
        check(reply.type() == bus::kControlReply && reply.has("rc") && reply.has("out"), "reply without t, rc or out");
    }
    return 0;
}
