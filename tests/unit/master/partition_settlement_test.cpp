// Unit tests of PartitionSettlement: the preferred-node rule on a double hold (CRIT once per
// standing overlap) and the two stages after the peer's return, driven by its reports.
#include "master/core/partition_settlement.hpp"

#include <gtest/gtest.h>

using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
namespace hm = ha::master;
using hm::ResourceSet;
using Stage = hm::PartitionSettlement::Stage;

TEST(PartitionSettlement, NoOverlapReleasesNothingAndLogsNothing) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    EXPECT_EQ(s.double_hold(ResourceSet::local, ResourceSet::foreign), ResourceSet::none);
    EXPECT_EQ(s.double_hold(ResourceSet::all, ResourceSet::none), ResourceSet::none);
    EXPECT_FALSE(s.double_hold_standing());
    EXPECT_TRUE(log.lines().empty());
}

TEST(PartitionSettlement, PreferredNodeKeepsItsGroupsTheOtherReleasesCritOncePerDoubleHold) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    // Both claim everything: we keep our local groups and release the peer's.
    EXPECT_EQ(s.double_hold(ResourceSet::all, ResourceSet::all), ResourceSet::foreign);
    EXPECT_TRUE(s.double_hold_standing());
    EXPECT_EQ(log.count(LogLevel::crit, "Both nodes hold [all] resources after the partition: each group stays on "
                                        "its preferred node; releasing [foreign] here."),
              1);
    // Still standing (our stop is under way): evaluated again, not logged again.
    EXPECT_EQ(s.double_hold(ResourceSet::all, ResourceSet::all), ResourceSet::foreign);
    EXPECT_EQ(log.count(LogLevel::crit, "after the partition"), 1);
    // Gone, then a new one: a new episode, logged again.
    EXPECT_EQ(s.double_hold(ResourceSet::local, ResourceSet::none), ResourceSet::none);
    EXPECT_FALSE(s.double_hold_standing());
    EXPECT_EQ(s.double_hold(ResourceSet::foreign, ResourceSet::foreign), ResourceSet::foreign);
    EXPECT_EQ(log.count(LogLevel::crit, "Both nodes hold [foreign] resources"), 1);
}

TEST(PartitionSettlement, OverlapOfOurPreferredGroupsIsThePeersToRelease) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    EXPECT_EQ(s.double_hold(ResourceSet::all, ResourceSet::local), ResourceSet::none);
    EXPECT_TRUE(s.double_hold_standing());
    EXPECT_EQ(log.count(LogLevel::crit, "Both nodes hold [local] resources after the partition"), 1);
    EXPECT_EQ(log.count(LogLevel::crit, "releasing [none] here."), 1);
}

TEST(PartitionSettlement, FirstReportWithoutOurLocalPartAcquiresItAtOnce) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    s.on_return();
    EXPECT_TRUE(s.awaiting_report());
    EXPECT_TRUE(s.on_first_report(ResourceSet::foreign, ResourceSet::foreign));
    EXPECT_EQ(s.stage(), Stage::idle);
    EXPECT_FALSE(s.on_report(ResourceSet::none));  // nothing left to complete
}

TEST(PartitionSettlement, PeerHoldingOurGroupsReleasesThemFirstThenWeCompleteOurPartOnce) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    s.on_return();
    // Both claim a group of ours (one of ours was started here, the peer took it meanwhile).
    EXPECT_FALSE(s.on_first_report(ResourceSet::local, ResourceSet::local));
    EXPECT_EQ(s.stage(), Stage::completing_local);
    EXPECT_FALSE(s.on_report(ResourceSet::all));    // still claims it
    EXPECT_FALSE(s.on_report(ResourceSet::local));
    EXPECT_TRUE(s.on_report(ResourceSet::foreign));  // released: the rest of ours is taken here
    EXPECT_EQ(s.stage(), Stage::idle);
    EXPECT_FALSE(s.on_report(ResourceSet::none));  // once
}

TEST(PartitionSettlement, PeerClaimingOurPartThatWeDoNotHoldWaitsWithoutCompletion) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    s.on_return();
    // The peer took our groups over and we hold none of them: auto_failback's handshake moves them.
    EXPECT_FALSE(s.on_first_report(ResourceSet::none, ResourceSet::local));
    EXPECT_EQ(s.stage(), Stage::idle);
    EXPECT_FALSE(s.on_report(ResourceSet::none));
}

TEST(PartitionSettlement, AStandbyDropsOnlyTheCompletionAndResetDropsAll) {
    CaptureLog log;
    hm::PartitionSettlement s(log);
    s.on_return();
    s.drop_completion();  // still waiting for the first report
    EXPECT_TRUE(s.awaiting_report());
    EXPECT_FALSE(s.on_first_report(ResourceSet::all, ResourceSet::all));
    ASSERT_EQ(s.stage(), Stage::completing_local);
    s.drop_completion();
    EXPECT_EQ(s.stage(), Stage::idle);
    EXPECT_FALSE(s.on_report(ResourceSet::none));
    s.on_return();
    s.reset();
    EXPECT_EQ(s.stage(), Stage::idle);
}
