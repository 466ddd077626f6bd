// fuzz_bus — libFuzzer target for every bus message decoder (ipc/bus/: master ↔ media daemons,
// ipfaild, rscd, and the supervision messages every child sends).
//
// Input: one selector byte, then a message in any form ha::ipc::decode() takes (the bus sends the
// netstring form). The selector picks a kind of ipc::bus::vocabulary(); with its high bit set the
// message's `t` is forced to that kind's type, so the fuzzer reaches past every type check. Any
// input must decode or be refused with an Error naming a code and a sentence, never crash, leak or
// trip a sanitizer. What decodes must encode to a canonical message that decodes again to itself.
// Every other decoder is run on the same message too.
// Seeds: tests/fuzz/corpus/bus (one real message of each kind, named <type>-<sender>.bin).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ipc/bus/vocabulary.hpp"
#include "ipc/codec.hpp"

namespace {

void check(bool ok, const char* what, std::string_view type) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_bus: %s: %.*s\n", what, static_cast<int>(type.size()), type.data());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ha::ipc;
    if (size < 1) return 0;
    const auto kinds = bus::vocabulary();
    const auto& chosen = kinds[data[0] % kinds.size()];
    auto decoded = decode(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    if (!decoded) return 0;
    Message m = std::move(*decoded);
    if (data[0] & 0x80) m.set("t", chosen.type);

    for (const auto& kind : kinds) {
        auto once = kind.reencode(m);
        if (!once) {
            check(!once.error().code.empty() && !once.error().message.empty(), "error without code or message", kind.type);
            continue;
        }
        check(once->type() == m.type(), "re-encoded under another type", kind.type);
        auto twice = kind.reencode(*once);
        check(twice.has_value(), "canonical form does not decode", kind.type);
        check(*twice == *once, "canonical form changed on a second round", kind.type);
        auto wire = decode(encode_netstring(*once));
        check(wire.has_value() && *wire == *once, "canonical form does not survive the bus framing", kind.type);
    }
    return 0;
}
