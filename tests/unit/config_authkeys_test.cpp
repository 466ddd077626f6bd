// authkeys parsing and permission check (compat spec §3).
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "ipc/config/authkeys.hpp"
#include "ipc/config/config.hpp"

using namespace ha::conf;
using ha::conf::test::dump;
using ha::conf::test::has;
using ha::conf::test::TempDir;
using ha::ipc::AuthMethod;

namespace {
ha::ipc::AuthKeys parse(std::string_view text, Diagnostics& d) { return parse_authkeys("authkeys", text, d); }
}  // namespace

TEST(Authkeys, Sha1Md5CrcKeys) {
    Diagnostics d;
    auto k = parse("# keys\nauth 1\n1 sha1 cluster-key\n4 md5 web-secret\n15 crc\n0 crc\n", d);
    ASSERT_FALSE(d.has_errors()) << dump(d);
    EXPECT_EQ(k.active, 1);
    ASSERT_NE(k.active_key(), nullptr);
    EXPECT_EQ(k.active_key()->method, AuthMethod::sha1);
    EXPECT_EQ(k.active_key()->secret, "cluster-key");
    EXPECT_EQ(k.key(4)->method, AuthMethod::md5);
    EXPECT_EQ(k.key(4)->secret, "web-secret");
    EXPECT_EQ(k.key(15)->method, AuthMethod::crc);
    EXPECT_TRUE(k.key(15)->secret.empty());
    EXPECT_NE(k.key(0), nullptr);
    EXPECT_EQ(k.key(2), nullptr);
}

TEST(Authkeys, HashInsideSecretIsPartOfSecretCrlfStripped) {
    Diagnostics d;
    auto k = parse("auth 2\r\n  # comment\r\n2 md5 ab#cd\r\n", d);
    ASSERT_FALSE(d.has_errors()) << dump(d);
    EXPECT_EQ(k.key(2)->secret, "ab#cd");
}

TEST(Authkeys, MissingAuthLineIsError) {
    Diagnostics d;
    auto k = parse("1 sha1 x\n", d);
    EXPECT_TRUE(has(d, Severity::error, 0, "no \"auth N\" line")) << dump(d);
    EXPECT_EQ(k.active, -1);
    Diagnostics empty;
    parse("", empty);
    EXPECT_TRUE(empty.has_errors());
}

TEST(Authkeys, AuthNamingUndefinedKeyIsError) {
    Diagnostics d;
    parse("auth 3\n1 sha1 x\n", d);
    EXPECT_TRUE(has(d, Severity::error, 1, "Auth Key [3] not found")) << dump(d);
}

TEST(Authkeys, AuthMustComeBeforeItsKey) {
    Diagnostics d;
    parse("1 sha1 x\nauth 1\n", d);
    EXPECT_TRUE(has(d, Severity::error, 2, "Auth Key [1] not found")) << dump(d);
    EXPECT_EQ(d.error_count(), 1u) << dump(d);
}

TEST(Authkeys, MethodAndSecretRules) {
    Diagnostics d;
    parse("auth 1\n1 crc secret\n2 md5\n3 sha1\n4 sha2 x\n5 sha1 two words\n16 crc\nx crc\n6\nauth\nauth 99\n", d);
    EXPECT_TRUE(has(d, Severity::error, 2, "crc takes no secret")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 3, "md5 needs a secret")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 4, "sha1 needs a secret")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "Invalid authtype [sha2]")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "single word")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 7, "0–15")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 8, "0–15")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 9, "missing method")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 10, "auth: expected")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 11, "not in 0–15")) << dump(d);
}

