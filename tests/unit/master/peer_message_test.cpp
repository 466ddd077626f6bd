// Unit tests of the peer message codec (master/core/peer_message.hpp): each kind decodes to its
// typed value and encodes back to the same fields, malformed ones are errors naming the field,
// and ResourceOwner counts and ignores them.
#include "master/core/peer_message.hpp"

#include <gtest/gtest.h>

#include "master/core/resource_owner.hpp"

using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
namespace hm = ha::master;
using hm::ResourceSet;

namespace {

ha::ipc::Message msg(std::vector<std::pair<std::string, std::string>> fields) {
    ha::ipc::Message m;
    for (auto& [n, v] : fields) m.add(n, v);
    return m;
}

template <class T>
T body_as(const ha::ipc::Message& m) {
    auto body = hm::decode_peer_body(m);
    EXPECT_TRUE(body.has_value()) << body.error().message;
    if (!body) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(*body));
    return std::holds_alternative<T>(*body) ? std::get<T>(*body) : T{};
}

void expect_error(const ha::ipc::Message& m, std::string_view code, std::string_view field) {
    auto body = hm::decode_peer_body(m);
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().code, code);
    EXPECT_NE(body.error().message.find(std::string("\"") + std::string(field) + "\""), std::string::npos)
        << body.error().message;
}

}  // namespace

TEST(PeerMessage, FullResourceReportDecodesAndEncodesBackInTheSameOrder) {
    const auto m = msg({{"t", "resource"}, {"rsc_hold", "local"}, {"rtype", "full"}, {"isstable", "1"},
                        {"info", "req_our_resources()"}});
    const auto r = body_as<hm::ResourceReport>(m);
    EXPECT_EQ(r.hold, ResourceSet::local);
    EXPECT_TRUE(r.full);
    EXPECT_EQ(r.stable, std::optional<bool>(true));
    EXPECT_EQ(r.info, "req_our_resources()");
    EXPECT_FALSE(r.partition());
    EXPECT_EQ(hm::encode(r), m);
}

TEST(PeerMessage, MachDownReportIsPartialWithoutStability) {
    const auto m = msg({{"t", "resource"}, {"rsc_hold", "foreign"}, {"info", "mach_down"}});
    const auto r = body_as<hm::ResourceReport>(m);
    EXPECT_FALSE(r.full);
    EXPECT_FALSE(r.stable.has_value());
    EXPECT_EQ(hm::encode(r), m);
}

TEST(PeerMessage, IsstableOtherThanOneIsUnstableAsInHeartbeat) {
    EXPECT_EQ(body_as<hm::ResourceReport>(msg({{"t", "resource"}, {"rsc_hold", "all"}, {"isstable", "0"}})).stable,
              std::optional<bool>(false));
    EXPECT_EQ(body_as<hm::ResourceReport>(msg({{"t", "resource"}, {"rsc_hold", "all"}, {"isstable", "yes"}})).stable,
              std::optional<bool>(false));
    EXPECT_TRUE(body_as<hm::ResourceReport>(
                    msg({{"t", "resource"}, {"rsc_hold", "none"}, {"rtype", "full"}, {"info", "partition"}}))
                    .partition());
}

TEST(PeerMessage, ResourceReportWithoutAValidRscHoldIsAnErrorNamingIt) {
    expect_error(msg({{"t", "resource"}, {"rtype", "full"}}), "missing_field", "rsc_hold");
    expect_error(msg({{"t", "resource"}, {"rsc_hold", "most"}}), "bad_field", "rsc_hold");
}

TEST(PeerMessage, AskResourcesKeepsTheRequestersWord) {
    const auto m = msg({{"t", "ask_resources"}, {"rsc_hold", "foreign"}, {"info", "other"}});
    const auto a = body_as<hm::AskResources>(m);
    EXPECT_EQ(a.word, "foreign");
    EXPECT_EQ(a.set(), ResourceSet::foreign);
    EXPECT_EQ(a.phase, hm::AskPhase::other);
    EXPECT_EQ(hm::encode(a), m);
    // Without rsc_hold: all, as Heartbeat reads it.
    EXPECT_EQ(body_as<hm::AskResources>(msg({{"t", "ask_resources"}, {"info", "done"}})).word, "all");
}

TEST(PeerMessage, AskResourcesWithoutAPhaseOrAWordIsAnErrorNamingTheField) {
    expect_error(msg({{"t", "ask_resources"}, {"rsc_hold", "all"}}), "missing_field", "info");
    expect_error(msg({{"t", "ask_resources"}, {"rsc_hold", "all"}, {"info", ""}}), "missing_field", "info");
    expect_error(msg({{"t", "ask_resources"}, {"rsc_hold", "all"}, {"info", "later"}}), "bad_field", "info");
    expect_error(msg({{"t", "ask_resources"}, {"rsc_hold", "failback"}, {"info", "me"}}), "bad_field", "rsc_hold");
}

