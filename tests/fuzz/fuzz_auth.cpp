// fuzz_auth — libFuzzer target for ha::ipc::verify_and_decode with fixed crc, md5 and sha1 keys.
//
// Any input must be accepted or refused with an Error, never crash, leak or trip a sanitizer. An
// accepted message never still carries an `auth` field, and re-signing it must verify again.
// Seeds: tests/fuzz/corpus/auth (the spec's golden datagrams in both forms).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ipc/auth.hpp"

namespace {

ha::ipc::AuthKeys make_keys() {
    using namespace ha::ipc;
    AuthKeys keys;
    keys.active = 4;
    keys.keys[1] = AuthKey{AuthMethod::crc, ""};
    keys.keys[4] = AuthKey{AuthMethod::md5, "web-secret"};
    keys.keys[7] = AuthKey{AuthMethod::sha1, "cluster-key"};
    return keys;
}

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_auth: %s\n", what);
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ha::ipc;
    static const AuthKeys keys = make_keys();
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto m = verify_and_decode(in, keys);
    if (!m) {
        check(!m.error().code.empty(), "error without code");
        return 0;
    }
    check(!m->has("auth"), "accepted message still has an auth field");
    Message copy = *m;
    CodecLimits roomy;
    roomy.max_bytes = 16 * kMaxMessageBytes;
    auto again = verify_and_decode(sign_netstring(copy, keys), keys, roomy);
    check(again.has_value() && *again == *m, "re-signed message does not verify to the same fields");
    return 0;
}
