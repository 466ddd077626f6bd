#include "heartbeatd-net/replay_window.hpp"

#include <gtest/gtest.h>

namespace ha::net {
namespace {

using V = ReplayWindow::Verdict;

TEST(ReplayWindow, FirstSeqIsFreshAndSeenTwiceIsDuplicate) {
    ReplayWindow w;
    EXPECT_EQ(w.check_and_mark(0x2a), V::fresh);
    EXPECT_EQ(w.check_and_mark(0x2a), V::duplicate);
    EXPECT_EQ(w.highest(), 0x2au);
}

TEST(ReplayWindow, MissingSeqArrivingLateIsFreshOnce) {
    ReplayWindow w;
    EXPECT_EQ(w.check_and_mark(10), V::fresh);
    EXPECT_EQ(w.check_and_mark(13), V::fresh);
    EXPECT_EQ(w.check_and_mark(11), V::fresh);  // a retransmission Heartbeat asked for
    EXPECT_EQ(w.check_and_mark(11), V::duplicate);
    EXPECT_EQ(w.check_and_mark(12), V::fresh);
    EXPECT_EQ(w.highest(), 13u);
}

TEST(ReplayWindow, SeqBelowWindowIsTooOld) {
    ReplayWindow w;
    EXPECT_EQ(w.check_and_mark(1000), V::fresh);
    EXPECT_EQ(w.check_and_mark(1000 - ReplayWindow::kSize + 1), V::fresh);
    EXPECT_EQ(w.check_and_mark(1000 - ReplayWindow::kSize), V::too_old);
    EXPECT_EQ(w.check_and_mark(1), V::too_old);
}

TEST(ReplayWindow, SlidingForgetsBitsThatLeftTheWindow) {
    ReplayWindow w;
    for (std::uint64_t s = 1; s <= 600; ++s) ASSERT_EQ(w.check_and_mark(s), V::fresh) << s;
    // Bits of seqs that slid out must not make new seqs look like duplicates.
    EXPECT_EQ(w.check_and_mark(600 + ReplayWindow::kSize), V::fresh);
    EXPECT_EQ(w.check_and_mark(601), V::fresh);
    EXPECT_EQ(w.check_and_mark(600 + 3 * ReplayWindow::kSize), V::fresh);  // big jump clears all
    EXPECT_EQ(w.check_and_mark(600 + 3 * ReplayWindow::kSize - 1), V::fresh);
}

TEST(ReplayWindow, ResetStartsOver) {
    ReplayWindow w;
    EXPECT_EQ(w.check_and_mark(50), V::fresh);
    w.reset();
    EXPECT_FALSE(w.started());
    EXPECT_EQ(w.check_and_mark(1), V::fresh);
    EXPECT_EQ(w.check_and_mark(1), V::duplicate);
}

}  // namespace
}  // namespace ha::net