TEST(PeerMessage, TakeoverStartingShutdoneAndOthers) {
    EXPECT_EQ(body_as<hm::TakeoverAsk>(msg({{"t", "hb_takeover"}})).kind, hm::StandbyKind::all);
    const auto takeover = msg({{"t", "hb_takeover"}, {"rsc_hold", "failback"}});
    EXPECT_EQ(body_as<hm::TakeoverAsk>(takeover).kind, hm::StandbyKind::failback);
    EXPECT_EQ(hm::encode(hm::TakeoverAsk{hm::StandbyKind::failback}), takeover);
    expect_error(msg({{"t", "hb_takeover"}, {"rsc_hold", "none"}}), "bad_field", "rsc_hold");
    EXPECT_EQ(hm::encode(body_as<hm::Starting>(msg({{"t", "starting"}}))), msg({{"t", "starting"}}));
    const auto shutdone = msg({{"t", "shutdone"}, {"st", "dead"}});
    EXPECT_EQ(hm::encode(body_as<hm::Shutdone>(shutdone)), shutdone);
    body_as<hm::OtherMessage>(msg({{"t", "status"}, {"st", "active"}}));
    body_as<hm::OtherMessage>(msg({{"rsc_hold", "all"}}));
}

TEST(PeerMessage, EnvelopeOrdersByHgAndSeqOnlyWhenBothAreHex) {
    auto e = hm::peer_envelope(msg({{"t", "resource"}, {"src", "web2"}, {"seq", "2b"}, {"hg", "5"}}));
    EXPECT_EQ(e.kind, hm::PeerMessageKind::resource);
    EXPECT_EQ(e.src, "web2");
    ASSERT_TRUE(e.order);
    EXPECT_EQ(*e.order, (std::pair<std::uint64_t, std::uint64_t>{5, 0x2b}));
    EXPECT_FALSE(hm::peer_envelope(msg({{"t", "resource"}, {"seq", "2b"}})).order);
    EXPECT_FALSE(hm::peer_envelope(msg({{"t", "resource"}, {"seq", "2x"}, {"hg", "5"}})).order);
    EXPECT_EQ(hm::peer_envelope(msg({{"t", "cccp"}})).kind, hm::PeerMessageKind::other);
}

// ResourceOwner: a malformed message is counted, logged naming the field, and changes nothing.
TEST(PeerMessage, OwnerCountsAndIgnoresMalformedMessages) {
    CaptureLog log;
    hm::ResourceOwnerParams p;
    p.local_node = "web1";
    p.peer_node = "web2";
    hm::ResourceOwner owner(p, log);
    const auto now = ha::ipc::SteadyTime{} + std::chrono::hours(1000);
    owner.on_peer_active(now);
    owner.on_local_comm_up(now);
    auto bad_report = msg({{"t", "resource"}, {"rsc_hold", "most"}, {"rtype", "full"}, {"isstable", "1"}});
    bad_report.add("src", "web2");
    EXPECT_TRUE(owner.on_peer_message(now, bad_report).empty());
    EXPECT_EQ(owner.malformed_peer_messages(), 1u);
    EXPECT_EQ(owner.phase(), hm::ResourceOwner::Phase::starting);  // still waiting for a real report
    EXPECT_EQ(log.count(LogLevel::warn, "resource message from web2 ignored: resource: bad field \"rsc_hold\""), 1);
    auto bad_takeover = msg({{"t", "hb_takeover"}, {"rsc_hold", "most"}, {"src", "web2"}});
    EXPECT_TRUE(owner.on_peer_message(now, bad_takeover).empty());
    EXPECT_EQ(owner.malformed_peer_messages(), 2u);
    auto fine = msg({{"t", "resource"}, {"rsc_hold", "none"}, {"rtype", "full"}, {"isstable", "1"}, {"src", "web2"}});
    EXPECT_FALSE(owner.on_peer_message(now, fine).empty());
    EXPECT_EQ(owner.phase(), hm::ResourceOwner::Phase::running);
    EXPECT_EQ(owner.malformed_peer_messages(), 2u);
    // A malformed standby message while running: Heartbeat 3.0.6's words, which operators grep.
    EXPECT_TRUE(owner.on_peer_message(now, msg({{"t", "ask_resources"}, {"src", "web2"}})).empty());
    EXPECT_EQ(log.count(LogLevel::error, "Received standby message without info/from"), 1);
    EXPECT_TRUE(owner.on_peer_message(now, msg({{"t", "ask_resources"}, {"info", "bogus"}, {"src", "web2"}})).empty());
    EXPECT_EQ(log.count(LogLevel::error, "Ignored standby message 'bogus' from web2 in state 0"), 1);
    EXPECT_EQ(owner.malformed_peer_messages(), 4u);
}
