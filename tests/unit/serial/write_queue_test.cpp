// WriteQueue: the newest heartbeat replaces unsent older ones; bounded; never drops a partly written frame.
#include <gtest/gtest.h>

#include "heartbeatd-serial/write_queue.hpp"

namespace ha::serial {
namespace {

TEST(WriteQueue, FifoAndPartialWrites) {
    WriteQueue q(4, 100);
    EXPECT_TRUE(q.push("abc", true));
    EXPECT_TRUE(q.push("de", false));
    EXPECT_EQ(q.front(), "abc");
    q.consumed(2);
    EXPECT_EQ(q.front(), "c");
    EXPECT_EQ(q.bytes(), 3u);
    q.consumed(1);
    EXPECT_EQ(q.front(), "de");
    q.consumed(2);
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(WriteQueue, ANewHeartbeatReplacesTheUnsentOlderOnesAndKeepsOtherFrames) {
    WriteQueue q(8, 1000);
    ASSERT_TRUE(q.push("other1", false));
    ASSERT_TRUE(q.push("hb1", true));
    ASSERT_TRUE(q.push("other2", false));
    ASSERT_TRUE(q.push("hb2", true));
    ASSERT_TRUE(q.push("hb3", true));
    EXPECT_EQ(q.superseded(), 2u);
    EXPECT_EQ(q.dropped_heartbeats(), 0u) << "the line's pace, not a loss";
    EXPECT_EQ(q.frames(), 3u);
    EXPECT_EQ(q.front(), "other1");
    q.consumed(6);
    EXPECT_EQ(q.front(), "other2");
    q.consumed(6);
    EXPECT_EQ(q.front(), "hb3");
}

TEST(WriteQueue, FullQueueDropsAQueuedHeartbeatBeforeOtherFrames) {
    WriteQueue q(3, 1000);
    ASSERT_TRUE(q.push("hb1", true));
    ASSERT_TRUE(q.push("other1", false));
    ASSERT_TRUE(q.push("other2", false));
    ASSERT_TRUE(q.push("other3", false));
    EXPECT_EQ(q.dropped_heartbeats(), 1u);
    EXPECT_EQ(q.dropped_other(), 0u);
    EXPECT_EQ(q.front(), "other1");
}

TEST(WriteQueue, WithoutHeartbeatsTheOldestOtherFrameGoes) {
    WriteQueue q(2, 1000);
    ASSERT_TRUE(q.push("a", false));
    ASSERT_TRUE(q.push("b", false));
    ASSERT_TRUE(q.push("c", false));
    EXPECT_EQ(q.dropped_other(), 1u);
    EXPECT_EQ(q.front(), "b");
}

TEST(WriteQueue, APartlyWrittenFrameIsNeverDropped) {
    WriteQueue q(2, 1000);
    ASSERT_TRUE(q.push("hb1", true));
    q.consumed(1);
    ASSERT_TRUE(q.push("hb2", true));  // hb1 started going out: it stays
    ASSERT_TRUE(q.push("hb3", true));  // replaces hb2 only
    EXPECT_EQ(q.superseded(), 1u);
    EXPECT_EQ(q.front(), "b1");
    q.consumed(2);
    EXPECT_EQ(q.front(), "hb3");
}

TEST(WriteQueue, ByteBoundAndOversizeFrame) {
    WriteQueue q(100, 10);
    EXPECT_FALSE(q.push(std::string(11, 'x'), true));
    EXPECT_EQ(q.refused(), 1u);
    ASSERT_TRUE(q.push(std::string(6, 'a'), true));
    ASSERT_TRUE(q.push(std::string(6, 'b'), true));
    EXPECT_EQ(q.frames(), 1u);
    EXPECT_EQ(q.front(), "bbbbbb");
    EXPECT_LE(q.bytes(), 10u);
}

TEST(WriteQueue, RefusesWhenOnlyThePartlyWrittenFrameIsLeft) {
    WriteQueue q(1, 1000);
    ASSERT_TRUE(q.push("abc", true));
    q.consumed(1);
    EXPECT_FALSE(q.push("x", true));
    EXPECT_EQ(q.refused(), 1u);
    EXPECT_EQ(q.front(), "bc");
}

}  // namespace
}  // namespace ha::serial
