// Heartbeat time values (compat spec §1.2).
#include <gtest/gtest.h>

#include "ipc/config/duration.hpp"

using namespace std::chrono_literals;
using ha::conf::format_ms;
using ha::conf::parse_duration;

namespace {
std::chrono::milliseconds ok(std::string_view text) {
    auto r = parse_duration(text);
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
    return r ? *r : -1ms;
}
bool rejected(std::string_view text) { return !parse_duration(text).has_value(); }
}  // namespace

TEST(Duration, BareNumberIsSeconds) {
    EXPECT_EQ(ok("2"), 2000ms);
    EXPECT_EQ(ok("1.5"), 1500ms);
    EXPECT_EQ(ok("30"), 30000ms);
    EXPECT_EQ(ok(".5"), 500ms);
    EXPECT_EQ(ok("0"), 0ms);
}

TEST(Duration, MillisecondsWithOrWithoutBlankAnyCase) {
    EXPECT_EQ(ok("500ms"), 500ms);
    EXPECT_EQ(ok("500 ms"), 500ms);
    EXPECT_EQ(ok("500MS"), 500ms);
    EXPECT_EQ(ok("500Ms"), 500ms);
    EXPECT_EQ(ok("1.5ms"), 2ms);
}

TEST(Duration, MicrosecondsRoundToNearestMillisecond) {
    EXPECT_EQ(ok("250us"), 0ms);
    EXPECT_EQ(ok("1499us"), 1ms);
    EXPECT_EQ(ok("1500us"), 2ms);
    EXPECT_EQ(ok("2500US"), 3ms);
}

TEST(Duration, FractionsOfSecondsRound) {
    EXPECT_EQ(ok("0.0004"), 0ms);
    EXPECT_EQ(ok("0.0005"), 1ms);
    EXPECT_EQ(ok("1.23456"), 1235ms);
    EXPECT_EQ(ok("1.0000000001"), 1000ms);
}

TEST(Duration, SurroundingBlanksAllowed) {
    EXPECT_EQ(ok(" 2 "), 2000ms);
    EXPECT_EQ(ok("\t10\t"), 10000ms);
}

TEST(Duration, SecondsMinutesAndOtherUnitsRejected) {
    EXPECT_TRUE(rejected("2s"));
    EXPECT_TRUE(rejected("1m"));
    EXPECT_TRUE(rejected("2 sec"));
    EXPECT_TRUE(rejected("5h"));
    EXPECT_TRUE(rejected("500msx"));
    EXPECT_TRUE(rejected("500 m s"));
}

TEST(Duration, GarbageRejectedWithMessage) {
    for (auto t : {"", " ", "ms", "abc", "-1", "+1", "1.2.3", "3O", "1e3", ".", "0x10"}) EXPECT_TRUE(rejected(t)) << t;
    auto r = parse_duration("3O");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("\"3O\""), std::string::npos) << r.error().message;
}

TEST(Duration, HugeValuesRejectedNotWrapped) {
    EXPECT_EQ(ok("86400"), 86400000ms);
    EXPECT_TRUE(rejected("86401"));
    EXPECT_TRUE(rejected("99999999999999999999999999"));
    EXPECT_TRUE(rejected("18446744073709551616ms"));
    EXPECT_EQ(ok("86400000ms"), 86400000ms);
}

TEST(Duration, FormatMsIsHeartbeatsDerivedForm) {
    EXPECT_EQ(format_ms(15000ms), "15000ms");
    EXPECT_EQ(format_ms(0ms), "0ms");
}
