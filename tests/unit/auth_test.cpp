// Auth tests: the spec's golden datagrams (tests/data, byte-exact), digests against known vectors,
// tamper and wrong-key rejection, key index handling, and the error codes the drop counters use.
#include "ipc/auth.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "ipc/crc32.hpp"

using namespace ha::ipc;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(HA_TEST_DATA) + "/" + name, std::ios::binary);
    std::string s{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_FALSE(s.empty()) << "missing test data " << name;
    return s;
}

Message golden_status() {
    std::string uuid;
    for (int i = 0; i < 16; ++i) uuid += static_cast<char>(i);
    Message m;
    m.add("t", "status").add("st", "active").add("dt", "1f4").add("protocol", "1").add("src", "web1");
    m.add("srcuuid", uuid, FieldType::binary);
    m.add("seq", "2a").add("hg", "5").add("ts", "692a1c00").add("ld", "0.08 0.03 0.01 1/187 2301").add("ttl", "3");
    return m;
}

AuthKeys one_key(int index, AuthMethod method, std::string secret) {
    AuthKeys keys;
    keys.active = index;
    keys.keys[static_cast<std::size_t>(index)] = AuthKey{method, std::move(secret)};
    return keys;
}

struct Golden {
    const char* file;
    int index;
    AuthMethod method;
    const char* secret;
};

const Golden kGolden[] = {
    {"status_crc.bin", 1, AuthMethod::crc, ""},
    {"status_md5.bin", 4, AuthMethod::md5, "web-secret"},
    {"status_sha1.bin", 7, AuthMethod::sha1, "cluster-key"},
};

// The reference: OpenSSL's one-shot HMAC(), in lower-case hex.
std::string openssl_hmac_hex(AuthMethod method, const std::string& key, const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const unsigned char none = 0;  // HMAC() wants non-null pointers even for empty input
    const EVP_MD* evp = method == AuthMethod::md5 ? EVP_md5() : EVP_sha1();
    const void* k = key.empty() ? static_cast<const void*>(&none) : key.data();
    const auto* d = data.empty() ? &none : reinterpret_cast<const unsigned char*>(data.data());
    if (HMAC(evp, k, static_cast<int>(key.size()), d, data.size(), md, &len) == nullptr) return "HMAC() failed";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        static constexpr char kHex[] = "0123456789abcdef";
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 0xf];
    }
    return hex;
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(byte(rng));
    return s;
}

std::string code_of(std::string_view wire, const AuthKeys& keys) {
    auto r = verify_and_decode(wire, keys);
    return r ? std::string("ok") : r.error().code;
}

}  // namespace

TEST(Crc, CheckValueMatchesCrc32CksumWithoutLength) {
    EXPECT_EQ(crc32_heartbeat("123456789"), 0x765e7680u);
    EXPECT_EQ(digest_hex(AuthMethod::crc, "", "123456789"), "765e7680");
}

TEST(Crc, PrintedWithoutLeadingZeros) {
    // ~crc over the empty input is ~0 = ffffffff; find an input whose crc has a leading zero nibble.
    EXPECT_EQ(digest_hex(AuthMethod::crc, "", ""), "ffffffff");
    for (int i = 0; i < 1000; ++i) {
        std::string data = std::to_string(i);
        std::uint32_t v = crc32_heartbeat(data);
        if (v >= 0x10000000u) continue;
        std::string hex = digest_hex(AuthMethod::crc, "", data);
        EXPECT_NE(hex[0], '0');
        EXPECT_LT(hex.size(), 8u);
        return;
    }
    FAIL() << "no small crc found";
}

