// Auth — Heartbeat message authentication (see auth.hpp).
//
// HMAC-MD5 and HMAC-SHA1 (RFC 2104) are computed here from precomputed keyed hash states kept per
// thread; the crc method comes from ipc/crc32. Digests are compared as strings of equal length with
// CRYPTO_memcmp so a forger learns nothing from timing.
//
// Time and blocking: none. Diagnostics: none (errors are returned with a drop-counter code).
// See also: ipc/auth.hpp, ipc/codec.hpp, compat spec §5.
#include "ipc/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ipc/crc32.hpp"

namespace ha::ipc {
namespace {

// Longest hex digest any method gives: sha1's 20 bytes (crc's "%lx" of 32 bits is 8).
constexpr std::size_t kMaxHex = 2 * SHA_DIGEST_LENGTH;

void put_hex(char* out, const unsigned char* data, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[data[i] >> 4];
        out[2 * i + 1] = kHex[data[i] & 0xf];
    }
}

// The hash primitives. OpenSSL 3 deprecates MD5_*/SHA1_* in favour of EVP, but EVP costs what this
// file avoids (issue 13: at a 10 ms keepalive, EVP_MAC's re-init, context dup and allocation,
// OSSL_PARAM handling and provider dispatch were ~18% of a media daemon's CPU). These functions
// work on a plain struct, cannot fail and never allocate, so a keyed state is copied by assignment.
// Debian 12's libcrypto has them; the deprecation warning is silenced for these lines only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
template <class C, std::size_t N, int (*Init)(C*), int (*Update)(C*, const void*, std::size_t), int (*Final)(unsigned char*, C*)>
struct Hash {
    using Ctx = C;
    static constexpr std::size_t kSize = N;
    static void init(Ctx& c) { Init(&c); }
    static void update(Ctx& c, const void* p, std::size_t n) { Update(&c, p, n); }
    static void finish(Ctx& c, unsigned char* out) { Final(out, &c); }
};
using Md5 = Hash<MD5_CTX, MD5_DIGEST_LENGTH, MD5_Init, MD5_Update, MD5_Final>;
using Sha1 = Hash<SHA_CTX, SHA_DIGEST_LENGTH, SHA1_Init, SHA1_Update, SHA1_Final>;
#pragma GCC diagnostic pop

// HMAC (RFC 2104) with the keyed states precomputed per (hash, secret) and kept per thread: the hash
// state after absorbing key^ipad (inner) and key^opad (outer). A message then costs two struct
// copies and the hash work itself. Few keys exist (the active one and one rollover key); a reload's
// new secrets replace the oldest entry. The states are key-equivalent, so they are wiped when
// replaced and when the thread ends.
template <class H>
class HmacStates {
public:
    HmacStates() = default;
    ~HmacStates() {
        for (std::size_t i = 0; i < used_; ++i) wipe(entries_[i]);
    }
    HmacStates(const HmacStates&) = delete;
    HmacStates& operator=(const HmacStates&) = delete;

    // Writes the 2 * H::kSize lower-case hex digits of HMAC(secret, data) to `out`.
    void hex(std::string_view secret, std::string_view data, char* out) {
        const Entry& e = keyed(secret);
        // After finish() a context holds only the finished hash, not the keyed state: no wipe needed.
        typename H::Ctx c = e.inner;
        H::update(c, data.data(), data.size());
        unsigned char md[H::kSize];
        H::finish(c, md);
        c = e.outer;
        H::update(c, md, sizeof md);
        H::finish(c, md);
        put_hex(out, md, sizeof md);
    }

private:
    static constexpr std::size_t kBlock = 64;  // MD5's and SHA-1's block size
    static constexpr std::size_t kMaxEntries = 8;
    struct Entry {
        std::string secret;
        typename H::Ctx inner;
        typename H::Ctx outer;
    };

    static void wipe(Entry& e) {
        OPENSSL_cleanse(e.secret.data(), e.secret.size());
        OPENSSL_cleanse(&e.inner, sizeof e.inner);
        OPENSSL_cleanse(&e.outer, sizeof e.outer);
    }

