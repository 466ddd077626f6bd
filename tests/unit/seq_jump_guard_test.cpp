// SeqJumpGuard: when a forward jump of `seq` within one generation is believed (issue 20, sequence
// poisoning). Pure: no clock.
#include "ipc/seq_jump_guard.hpp"

#include <gtest/gtest.h>

namespace ha::ipc {
namespace {

using V = SeqJumpGuard::Verdict;

TEST(SeqJumpGuard, WithinTheWindowIsBelievedAtOnce) {
    SeqJumpGuard g(250);
    EXPECT_EQ(g.check(10, 11), V::in_window);
    EXPECT_EQ(g.check(10, 260), V::in_window);
    EXPECT_FALSE(g.pending());
}

TEST(SeqJumpGuard, SecOneHugeSeqIsOnlyACandidate) {
    SeqJumpGuard g(250);
    EXPECT_EQ(g.check(10, 0xffffffffffffffffULL), V::held);
    EXPECT_TRUE(g.pending());
    EXPECT_EQ(g.check(10, 11), V::in_window);
    EXPECT_FALSE(g.pending()) << "the peer spoke at the old position";
}

TEST(SeqJumpGuard, ConfirmedByKConfirmMessagesInARow) {
    SeqJumpGuard g(250);
    EXPECT_EQ(g.check(10, 1000), V::held);
    EXPECT_EQ(g.check(10, 1001), V::held);
    EXPECT_EQ(g.check(10, 1250), V::resync) << "each step may skip up to the window";
    EXPECT_FALSE(g.pending());
}

TEST(SeqJumpGuard, ARunThatLeapsOrGoesBackStartsOver) {
    SeqJumpGuard g(250);
    EXPECT_EQ(g.check(10, 1000), V::held);
    EXPECT_EQ(g.check(10, 5000), V::held) << "leapt: a new run";
    EXPECT_EQ(g.check(10, 5001), V::held);
    EXPECT_EQ(g.check(10, 4999), V::held) << "backwards: a new run";
    EXPECT_EQ(g.check(10, 5000), V::held);
    EXPECT_EQ(g.check(10, 5001), V::resync);
}

TEST(SeqJumpGuard, InWindowAndResetForgetTheCandidate) {
    SeqJumpGuard g(250);
    EXPECT_EQ(g.check(10, 1000), V::held);
    EXPECT_EQ(g.check(10, 1001), V::held);
    g.in_window();
    EXPECT_EQ(g.check(10, 1002), V::held) << "counting starts again";
    g.reset();
    EXPECT_FALSE(g.pending());
}

}  // namespace
}  // namespace ha::ipc
