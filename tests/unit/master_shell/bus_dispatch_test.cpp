// BusDispatch: the master's one table for its children's bus messages (issue 22 item 3).
#include "master/bus_dispatch.hpp"

#include <gtest/gtest.h>

#include "ipc/bus/ipfail.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/bus/rsc.hpp"
#include "ipc/bus/supervision.hpp"

using namespace ha;
using namespace ha::master;
using Verdict = BusDispatch::Verdict;

namespace {

class BusDispatchTest : public ::testing::Test {
protected:
    BusDispatchTest() {
        table_.route<ipc::bus::Liveness>(ipc::bus::kLiveness, kAnyChild,
                                         [this](const std::string& child, ipc::bus::Liveness l) { seen_.push_back(child + " liveness " + l.pid); });
        table_.route<ipc::bus::RscResult>(ipc::bus::kRscResult, only(ChildKind::rscd),
                                          [this](const std::string& child, ipc::bus::RscResult r) { seen_.push_back(child + " result " + r.seq); });
        table_.route<ipc::bus::PingStatus>(ipc::bus::kPingStatus, only(ChildKind::ipfaild),
                                           [this](const std::string& child, ipc::bus::PingStatus p) { seen_.push_back(child + " ping " + p.node); });
        table_.relay(ChildKind::media, [](const ipc::Message& m) { return !m.type().starts_with('_') && m.type() != "liveness"; },
                     [this](const std::string& child, ipc::Message m) { seen_.push_back(child + " relayed " + std::string(m.type())); });
    }

    static ipc::Message result() {
        return ipc::bus::RscResult{ipc::bus::GroupOp::start, "IPaddr::192.0.2.100", "7", true,
                                   ipc::bus::RscResult::Running::yes, {}, {}}.encode();
    }

    ipc::CaptureLog log_;
    BusDispatch table_{log_};
    std::vector<std::string> seen_;
};

TEST_F(BusDispatchTest, RoutesEachMessageFromAChildAllowedToSendIt) {
    EXPECT_EQ(table_.dispatch("rscd", result()), Verdict::routed);
    EXPECT_EQ(table_.dispatch("ipfaild", ipc::bus::PingStatus{"192.0.2.1", "up"}.encode()), Verdict::routed);
    EXPECT_EQ(table_.dispatch("heartbeatd-serial", ipc::bus::Liveness{"12"}.encode()), Verdict::routed);
    EXPECT_EQ(seen_, (std::vector<std::string>{"rscd result 7", "ipfaild ping 192.0.2.1", "heartbeatd-serial liveness 12"}));
    EXPECT_EQ(table_.refused_total(), 0u);
}

TEST_F(BusDispatchTest, RefusesAMessageFromTheWrongChildInOnePlaceLoggedOncePerKind) {
    // ipfaild may not report resource results, rscd may not report ping nodes.
    EXPECT_EQ(table_.dispatch("ipfaild", result()), Verdict::not_permitted);
    EXPECT_EQ(table_.dispatch("ipfaild", result()), Verdict::not_permitted);
    EXPECT_EQ(table_.dispatch("rscd", ipc::bus::PingStatus{"192.0.2.1", "up"}.encode()), Verdict::not_permitted);
    EXPECT_TRUE(seen_.empty());
    EXPECT_EQ(table_.refused("not_permitted"), 3u);
    EXPECT_EQ(log_.count(ipc::LogLevel::error, "bus: refused rsc_result from ipfaild"), 1) << log_.dump();
    EXPECT_EQ(log_.count(ipc::LogLevel::error, "bus: refused ping_status from rscd"), 1) << log_.dump();
}

TEST_F(BusDispatchTest, RefusesUnknownTypesUnknownChildrenAndMessagesThatDoNotDecode) {
    ipc::Message odd;
    odd.add("t", "frobnicate");
    EXPECT_EQ(table_.dispatch("rscd", odd), Verdict::unknown_type);
    EXPECT_EQ(table_.dispatch("heartbeatd-net", ipc::bus::Flushed{"f1"}.encode()), Verdict::unknown_type);  // no route here
    EXPECT_EQ(table_.dispatch("intruder", ipc::bus::Liveness{"1"}.encode()), Verdict::unknown_child);
    ipc::Message loose = result();
    loose.add("extra", "1");
    EXPECT_EQ(table_.dispatch("rscd", loose), Verdict::bad_message);
    EXPECT_EQ(table_.dispatch("rscd", ipc::bus::Liveness{"x1"}.encode()), Verdict::bad_message);
    EXPECT_TRUE(seen_.empty());
    EXPECT_EQ(table_.refused("unknown_type"), 2u);
    EXPECT_EQ(table_.refused("unknown_child"), 1u);
    EXPECT_EQ(table_.refused("bad_message"), 2u);
    EXPECT_EQ(log_.count(ipc::LogLevel::error, "unexpected field \"extra\""), 1) << log_.dump();
}

TEST_F(BusDispatchTest, ClusterTrafficOfAMediaDaemonIsRelayedBeforeAnyRoute) {
    // The peer may send any type, even one that is a bus message's name: from a media daemon it is
    // the peer's traffic, not rscd's result.
    ipc::Message status;
    status.add("t", "status").add("src", "web2").add("_link", "eth0");
    EXPECT_EQ(table_.dispatch("heartbeatd-net", status), Verdict::relayed);
    EXPECT_EQ(table_.dispatch("heartbeatd-net", result()), Verdict::relayed);
    ipc::Message reserved;
    reserved.add("t", "_bogus");
    EXPECT_EQ(table_.dispatch("heartbeatd-net", reserved), Verdict::unknown_type);
    // Relays belong to their child kind: rscd has none.
    EXPECT_EQ(table_.dispatch("rscd", status), Verdict::unknown_type);
    EXPECT_EQ(seen_, (std::vector<std::string>{"heartbeatd-net relayed status", "heartbeatd-net relayed rsc_result"}));
}

TEST(ChildKind, ByName) {
    EXPECT_EQ(child_kind("heartbeatd-net"), ChildKind::media);
    EXPECT_EQ(child_kind("heartbeatd-serial"), ChildKind::media);
    EXPECT_EQ(child_kind("heartbeatd-"), ChildKind::none);
    EXPECT_EQ(child_kind("ipfaild"), ChildKind::ipfaild);
    EXPECT_EQ(child_kind("rscd"), ChildKind::rscd);
    EXPECT_EQ(child_kind("rscd2"), ChildKind::none);
}

}  // namespace
