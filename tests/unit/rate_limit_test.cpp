// RateLimitedLog: at most N lines per reason per window, then one "suppressed K" summary.
#include "ipc/rate_limit.hpp"

#include <gtest/gtest.h>

using namespace ha::ipc;
using namespace std::chrono_literals;

TEST(RateLimitedLog, AtMostNLinesPerReasonPerWindow) {
    CaptureLog log;
    FakeClock clock;
    RateLimitedLog rl(log, clock, 3, 10s);
    int written = 0;
    for (int i = 0; i < 10; ++i) written += rl.warn("bad_auth", "dropped packet {} from web2: bad auth", i);
    EXPECT_EQ(written, 3);
    EXPECT_EQ(log.count(LogLevel::warn, "bad auth"), 3);
    EXPECT_EQ(rl.suppressed("bad_auth"), 7u);
    // Another reason has its own budget.
    EXPECT_TRUE(rl.warn("too_big", "dropped packet from web2: too big"));
    EXPECT_EQ(rl.suppressed("too_big"), 0u);
}

TEST(RateLimitedLog, SummaryComesWithTheFirstLineOfTheNextWindow) {
    CaptureLog log;
    FakeClock clock;
    RateLimitedLog rl(log, clock, 2, 10s);
    for (int i = 0; i < 6; ++i) rl.warn("bad_framing", "garbage {}", i);
    EXPECT_EQ(log.count("suppressed"), 0);
    clock.advance(9s);
    EXPECT_FALSE(rl.warn("bad_framing", "garbage late"));
    clock.advance(1s);
    EXPECT_TRUE(rl.warn("bad_framing", "garbage new window"));
    EXPECT_EQ(log.count(LogLevel::warn, "bad_framing: suppressed 5 similar messages in the last 10 s"), 1) << log.dump();
    ASSERT_GE(log.lines().size(), 2u);
    EXPECT_EQ(log.lines().back().text, "garbage new window");
    EXPECT_EQ(rl.suppressed("bad_framing"), 5u);
}

TEST(RateLimitedLog, FlushSummarisesOnlyFinishedWindowsAndOnlyOnce) {
    CaptureLog log;
    FakeClock clock;
    RateLimitedLog rl(log, clock, 1, 10s);
    rl.error("replay", "replayed seq 1");
    rl.error("replay", "replayed seq 2");
    rl.flush();
    EXPECT_EQ(log.count("suppressed"), 0);
    clock.advance(11s);
    rl.flush();
    rl.flush();
    EXPECT_EQ(log.count(LogLevel::error, "replay: suppressed 1 similar messages"), 1) << log.dump();
}

TEST(RateLimitedLog, QuietReasonWritesNoSummary) {
    CaptureLog log;
    FakeClock clock;
    RateLimitedLog rl(log, clock, 5, 10s);
    rl.warn("x", "one");
    clock.advance(30s);
    rl.flush();
    rl.warn("x", "two");
    EXPECT_EQ(log.count("suppressed"), 0);
    EXPECT_EQ(log.lines().size(), 2u);
}