TEST(Auth, HmacMatchesRfc2202Vectors) {
    EXPECT_EQ(digest_hex(AuthMethod::md5, std::string(16, '\x0b'), "Hi There"), "9294727a3638bb1c13f48ef8158bfc9d");
    EXPECT_EQ(digest_hex(AuthMethod::sha1, std::string(20, '\x0b'), "Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00");
    const std::string long_key(80, '\xaa');
    const std::string text = "Test Using Larger Than Block-Size Key - Hash Key First";
    EXPECT_EQ(digest_hex(AuthMethod::md5, long_key, text), "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
    EXPECT_EQ(digest_hex(AuthMethod::sha1, long_key, text), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

// The keyed contexts are reused (issue 13): a digest computed again, after other keys and methods,
// after more keys than the cache holds, and with an empty key must still be the one-shot HMAC's.
TEST(Auth, HmacReusedContextsGiveTheSameDigests) {
    const std::string k1(20, '\x0b');
    const std::string long_key(80, '\xaa');
    const std::string text = "Test Using Larger Than Block-Size Key - Hash Key First";
    for (int round = 0; round < 3; ++round) {
        EXPECT_EQ(digest_hex(AuthMethod::sha1, k1, "Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00");
        EXPECT_EQ(digest_hex(AuthMethod::md5, long_key, text), "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
        EXPECT_EQ(digest_hex(AuthMethod::sha1, long_key, text), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
        // RFC 2202 test case 2: key "Jefe".
        EXPECT_EQ(digest_hex(AuthMethod::sha1, "Jefe", "what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        for (int i = 0; i < 12; ++i) digest_hex(AuthMethod::sha1, "key" + std::to_string(i), "x");  // evicts the others
        // HMAC-SHA1 with an empty key over empty data (well-known value).
        EXPECT_EQ(digest_hex(AuthMethod::sha1, "", ""), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
    }
}

// The precomputed keyed states (issue 13) against OpenSSL's own HMAC: keys around the 64-byte block
// (shorter ones are zero-padded, longer ones hashed first), the empty key Heartbeat allows, and
// messages across the hash's padding boundaries (55/56, 64, 119/120 bytes) up to a few KiB.
TEST(Auth, HmacMatchesOpenSslOneShotForManyKeysAndMessages) {
    std::mt19937 rng(1302);
    const std::size_t key_lengths[] = {0, 1, 2, 16, 20, 55, 56, 63, 64, 65, 100, 128, 129, 200};
    std::vector<std::size_t> data_lengths = {0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 286, 302, 1000, 4096};
    std::uniform_int_distribution<std::size_t> any_length(0, 5000);
    for (int i = 0; i < 10; ++i) data_lengths.push_back(any_length(rng));
    for (AuthMethod method : {AuthMethod::md5, AuthMethod::sha1}) {
        for (std::size_t key_len : key_lengths) {
            for (int variant = 0; variant < 3; ++variant) {
                // Random bytes (NULs and high bytes included), and for variant 0 a printable key.
                std::string key = variant == 0 ? std::string(key_len, 'k') : random_bytes(rng, key_len);
                for (std::size_t data_len : data_lengths) {
                    const std::string data = random_bytes(rng, data_len);
                    ASSERT_EQ(digest_hex(method, key, data), openssl_hmac_hex(method, key, data))
                        << method_name(method) << " key " << key_len << " bytes (variant " << variant << "), data " << data_len << " bytes";
                }
            }
        }
    }
}

// More keys than a thread keeps keyed states for, used in turn and at random, for both methods with
// the same secrets: every digest must still be the one of its own key and method.
TEST(Auth, HmacAlternatingBetweenManyKeysGivesEachKeysDigest) {
    std::mt19937 rng(2104);
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < 20; ++i) {
        std::string k = random_bytes(rng, (i * 13) % 90);  // 0..89 bytes, both sides of the block size
        keys.push_back(k);
        k.push_back(static_cast<char>(i + 1));
        keys.push_back(k);  // differs only by one appended byte
    }
    keys.push_back("web-secret");
    keys.push_back("web-secreT");
    const std::string data = random_bytes(rng, 300);
    std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
    for (int round = 0; round < 400; ++round) {
        const std::string& key = round < 2 * static_cast<int>(keys.size()) ? keys[static_cast<std::size_t>(round) % keys.size()] : keys[pick(rng)];
        const AuthMethod method = (round / 3) % 2 == 0 ? AuthMethod::md5 : AuthMethod::sha1;
        ASSERT_EQ(digest_hex(method, key, data), openssl_hmac_hex(method, key, data))
            << "round " << round << ", " << method_name(method) << " key of " << key.size() << " bytes";
        // Straight after: the same key again (a cache hit), and the other method with it.
        ASSERT_EQ(digest_hex(method, key, data), openssl_hmac_hex(method, key, data)) << "round " << round;
        const AuthMethod other = method == AuthMethod::md5 ? AuthMethod::sha1 : AuthMethod::md5;
        ASSERT_EQ(digest_hex(other, key, data), openssl_hmac_hex(other, key, data)) << "round " << round;
    }
}

TEST(Auth, MethodNames) {
    EXPECT_EQ(method_name(AuthMethod::crc), "crc");
    EXPECT_EQ(method_name(AuthMethod::md5), "md5");
    EXPECT_EQ(method_name(AuthMethod::sha1), "sha1");
}

TEST(AuthGolden, SigningStatusYieldsExactSpecDatagram) {
    for (const auto& g : kGolden) {
        Message m = golden_status();
        std::string wire = sign_netstring(m, one_key(g.index, g.method, g.secret));
        EXPECT_EQ(wire, read_data(g.file)) << g.file;
        EXPECT_EQ(m.fields().back().name, "auth") << "inner auth must be the last field";
    }
}

TEST(AuthGolden, VerifyAcceptsSpecDatagramAndDropsAuthField) {
    for (const auto& g : kGolden) {
        auto m = verify_and_decode(read_data(g.file), one_key(g.index, g.method, g.secret));
        ASSERT_TRUE(m) << g.file << ": " << m.error().code << " " << m.error().message;
        EXPECT_EQ(*m, golden_status()) << g.file;
        EXPECT_FALSE(m->has("auth"));
    }
}

TEST(AuthGolden, AnySingleBitFlipIsRejected) {
    for (const auto& g : kGolden) {
        const std::string wire = read_data(g.file);
        const AuthKeys keys = one_key(g.index, g.method, g.secret);
        for (std::size_t i = 0; i < wire.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                std::string bad = wire;
                bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
                EXPECT_FALSE(verify_and_decode(bad, keys)) << g.file << " byte " << i << " bit " << bit;
            }
        }
    }
}

TEST(AuthGolden, WrongKeyIsRejected) {
    EXPECT_EQ(code_of(read_data("status_md5.bin"), one_key(4, AuthMethod::md5, "web-secreT")), "bad_auth");
    EXPECT_EQ(code_of(read_data("status_md5.bin"), one_key(4, AuthMethod::sha1, "web-secret")), "bad_auth");
    EXPECT_EQ(code_of(read_data("status_sha1.bin"), one_key(7, AuthMethod::sha1, "cluster-key2")), "bad_auth");
    EXPECT_EQ(code_of(read_data("status_crc.bin"), one_key(1, AuthMethod::md5, "x")), "bad_auth");
    EXPECT_EQ(code_of(read_data("status_md5.bin"), one_key(1, AuthMethod::md5, "web-secret")), "unknown_key");
}

TEST(AuthGolden, SerialClassicFormMatchesSpecAndVerifies) {
    const std::string serial = read_data("status_md5_serial.txt");
    const AuthKeys keys = one_key(4, AuthMethod::md5, "web-secret");
    Message m = golden_status();
    EXPECT_EQ(sign_classic(m, keys), serial);
    auto back = verify_and_decode(serial, keys);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, golden_status());
    EXPECT_TRUE(verify_and_decode(serial + std::string(1, '\0'), keys));  // the UDP classic form
    for (std::size_t i = 0; i < serial.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string bad = serial;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            EXPECT_FALSE(verify_and_decode(bad, keys)) << "byte " << i << " bit " << bit;
        }
    }
    EXPECT_EQ(code_of(serial, one_key(4, AuthMethod::md5, "other")), "bad_auth");
}

TEST(Auth, NetstringWithoutTrailingAuthFallsBackToInnerField) {
    const std::string wire = read_data("status_sha1.bin");
    const std::string inner_only = wire.substr(0, wire.find("%%%\n") + 4);
    const AuthKeys keys = one_key(7, AuthMethod::sha1, "cluster-key");
    auto m = verify_and_decode(inner_only, keys);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(*m, golden_status());
}

TEST(Auth, OuterDigestAloneIsEnough) {
    // A peer that only sets the trailing auth (no inner field) must be accepted too.
    const AuthKeys keys = one_key(3, AuthMethod::md5, "k");
    std::string wire = encode_netstring(golden_status());
    std::string outer = "3 " + digest_hex(AuthMethod::md5, "k", wire);
    wire += std::to_string(outer.size()) + ":" + outer + ",";
    auto m = verify_and_decode(wire, keys);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(*m, golden_status());
}

// sec (issue 20, Medium 1): Heartbeat verifies with any listed key; we accept the active key and
// at most one rollover key, and never a crc key beside a keyed active one.
TEST(Auth, SecOnlyTheActiveKeyAndOneRolloverKeyVerify) {
    AuthKeys keys = one_key(7, AuthMethod::sha1, "cluster-key");
    keys.keys[4] = AuthKey{AuthMethod::md5, "web-secret"};
    EXPECT_EQ(keys.rollover(), 4);
    EXPECT_EQ(code_of(read_data("status_sha1.bin"), keys), "ok");
    EXPECT_EQ(code_of(read_data("status_md5.bin"), keys), "ok") << "the rollover key";
    EXPECT_EQ(code_of(read_data("status_md5_serial.txt"), keys), "ok");

    keys.keys[1] = AuthKey{AuthMethod::crc, ""};
    EXPECT_EQ(keys.rollover(), 4) << "a crc key is no candidate beside sha1";
    EXPECT_EQ(code_of(read_data("status_crc.bin"), keys), "unknown_key");
    EXPECT_EQ(code_of(read_data("status_md5.bin"), keys), "ok");

    keys.keys[9] = AuthKey{AuthMethod::md5, "spare"};
    EXPECT_EQ(keys.rollover(), -1) << "two spare keys: neither verifies";
    EXPECT_EQ(code_of(read_data("status_md5.bin"), keys), "unknown_key");
    EXPECT_EQ(code_of(read_data("status_sha1.bin"), keys), "ok");
    auto r = verify_and_decode(read_data("status_md5.bin"), keys);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("key index 4 is listed in authkeys but not accepted"), std::string::npos) << r.error().message;

    // With crc active (no security to lose) a keyed rollover key is fine: the way off crc.
    AuthKeys from_crc = one_key(1, AuthMethod::crc, "");
    from_crc.keys[7] = AuthKey{AuthMethod::sha1, "cluster-key"};
    EXPECT_EQ(code_of(read_data("status_crc.bin"), from_crc), "ok");
    EXPECT_EQ(code_of(read_data("status_sha1.bin"), from_crc), "ok");
}

TEST(Auth, SignReplacesAnEarlierAuthField) {
    const AuthKeys keys = one_key(4, AuthMethod::md5, "web-secret");
    Message g = golden_status();
    Message pre;
    pre.add("auth", "9 stale");
    for (const auto& f : g.fields()) pre.add(f.name, f.value, f.type);
    EXPECT_EQ(sign_netstring(pre, keys), read_data("status_md5.bin"));
    EXPECT_EQ(std::count_if(pre.fields().begin(), pre.fields().end(), [](const Field& f) { return f.name == "auth"; }), 1);
}

TEST(Auth, ErrorCodes) {
    const AuthKeys keys = one_key(1, AuthMethod::crc, "");
    Message m;
    m.add("t", "status");
    EXPECT_EQ(code_of(encode_netstring(m), keys), "no_auth");
    EXPECT_EQ(code_of(encode_classic(m), keys), "no_auth");
    Message signed_msg = m;
    std::string wire = sign_classic(signed_msg, keys);
    EXPECT_EQ(code_of(wire, keys), "ok");
    EXPECT_EQ(code_of(wire, one_key(2, AuthMethod::crc, "")), "unknown_key");

    auto with_auth = [&](std::string auth) {
        Message x = m;
        x.add("auth", auth);
        return encode_classic(x);
    };
    EXPECT_EQ(code_of(with_auth("1"), keys), "bad_auth");
    EXPECT_EQ(code_of(with_auth("x 1234"), keys), "bad_auth");
    EXPECT_EQ(code_of(with_auth("123 1234"), keys), "bad_auth");
    EXPECT_EQ(code_of(with_auth("16 1234"), keys), "unknown_key");
    EXPECT_EQ(code_of(with_auth("1 "), keys), "bad_auth");
    EXPECT_EQ(code_of(with_auth(signed_msg.get_or("auth", "") + "0"), keys), "bad_auth");
    EXPECT_EQ(code_of(with_auth(signed_msg.get_or("auth", "")), keys), "ok");

    Message dup = signed_msg;
    dup.add("auth", signed_msg.get_or("auth", ""));
    EXPECT_EQ(code_of(encode_classic(dup), keys), "bad_auth");

    EXPECT_EQ(code_of("garbage", keys), "bad_framing");  // codec errors pass through
    EXPECT_EQ(code_of(std::string(kMaxMessageBytes + 1, '#'), keys), "too_big");
}

TEST(Auth, RoundTripsThroughEveryMethod) {
    for (const auto& g : kGolden) {
        const AuthKeys keys = one_key(g.index, g.method, g.secret);
        Message m;
        m.add("dest", "web2").add("t", "repnodes").add("nodelist", "web1 web2 ").add("bin", std::string("\0\n\xff", 3), FieldType::binary);
        Message expect = m;
        Message a = m, b = m;
        EXPECT_EQ(*verify_and_decode(sign_netstring(a, keys), keys), expect);
        EXPECT_EQ(*verify_and_decode(sign_classic(b, keys), keys), expect);
    }
}