TEST(Authkeys, DuplicateKeyWarnsLaterWins) {
    Diagnostics d;
    auto k = parse("auth 1\n1 md5 a\n1 sha1 b\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 3, "key 1 defined twice (first at line 2)")) << dump(d);
    EXPECT_EQ(k.active_key()->method, AuthMethod::sha1);
}

TEST(Authkeys, SecCrcBesideAKeyedActiveKeyIsAWarningNamingItsLine) {
    Diagnostics d;
    auto k = parse("auth 2\n1 crc\n2 sha1 cluster-key\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 2, "key 1 (crc) is ignored: crc is a checksum, not a signature")) << dump(d);
    EXPECT_EQ(k.rollover(), -1);
    EXPECT_EQ(k.verify_key(1), nullptr);
}

TEST(Authkeys, SecOneRolloverKeyIsQuietButSeveralSpareKeysWarn) {
    Diagnostics one;
    auto k = parse("auth 2\n1 md5 old\n2 sha1 new\n", one);
    EXPECT_TRUE(one.items().empty()) << dump(one);
    EXPECT_EQ(k.rollover(), 1);
    Diagnostics two;
    parse("auth 2\n1 md5 old\n2 sha1 new\n3 md5 older\n", two);
    EXPECT_TRUE(has(two, Severity::warning, 2, "key 1 is ignored: 2 spare keys are listed besides the active key 2")) << dump(two);
    EXPECT_TRUE(has(two, Severity::warning, 4, "key 3 is ignored")) << dump(two);
}

TEST(Authkeys, SecretsNeverAppearInDiagnostics) {
    Diagnostics d;
    parse("auth 1\n1 crc topsecret\n2 md5 topsecret extra\n1 sha1 topsecret\n", d);
    for (const auto& item : d.items()) EXPECT_EQ(item.text.find("topsecret"), std::string::npos) << render(item);
}

// The check sees the file as read (the fstat of the descriptor read_config_file used).
void check_file(const std::string& path, Diagnostics& d) {
    struct ::stat st {};
    ASSERT_TRUE(read_config_file(path, &st).has_value()) << path;
    check_authkeys_permissions(path, st, d);
}

TEST(Authkeys, GroupOrOtherReadableFileIsRefused) {
    TempDir t;
    for (::mode_t mode : {0644, 0640, 0604, 0444}) {
        t.write("authkeys", "auth 1\n1 crc\n", mode);
        Diagnostics d;
        check_file(t.file("authkeys"), d);
        ASSERT_EQ(d.error_count(), 1u) << std::oct << mode;
        EXPECT_EQ(render(d.items()[0]), t.file("authkeys") + ": error: Bad permissions on keyfile [" + t.file("authkeys") + "], 600 recommended.");
    }
    for (::mode_t mode : {0600, 0400}) {
        t.write("authkeys", "auth 1\n1 crc\n", mode);
        Diagnostics d;
        check_file(t.file("authkeys"), d);
        EXPECT_FALSE(d.has_errors()) << std::oct << mode << dump(d);
    }
}

// sec (issue 20): a key file others may rewrite lets them forge the cluster's voice.
TEST(Authkeys, SecGroupOrOtherWritableFileIsRefused) {
    TempDir t;
    for (::mode_t mode : {0620, 0602, 0622}) {
        t.write("authkeys", "auth 1\n1 crc\n", mode);
        Diagnostics d;
        check_file(t.file("authkeys"), d);
        ASSERT_EQ(d.error_count(), 1u) << std::oct << mode << dump(d);
        EXPECT_NE(render(d.items()[0]).find("Bad permissions on keyfile"), std::string::npos);
    }
}

// sec (issue 20): a key file owned by somebody else (not root, not us) is refused, even at 0600.
TEST(Authkeys, SecForeignOwnerIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the file to nobody";
    TempDir t;
    t.write("authkeys", "auth 1\n1 crc\n", 0600);
    ASSERT_EQ(::chown(t.file("authkeys").c_str(), 65534, 65534), 0);
    Diagnostics d;
    check_file(t.file("authkeys"), d);
    ASSERT_EQ(d.error_count(), 1u) << dump(d);
    EXPECT_NE(render(d.items()[0]).find("Bad owner of keyfile"), std::string::npos) << dump(d);
    EXPECT_NE(render(d.items()[0]).find("uid 65534"), std::string::npos) << dump(d);
}
