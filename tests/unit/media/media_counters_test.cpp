#include "ipc/media/media_counters.hpp"

#include <gtest/gtest.h>

#include "ipc/media/drop_reason.hpp"

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

TEST(DropReason, NamesRoundTrip) {
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
        auto r = static_cast<DropReason>(i);
        EXPECT_EQ(drop_reason_from_name(drop_reason_name(r)), r);
    }
    EXPECT_EQ(drop_reason_from_name("nonsense"), std::nullopt);
}

}  // namespace
}  // namespace ha::media
