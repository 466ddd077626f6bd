#include "ipc/media/replay_window.hpp"

#include <gtest/gtest.h>

namespace ha::media {
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
    // A big jump is believed once confirmed (sec test below) and then clears every bit.
    const std::uint64_t far = 600 + 3 * ReplayWindow::kSize;
    EXPECT_EQ(w.check_and_mark(far - 2), V::held);
    EXPECT_EQ(w.check_and_mark(far - 1), V::held);
    EXPECT_EQ(w.check_and_mark(far), V::resync);
    EXPECT_EQ(w.check_and_mark(far - 1), V::fresh) << "held seqs were not recorded";
    EXPECT_EQ(w.check_and_mark(far - 2), V::fresh);
    EXPECT_EQ(w.check_and_mark(far - 2), V::duplicate);
}

// sec (issue 20, sequence poisoning): one huge seq moves nothing; the peer's next real seqs are fresh.
TEST(ReplayWindow, SecAJumpBeyondTheWindowIsHeldUntilConfirmed) {
    ReplayWindow w;
    for (std::uint64_t s = 1; s <= 10; ++s) ASSERT_EQ(w.check_and_mark(s), V::fresh);
    EXPECT_EQ(w.check_and_mark(0xffffffffffffffffULL), V::held);
    EXPECT_EQ(w.highest(), 10u);
    EXPECT_TRUE(w.jump_pending());
    EXPECT_EQ(w.check_and_mark(11), V::fresh);
    EXPECT_FALSE(w.jump_pending()) << "the peer spoke at the old position";
    EXPECT_EQ(w.check_and_mark(11 + ReplayWindow::kSize), V::fresh) << "a jump of exactly kSize is still in the window";
    // Confirmation needs kConfirm messages in a row, each moving forward by at most kSize.
    const std::uint64_t base = 100000;
    EXPECT_EQ(w.check_and_mark(base), V::held);
    EXPECT_EQ(w.check_and_mark(base - 1), V::held) << "backwards: a new run";
    EXPECT_EQ(w.check_and_mark(base + 10), V::held);
    EXPECT_EQ(w.check_and_mark(base + 20), V::resync);
    EXPECT_EQ(w.highest(), base + 20);
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
}  // namespace ha::media
