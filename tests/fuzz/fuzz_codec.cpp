// fuzz_codec — libFuzzer target for ha::ipc::decode (classic and netstring forms).
//
// Any input must decode or fail with an Error, never crash, leak or trip a sanitizer. When it
// decodes, netstring re-encoding must decode back to an equal message (every message has a
// netstring form), and classic re-encoding must too whenever classic_representable() says so.
// Seeds: tests/fuzz/corpus/codec (golden datagrams, serial form, typical R1 messages).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ipc/codec.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_codec: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ha::ipc;
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto frame = decode_frame(in);
    if (!frame) {
        check(!frame.error().code.empty() && !frame.error().message.empty(), "error without code or message");
        return 0;
    }
    const Message& m = frame->message;
    check(frame->form != WireForm::netstring || frame->signed_length <= size, "signed_length past the input");

    std::string net = encode_netstring(m);
    CodecLimits roomy;  // re-encoding may grow a classic input (struct fields, raw binary)
    roomy.max_bytes = 16 * kMaxMessageBytes;
    auto back = decode(net, roomy);
    check(back.has_value(), "netstring re-encoding does not decode");
    check(*back == m, "netstring round trip changed the message");
    if (frame->form == WireForm::netstring) {
        check(std::string_view(net) == in.substr(0, frame->signed_length), "netstring re-encoding differs from input");
    }

    if (classic_representable(m)) {
        auto classic = decode(encode_classic(m), roomy);
        check(classic.has_value(), "classic re-encoding does not decode");
        check(*classic == m, "classic round trip changed the message");
    }
    (void)classic_auth_text(m);
    return 0;
}
