// Auth — Heartbeat message authentication (see auth.hpp).
//
// HMACs come from OpenSSL 3's EVP_MAC with keyed contexts kept per thread (one-shot HMAC() as the
// fallback); the crc method from ipc/crc32. Digests are compared
// as strings of equal length with CRYPTO_memcmp so a forger learns nothing from timing.
//
// Time and blocking: none. Diagnostics: none (errors are returned with a drop-counter code).
// See also: ipc/auth.hpp, ipc/codec.hpp, compat spec §5.
#include "ipc/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "ipc/crc32.hpp"

namespace ha::ipc {
namespace {

// Digest names for EVP_MAC; compared by address in the context cache.
constexpr const char* kMd5 = "MD5";
constexpr const char* kSha1 = "SHA1";

std::string to_hex(const unsigned char* data, std::size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i) {
        out += kHex[data[i] >> 4];
        out += kHex[data[i] & 0xf];
    }
    return out;
}

std::string hmac_hex_oneshot(const EVP_MD* md, std::string_view secret, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const unsigned char kEmpty = 0;
    const void* key = secret.empty() ? static_cast<const void*>(&kEmpty) : static_cast<const void*>(secret.data());
    const auto* d = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
    if (HMAC(md, key, static_cast<int>(secret.size()), d, data.size(), out, &len) == nullptr) {
        // Only on allocation failure inside OpenSSL: an empty digest never matches anything.
        return {};
    }
    return to_hex(out, len);
}

// Keyed HMAC contexts kept per thread. OpenSSL 3's one-shot HMAC() fetches the algorithm by name
// and builds and keys a fresh context on every call: at a 10 ms keepalive that was most of a media
// daemon's user time (issue 13). A context keyed once is re-initialised with the same key instead.
// Few keys exist (the active one and one rollover key); a reload's new secrets push the oldest out.
class HmacContexts {
public:
    HmacContexts() : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {}
    ~HmacContexts() {
        for (auto& e : entries_) EVP_MAC_CTX_free(e.ctx);
        EVP_MAC_free(mac_);
    }
    HmacContexts(const HmacContexts&) = delete;
    HmacContexts& operator=(const HmacContexts&) = delete;

    // Empty when OpenSSL cannot give a context; the caller then takes the one-shot path.
    std::string digest(const char* md_name, std::string_view secret, std::string_view data) {
        EVP_MAC_CTX* ctx = keyed(md_name, secret);
        if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) return {};
        static const unsigned char kEmpty = 0;
        const auto* d = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
        unsigned char out[EVP_MAX_MD_SIZE];
        std::size_t len = 0;
        if (EVP_MAC_update(ctx, d, data.size()) != 1 || EVP_MAC_final(ctx, out, &len, sizeof out) != 1) return {};
        return to_hex(out, len);
    }

private:
    static constexpr std::size_t kMaxEntries = 8;
    struct Entry {
        const char* md_name;
        std::string secret;
        EVP_MAC_CTX* ctx;
    };

    EVP_MAC_CTX* keyed(const char* md_name, std::string_view secret) {
        for (auto& e : entries_)
            if (e.md_name == md_name && e.secret == secret) return e.ctx;
        if (mac_ == nullptr) return nullptr;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac_);
        if (ctx == nullptr) return nullptr;
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char*>(md_name), 0), OSSL_PARAM_construct_end()};
        // HMAC with an empty key is valid (Heartbeat allows an empty secret); OpenSSL wants a non-null pointer.
        static const unsigned char kEmpty = 0;
        const auto* key = secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
        if (EVP_MAC_init(ctx, key, secret.size(), params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        if (entries_.size() == kMaxEntries) {
            EVP_MAC_CTX_free(entries_.front().ctx);
            entries_.erase(entries_.begin());
        }
        entries_.push_back(Entry{md_name, std::string(secret), ctx});
        return ctx;
    }

    EVP_MAC* mac_;
    std::vector<Entry> entries_;
};

std::string hmac_hex(const char* md_name, const EVP_MD* md, std::string_view secret, std::string_view data) {
    thread_local HmacContexts contexts;
    std::string hex = contexts.digest(md_name, secret, data);
    return hex.empty() ? hmac_hex_oneshot(md, secret, data) : hex;
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

std::string auth_value(const AuthKeys& keys, std::string_view text) {
    const AuthKey& key = active_or_die(keys);
    return std::to_string(keys.active) + " " + digest_hex(key.method, key.secret, text);
}

void set_inner_auth(Message& message, const AuthKeys& keys) {
    message.remove("auth");
    std::string value = auth_value(keys, classic_auth_text(message));
    message.add("auth", value);
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
    std::string want = digest_hex(key->method, key->secret, data);
    if (want.empty() || got.size() != want.size() || CRYPTO_memcmp(got.data(), want.data(), want.size()) != 0)
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
    switch (method) {
        case AuthMethod::crc: {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(crc32_heartbeat(data)));
            return buf;
        }
        case AuthMethod::md5: return hmac_hex(kMd5, EVP_md5(), secret, data);
        case AuthMethod::sha1: return hmac_hex(kSha1, EVP_sha1(), secret, data);
    }
    return {};
}

std::string sign_netstring(Message& message, const AuthKeys& keys) {
    set_inner_auth(message, keys);
    std::string wire = encode_netstring(message);
    std::string outer = auth_value(keys, wire);
    wire += std::to_string(outer.size());
    wire += ':';
    wire += outer;
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