    const Entry& keyed(std::string_view secret) {
        for (std::size_t i = 0; i < used_; ++i)
            if (entries_[i].secret == secret) return entries_[i];
        Entry* e = nullptr;
        if (used_ < kMaxEntries) {
            e = &entries_[used_++];
        } else {
            e = &entries_[next_];
            next_ = (next_ + 1) % kMaxEntries;
            wipe(*e);
        }
        e->secret.assign(secret);
        // RFC 2104: a key longer than the block is hashed first; any shorter key is zero-padded.
        unsigned char key[kBlock] = {};
        if (secret.size() > kBlock) {
            typename H::Ctx c;
            H::init(c);
            H::update(c, secret.data(), secret.size());
            H::finish(c, key);
            OPENSSL_cleanse(&c, sizeof c);
        } else {
            std::copy(secret.begin(), secret.end(), key);
        }
        unsigned char pad[kBlock];
        for (std::size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x36;
        H::init(e->inner);
        H::update(e->inner, pad, kBlock);
        for (std::size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x5c;
        H::init(e->outer);
        H::update(e->outer, pad, kBlock);
        OPENSSL_cleanse(pad, sizeof pad);
        OPENSSL_cleanse(key, sizeof key);
        return *e;
    }

    std::array<Entry, kMaxEntries> entries_{};
    std::size_t used_ = 0;
    std::size_t next_ = 0;  // the oldest entry once all are used
};

// Writes the digest's hex to `out` (room for kMaxHex) and returns its length.
std::size_t digest_hex_to(AuthMethod method, std::string_view secret, std::string_view data, char* out) {
    switch (method) {
        case AuthMethod::crc: {
            char buf[16];
            int n = std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(crc32_heartbeat(data)));
            std::memcpy(out, buf, static_cast<std::size_t>(n));
            return static_cast<std::size_t>(n);
        }
        case AuthMethod::md5: {
            thread_local HmacStates<Md5> states;
            states.hex(secret, data, out);
            return 2 * Md5::kSize;
        }
        case AuthMethod::sha1: {
            thread_local HmacStates<Sha1> states;
            states.hex(secret, data, out);
            return 2 * Sha1::kSize;
        }
    }
    return 0;
}

[[noreturn]] void broken_invariant(const char* why) {
    std::fprintf(stderr, "CRIT: %s\n", why);
    std::abort();
}

const AuthKey& active_or_die(const AuthKeys& keys) {
    const AuthKey* key = keys.active_key();
    if (key == nullptr) broken_invariant("ha::ipc::sign_*: no active auth key (config must be validated first)");
    return *key;
}

// `N digest`, built on the stack: it is copied into a field or appended to the wire anyway.
struct AuthValue {
    char text[11 + 1 + kMaxHex];  // any int, ' ', the longest digest
    std::size_t size = 0;
    std::string_view view() const { return {text, size}; }
};

AuthValue auth_value(const AuthKeys& keys, std::string_view text) {
    const AuthKey& key = active_or_die(keys);
    AuthValue v;
    char* p = std::to_chars(v.text, v.text + 11, keys.active).ptr;
    *p++ = ' ';
    p += digest_hex_to(key.method, key.secret, text, p);
    v.size = static_cast<std::size_t>(p - v.text);
    return v;
}

void set_inner_auth(Message& message, const AuthKeys& keys) {
    message.remove("auth");
    message.add("auth", auth_value(keys, classic_auth_text(message)).view());
}

// Checks an auth string `N digest` against `data`. `where` says which digest, for the error text.
Result<void> check(std::string_view auth, std::string_view data, const AuthKeys& keys, std::string_view where) {
    std::size_t sp = auth.find(' ');
    std::string_view index = auth.substr(0, sp);
    if (sp == std::string_view::npos || index.empty() || index.size() > 2 ||
        index.find_first_not_of("0123456789") != std::string_view::npos)
        return make_error("bad_auth", std::string(where) + ": malformed auth string (expected \"N digest\")");
    int n = index.size() == 1 ? index[0] - '0' : (index[0] - '0') * 10 + (index[1] - '0');
    const AuthKey* key = keys.verify_key(n);
    if (key == nullptr) {
        if (keys.key(n) == nullptr)
            return make_error("unknown_key", std::string(where) + ": key index " + std::to_string(n) + " is not in authkeys");
        return make_error("unknown_key", std::string(where) + ": key index " + std::to_string(n) +
                                             " is listed in authkeys but not accepted (only the active key and one rollover key verify)");
    }
    std::string_view got = auth.substr(sp + 1);
    char want[kMaxHex];
    std::size_t want_len = digest_hex_to(key->method, key->secret, data, want);
    if (want_len == 0 || got.size() != want_len || CRYPTO_memcmp(got.data(), want, want_len) != 0)
        return make_error("bad_auth", std::string(where) + ": " + std::string(method_name(key->method)) + " digest with key " +
                                          std::to_string(n) + " does not match");
    return {};
}

}  // namespace

std::string_view method_name(AuthMethod method) {
    switch (method) {
        case AuthMethod::crc: return "crc";
        case AuthMethod::md5: return "md5";
        case AuthMethod::sha1: return "sha1";
    }
    return "unknown";
}

std::string digest_hex(AuthMethod method, std::string_view secret, std::string_view data) {
    char hex[kMaxHex];
    return std::string(hex, digest_hex_to(method, secret, data, hex));
}

std::string sign_netstring(Message& message, const AuthKeys& keys) {
    set_inner_auth(message, keys);
    std::string wire = encode_netstring(message);
    const AuthValue outer = auth_value(keys, wire);
    wire += std::to_string(outer.size);
    wire += ':';
    wire += outer.view();
    wire += ',';
    return wire;
}

std::string sign_classic(Message& message, const AuthKeys& keys) {
    set_inner_auth(message, keys);
    return encode_classic(message);
}

Result<Message> verify_and_decode(std::string_view wire, const AuthKeys& keys, const CodecLimits& limits) {
    auto frame = decode_frame(wire, limits);
    if (!frame) return frame.error();
    Message& m = frame->message;
    if (frame->form == WireForm::netstring && frame->outer_auth) {
        // The outer digest covers the inner auth field too; the inner one is then redundant.
        auto ok = check(*frame->outer_auth, wire.substr(0, frame->signed_length), keys, "trailing auth");
        if (!ok) return ok.error();
    } else {
        const Field* inner = nullptr;
        for (const Field& f : m.fields()) {
            if (f.name != "auth") continue;
            if (inner != nullptr) return make_error("bad_auth", "field \"auth\" appears more than once");
            inner = &f;
        }
        if (inner == nullptr) return make_error("no_auth", "message has no \"auth\" field and no trailing auth");
        if (inner->type != FieldType::string) return make_error("bad_auth", "field \"auth\" is not a string");
        auto ok = check(inner->value, classic_auth_text(m), keys, "field \"auth\"");
        if (!ok) return ok.error();
    }
    m.remove("auth");
    return std::move(m);
}

}  // namespace ha::ipc
