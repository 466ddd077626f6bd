// Hostile config input: huge files and lines, NUL bytes, invalid UTF-8, millions of lines.
// Each must be refused or handled with bounded work and memory (lexer.hpp limits).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "ipc/config/authkeys.hpp"
#include "ipc/config/config.hpp"
#include "ipc/config/ha_cf.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/config/lexer.hpp"

using namespace ha::conf;
using ha::conf::test::dump;
using ha::conf::test::has;
using ha::conf::test::TempDir;

TEST(ConfigHostile, HundredMegabyteFileRefusedWithoutReadingIt) {
    TempDir t;
    const std::string path = t.file("ha.cf");
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 100L * 1024 * 1024), 0);  // sparse: one 100 MB "line" of NULs
    ::close(fd);
    auto r = read_config_file(path);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("file too large"), std::string::npos) << r.error().message;
    auto loaded = load_config(t.str(), "web1");
    EXPECT_TRUE(has(loaded.diagnostics, Severity::error, 0, "file too large")) << dump(loaded.diagnostics);
}

TEST(ConfigHostile, OversizedTextRefusedByEveryParser) {
    const std::string big(kMaxFileSize + 1, 'a');
    Diagnostics d;
    parse_ha_cf("ha.cf", big, d);
    parse_haresources("haresources", big, d);
    parse_authkeys("authkeys", big, d);
    EXPECT_TRUE(has(d, Severity::error, 0, "file too large")) << dump(d);
    EXPECT_LE(d.items().size(), 10u) << dump(d);
}

TEST(ConfigHostile, LongLineRejectedOthersStillRead) {
    std::string text = "node web1 web2\nnode " + std::string(kMaxLineLength, 'x') + "\nbcast eth0\nauto_failback on\n";
    Diagnostics d;
    HaCf cf = parse_ha_cf("ha.cf", text, d);
    EXPECT_TRUE(has(d, Severity::error, 2, "line too long")) << dump(d);
    EXPECT_EQ(d.error_count(), 1u) << dump(d);
    EXPECT_EQ(cf.media.size(), 1u);
}

TEST(ConfigHostile, EndlessContinuationBounded) {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "node a\\\n";
    Diagnostics d;
    parse_ha_cf("ha.cf", text, d);
    EXPECT_TRUE(has(d, Severity::error, 1, "continued line too long")) << dump(d);
}

TEST(ConfigHostile, NulBytesAreErrorsWithLine) {
    Diagnostics d;
    parse_ha_cf("ha.cf", std::string("node web1\0web2\nbcast eth0\n", 26), d);
    EXPECT_TRUE(has(d, Severity::error, 1, "NUL byte in line")) << dump(d);
    Diagnostics a;
    parse_authkeys("authkeys", std::string("auth 1\n1 md5 se\0cret\n", 21), a);
    EXPECT_TRUE(has(a, Severity::error, 2, "NUL byte")) << dump(a);
    Diagnostics c;
    parse_haresources("haresources", "web1 \x01x\n", c);
    EXPECT_TRUE(has(c, Severity::error, 1, "control character \\x01")) << dump(c);
}

TEST(ConfigHostile, InvalidUtf8IsQuotedNeverEchoedRaw) {
    Diagnostics d;
    parse_ha_cf("ha.cf", "node \xff\xfe\n\xc3\x28 1\nbcast eth0\n", d);
    EXPECT_TRUE(has(d, Severity::error, 1, "invalid node name \"\\xff\\xfe\"")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 2, "Illegal directive [\\xc3(]")) << dump(d);
    for (const auto& item : d.items()) {
        for (unsigned char ch : item.text) EXPECT_LT(ch, 0x80) << item.text;
    }
}

TEST(ConfigHostile, MillionBlankLinesParseQuickly) {
    const std::string text(1000000, '\n');  // < 1 MiB
    Diagnostics d;
    HaCf cf = parse_ha_cf("ha.cf", text, d);
    EXPECT_TRUE(cf.nodes.empty());
    EXPECT_TRUE(has(d, Severity::error, 0, "no nodes defined"));
}

TEST(ConfigHostile, ErrorFloodIsCappedPerFile) {
    std::string text;
    for (int i = 0; i < 300000; ++i) text += "x\n";  // 600 KB of illegal directives
    Diagnostics d;
    parse_ha_cf("ha.cf", text, d);
    EXPECT_EQ(d.error_count("ha.cf"), 300002u);  // every one counted (+ no media, no nodes)
    EXPECT_LE(d.items().size(), static_cast<std::size_t>(2 * Diagnostics::kMaxErrorsPerFile + 2));
    EXPECT_TRUE(has(d, Severity::info, 0, "further errors in this file are not shown")) << d.items().size();
    Diagnostics w;
    std::string nodes = "node web1\nbcast eth0\nauto_failback on\n";
    for (int i = 0; i < 100000; ++i) nodes += "node web1\n";  // 100000 duplicate-node warnings
    parse_ha_cf("ha.cf", nodes, w);
    EXPECT_LE(w.items().size(), static_cast<std::size_t>(Diagnostics::kMaxErrorsPerFile + 1));
}

TEST(ConfigHostile, QuoteCutsLongTextAndEscapesBytes) {
    EXPECT_EQ(quote("a\tb\x80"), "a\\x09b\\x80");
    const std::string q = quote(std::string(10000, 'z'));
    EXPECT_EQ(q.size(), kMaxQuoted + 3);
}
