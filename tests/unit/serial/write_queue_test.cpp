// WriteQueue: the newest heartbeat replaces unsent older ones; bounded; never drops a partly written frame.
#include <gtest/gtest.h>

#include "heartbeatd-serial/write_queue.hpp"

namespace ha::serial {
namespace {

TEST(WriteQueue, FifoAndPartialWrites) {
    WriteQueue q(4, 100);
    EXPECT_TRUE(q.push("abc", "status"));
    EXPECT_TRUE(q.push("de"));
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

TEST(WriteQueue, ANewHeartbeatReplacesTheWaitingOneInItsPlace) {
    WriteQueue q(8, 1000);
    ASSERT_TRUE(q.push("other1"));
    ASSERT_TRUE(q.push("hb1", "status"));
    ASSERT_TRUE(q.push("other2"));
    ASSERT_TRUE(q.push("hb2", "status"));
    ASSERT_TRUE(q.push("hb3", "status"));
    EXPECT_EQ(q.superseded(), 2u);
    EXPECT_EQ(q.dropped_heartbeats(), 0u) << "the line's pace, not a loss";
    EXPECT_EQ(q.frames(), 3u);
    EXPECT_EQ(q.front(), "other1");
    q.consumed(6);
    EXPECT_EQ(q.front(), "hb3") << "the newest heartbeat, where the first one waited";
    q.consumed(3);
    EXPECT_EQ(q.front(), "other2");
}

TEST(WriteQueue, AcksCoalesceAndNeverReplaceAHeartbeat) {
    WriteQueue q(8, 1000);
    ASSERT_TRUE(q.push("hb1", "status"));
    ASSERT_TRUE(q.push("ack10", "NS_ackmsg"));
    ASSERT_TRUE(q.push("ack20", "NS_ackmsg"));
    ASSERT_TRUE(q.push("hb2", "status"));
    EXPECT_EQ(q.frames(), 2u);
    EXPECT_EQ(q.superseded(), 2u);
    EXPECT_EQ(q.front(), "hb2");
    q.consumed(3);
    EXPECT_EQ(q.front(), "ack20");
    EXPECT_EQ(q.bytes(), 5u);
}

TEST(WriteQueue, FullQueueDropsAQueuedHeartbeatBeforeOtherFrames) {
    WriteQueue q(3, 1000);
    ASSERT_TRUE(q.push("hb1", "status"));
    ASSERT_TRUE(q.push("other1"));
    ASSERT_TRUE(q.push("other2"));
    ASSERT_TRUE(q.push("other3"));
    EXPECT_EQ(q.dropped_heartbeats(), 1u);
    EXPECT_EQ(q.dropped_other(), 0u);
    EXPECT_EQ(q.front(), "other1");
}

TEST(WriteQueue, WithoutHeartbeatsTheOldestOtherFrameGoes) {
    WriteQueue q(2, 1000);
    ASSERT_TRUE(q.push("a"));
    ASSERT_TRUE(q.push("b"));
    ASSERT_TRUE(q.push("c"));
    EXPECT_EQ(q.dropped_other(), 1u);
    EXPECT_EQ(q.front(), "b");
}

TEST(WriteQueue, APartlyWrittenFrameIsNeverDropped) {
    WriteQueue q(2, 1000);
    ASSERT_TRUE(q.push("hb1", "status"));
    q.consumed(1);
    ASSERT_TRUE(q.push("hb2", "status"));  // hb1 started going out: it stays
    ASSERT_TRUE(q.push("hb3", "status"));  // replaces hb2 only
    EXPECT_EQ(q.superseded(), 1u);
    EXPECT_EQ(q.front(), "b1");
    q.consumed(2);
    EXPECT_EQ(q.front(), "hb3");
}

TEST(WriteQueue, ByteBoundAndOversizeFrame) {
    WriteQueue q(100, 10);
    EXPECT_FALSE(q.push(std::string(11, 'x'), "status"));
    EXPECT_EQ(q.refused(), 1u);
    ASSERT_TRUE(q.push(std::string(6, 'a'), "status"));
    ASSERT_TRUE(q.push(std::string(6, 'b'), "status"));
    EXPECT_EQ(q.frames(), 1u);
    EXPECT_EQ(q.front(), "bbbbbb");
    EXPECT_LE(q.bytes(), 10u);
}

TEST(WriteQueue, RefusesWhenOnlyThePartlyWrittenFrameIsLeft) {
    WriteQueue q(1, 1000);
    ASSERT_TRUE(q.push("abc", "status"));
    q.consumed(1);
    EXPECT_FALSE(q.push("x", "status"));
    EXPECT_EQ(q.refused(), 1u);
    EXPECT_EQ(q.front(), "bc");
}

}  // namespace
}  // namespace ha::serial
