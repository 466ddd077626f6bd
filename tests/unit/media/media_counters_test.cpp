#include "ipc/media/media_counters.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ipc/log.hpp"
#include "ipc/media/drop_reason.hpp"
#include "tests/unit/ipc_test_util.hpp"

namespace ha::media {
namespace {

TEST(MediaCounters, StatsMessagesHaveOneMessagePerLinkWithEveryReason) {
    MediaCounters c;
    c.link("eth0").rx = 3;
    c.link("eth0").tx = 2;
    c.link("eth0").drops[static_cast<std::size_t>(DropReason::bad_auth)] = 1;
    c.link("eth1");
    auto msgs = c.stats_messages();
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].get_or("t", ""), "_stats");
    EXPECT_EQ(msgs[0].get_or("link", ""), "eth0");
    EXPECT_EQ(msgs[0].get_or("rx", ""), "3");
    EXPECT_EQ(msgs[0].get_or("tx", ""), "2");
    EXPECT_EQ(msgs[0].get_or("drop_bad_auth", ""), "1");
    EXPECT_EQ(msgs[0].get_or("drop_duplicate", ""), "0");
    EXPECT_EQ(msgs[1].get_or("link", ""), "eth1");
    for (auto name : kDropReasonNames) EXPECT_TRUE(msgs[1].has(std::string("drop_").append(name))) << name;
}

// Counters are diagnostics: nothing about their segment may stop a media daemon (a serial by-id
// path too long for a slot, a run dir that cannot take the file). It runs on without one.
TEST(MediaCounters, ASegmentThatCannotBeMadeIsAWarningNotAFailedStart) {
    ipc::testing::TempDir dir;
    ipc::CaptureLog log;
    const std::string too_long = "/dev/serial/by-id/" + std::string(ipc::counters_layout::kLinkBytes, 'x');
    auto none = open_counters_segment(dir.path(), "heartbeatd-serial", {"/dev/ttyS0", too_long}, /*on_lane=*/true, log);
    EXPECT_FALSE(none);
    EXPECT_EQ(log.count(ipc::LogLevel::warn, "Link counters not published"), 1) << log.dump();

    const std::string missing = dir.path() + "/not-there";
    EXPECT_FALSE(open_counters_segment(missing, "heartbeatd-net", {"eth0"}, /*on_lane=*/false, log));
    EXPECT_FALSE(std::filesystem::exists(missing));
    auto made = open_counters_segment(dir.path(), "heartbeatd-net", {"eth0"}, /*on_lane=*/true, log);
    ASSERT_TRUE(made);
    EXPECT_TRUE(std::filesystem::exists(made->path()));
}

TEST(DropReason, NamesRoundTrip) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        auto r = static_cast<DropReason>(i);
        EXPECT_EQ(drop_reason_from_name(drop_reason_name(r)), r);
    }
    EXPECT_EQ(drop_reason_from_name("nonsense"), std::nullopt);
}

}  // namespace
}  // namespace ha::media
