// fuzz_serial_frame — libFuzzer target for ha::serial::FrameDecoder (the serial cable's framing).
//
// The input is the byte stream; its first byte picks a chunk size (1..256) so splits across reads
// are fuzzed too, and the decoder runs with a small limit (4 KiB) so the oversize path is reached.
// Invariants: never more than the limit buffered; every frame handed out starts with `>>>` LF,
// ends with `<<<` LF and is at most the limit; the counters only grow. Each frame is then checked
// by ipc::verify_and_decode, which must return a value or an Error, never crash.
// heartbeatd-serial/frame_decoder.cpp is compiled into this target (tests/fuzz/CMakeLists.txt).
// Seeds: tests/fuzz/corpus/serial_frame.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "heartbeatd-serial/frame_decoder.hpp"
#include "ipc/auth.hpp"

namespace {

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_serial_frame: %s\n", what);
        std::abort();
    }
}

constexpr std::size_t kLimit = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const ha::ipc::AuthKeys keys = [] {
        ha::ipc::AuthKeys k;
        k.active = 4;
        k.keys[4] = ha::ipc::AuthKey{ha::ipc::AuthMethod::md5, "web-secret"};
        return k;
    }();
    const std::size_t chunk = 1 + data[0];
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    ha::serial::FrameDecoder decoder(kLimit);
    std::uint64_t frames = 0;
    for (std::size_t pos = 0; pos < in.size(); pos += chunk) {
        const auto before = decoder.counters();
        decoder.feed(in.substr(pos, chunk), [&](std::string_view frame) {
            ++frames;
            check(frame.size() <= kLimit, "frame over the limit");
            check(frame.starts_with(">>>\n"), "frame without start marker");
            check(frame.ends_with("<<<\n"), "frame without end marker");
            auto m = ha::ipc::verify_and_decode(frame, keys);
            if (!m) check(!m.error().code.empty(), "error without code");
        });
        check(decoder.buffered() <= kLimit, "buffered more than the limit");
        const auto& after = decoder.counters();
        check(after.garbage_bytes >= before.garbage_bytes && after.resyncs >= before.resyncs &&
                  after.oversize >= before.oversize, "counter went down");
    }
    check(decoder.counters().frames == frames, "frame counter disagrees");
    decoder.reset();
    check(decoder.buffered() == 0 && !decoder.in_frame(), "reset left state");
    return 0;
}
