#include "ipc/media/receive_pipeline.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>

#include "ipc/codec.hpp"
#include "media_test_util.hpp"
#include "pcap_reader.hpp"

namespace ha::media {
namespace {

using testing::cluster_message;
using testing::md5_keys;
using testing::signed_wire;
using testing::status_wire;

class ReceivePipelineTest : public ::testing::Test {
protected:
    ReceivePipelineTest() : pipeline_(PipelineConfig{"web1", {"web1", "web2"}, md5_keys()}, counters_, clock_, log_) {}

    Verdict feed(std::string_view wire, std::string_view link = "eth0", bool truncated = false) {
        return pipeline_.receive(wire, from_, link, truncated);
    }
    // The drop reason, or nullopt when forwarded.
    std::optional<DropReason> reason(std::string_view wire, std::string_view link = "eth0") {
        Verdict v = feed(wire, link);
        if (auto* d = std::get_if<Drop>(&v)) return d->reason;
        return std::nullopt;
    }

    ipc::AuthKeys keys_ = md5_keys();
    MediaCounters counters_;
    ipc::CaptureLog log_;
    ipc::FakeClock clock_;  // before pipeline_, which keeps a reference
    Sender from_{"127.0.0.3", "127.0.0.3:40000"};
    ReceivePipeline pipeline_;
};

TEST_F(ReceivePipelineTest, ValidStatusIsForwardedWithLinkAndFrom) {
    Verdict v = feed(status_wire("web2", "1", "5", keys_));
    ASSERT_TRUE(std::holds_alternative<Forward>(v)) << std::get<Drop>(v).detail;
    const Forward& f = std::get<Forward>(v);
    EXPECT_EQ(f.src, "web2");
    EXPECT_EQ(f.link, "eth0");
    EXPECT_EQ(f.message.type(), "status");
    EXPECT_FALSE(f.message.has("auth"));
    ASSERT_GE(f.message.size(), 2u);
    const auto& fields = f.message.fields();
    EXPECT_EQ(fields[fields.size() - 2].name, "_link");
    EXPECT_EQ(fields[fields.size() - 2].value, "eth0");
    EXPECT_EQ(fields.back().name, "_from");
    EXPECT_EQ(fields.back().value, "127.0.0.3:40000");
    EXPECT_EQ(counters_.find("eth0")->rx, 1u);
    EXPECT_EQ(counters_.find("eth0")->forwarded, 1u);
    EXPECT_EQ(log_.lines().size(), 0u);
}

// A cable has no address: the sender's label names it in logs, and no `_from` is made up for it.
TEST_F(ReceivePipelineTest, ASenderWithoutAddressGetsLinkButNoFromAndIsLoggedByItsLabel) {
    Verdict v = pipeline_.receive(status_wire("web2", "1", "5", keys_), Sender{"tty", ""}, "/dev/ttyS0");
    ASSERT_TRUE(std::holds_alternative<Forward>(v)) << std::get<Drop>(v).detail;
    const ipc::Message& m = std::get<Forward>(v).message;
    EXPECT_EQ(m.get_or("_link", ""), "/dev/ttyS0");
    EXPECT_FALSE(m.has("_from"));
    Verdict bad = pipeline_.receive("garbage", Sender{"tty", ""}, "/dev/ttyS0");
    ASSERT_TRUE(std::holds_alternative<Drop>(bad));
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "dropped packet from tty via /dev/ttyS0: bad_framing"), 1) << log_.dump();
}

TEST_F(ReceivePipelineTest, AcceptsTheCompatSpecMd5TestVector) {
    // compat spec "Test vectors": web1's status signed with `4 md5 web-secret`, received by web2.
    static constexpr char kVector[] =
        "###\n11:(0)t=status,12:(0)st=active,9:(0)dt=1f4,13:(0)protocol=1,11:(0)src=web1,27:(1)srcuuid="
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"
        ",9:(0)seq=2a,7:(0)hg=5,14:(0)ts=692a1c00,31:(0)ld=0.08 0.03 0.01 1/187 2301,8:(0)ttl=3,"
        "42:(0)auth=4 164acf719c11e92bf6b61ab7f8a35334,%%%\n34:4 faadde69edcb976420d97610b3adc8e1,";
    const std::string wire(kVector, sizeof(kVector) - 1);
    ASSERT_EQ(wire.back(), ',');
    MediaCounters counters;
    ReceivePipeline web2(PipelineConfig{"web2", {"web1", "web2"}, md5_keys(4, "web-secret")}, counters, clock_, log_);
    Verdict v = web2.receive(wire, from_, "eth1");
    ASSERT_TRUE(std::holds_alternative<Forward>(v)) << std::get<Drop>(v).detail;
    EXPECT_EQ(std::get<Forward>(v).message.get_or("seq", ""), "2a");
}

TEST_F(ReceivePipelineTest, EmptyDatagramIsDroppedAsEmpty) {
    EXPECT_EQ(reason(""), DropReason::empty);
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::empty), 1u);
}

TEST_F(ReceivePipelineTest, OversizedIsDroppedAsTooBigBeforeParsing) {
    // A valid signed frame followed by padding: size is judged before framing.
    std::string wire = status_wire("web2", "1", "5", keys_);
    wire.resize(ipc::kMaxMessageBytes + 1, 'x');
    EXPECT_EQ(reason(wire), DropReason::too_big);
    std::string at_limit(ipc::kMaxMessageBytes, 'x');
    EXPECT_EQ(reason(at_limit), DropReason::bad_framing);
}

TEST_F(ReceivePipelineTest, KernelTruncatedDatagramIsDroppedAsTooBig) {
    Verdict v = feed(status_wire("web2", "1", "5", keys_), "eth0", /*truncated=*/true);
    ASSERT_TRUE(std::holds_alternative<Drop>(v));
    EXPECT_EQ(std::get<Drop>(v).reason, DropReason::too_big);
}

TEST_F(ReceivePipelineTest, GarbageIsDroppedAsBadFraming) {
    EXPECT_EQ(reason("hello world"), DropReason::bad_framing);
    EXPECT_EQ(reason(std::string_view("\0\0\0\0", 4)), DropReason::bad_framing);
    std::string wire = status_wire("web2", "1", "5", keys_);
    EXPECT_EQ(reason(wire.substr(0, wire.size() / 2)), DropReason::bad_framing);  // truncated frame
}

TEST_F(ReceivePipelineTest, UnsignedMessageIsDroppedAsNoAuth) {
    EXPECT_EQ(reason(ipc::encode_netstring(cluster_message("status", "web2", "1"))), DropReason::no_auth);
}

TEST_F(ReceivePipelineTest, WrongSecretIsDroppedAsBadAuth) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", md5_keys(1, "forged"))), DropReason::bad_auth);
}

TEST_F(ReceivePipelineTest, UndefinedKeyIndexIsDroppedAsUnknownKey) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", md5_keys(9, "web-secret"))), DropReason::unknown_key);
}

TEST_F(ReceivePipelineTest, GarbledByteInSignedFrameIsDropped) {
    std::string wire = status_wire("web2", "1", "5", keys_);
    wire[wire.find("active")] = 'A';
    const auto r = reason(wire);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(*r == DropReason::bad_auth || *r == DropReason::bad_framing);
}

TEST_F(ReceivePipelineTest, OwnMessageIsDroppedAsOwnAtDebugLevel) {
    EXPECT_EQ(reason(status_wire("web1", "1", "5", keys_)), DropReason::own);
    EXPECT_EQ(reason(status_wire("WEB1", "2", "5", keys_)), DropReason::own);  // names are case-insensitive
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "own"), 0);
    EXPECT_EQ(log_.count(ipc::LogLevel::debug, "dropped packet from 127.0.0.3 via eth0: own"), 2);
}

TEST_F(ReceivePipelineTest, MissingFieldsAreDroppedAsMissingField) {
    EXPECT_EQ(reason(signed_wire(cluster_message("status", "", "1"), keys_)), DropReason::missing_field);
    EXPECT_EQ(reason(signed_wire(cluster_message("resource", "web2", ""), keys_)), DropReason::missing_field);
    EXPECT_EQ(reason(signed_wire(cluster_message("status", "web2", "1", ""), keys_)), DropReason::missing_field);
    ipc::Message no_type = cluster_message("status", "web2", "2");
    no_type.remove("t");
    EXPECT_EQ(reason(signed_wire(no_type, keys_)), DropReason::missing_field);
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::missing_field), 4u);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "missing field \"seq\""), 1);
}

TEST_F(ReceivePipelineTest, NsTypesNeedNoSeqButEveryMessageNeedsHg) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", ""), keys_)), std::nullopt);
    EXPECT_EQ(reason(signed_wire(cluster_message("resource", "web2", "7", ""), keys_)), DropReason::missing_field);
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", "", ""), keys_)), DropReason::missing_field);
}

TEST_F(ReceivePipelineTest, NonHexSeqOrHgIsDroppedAsBadField) {
    EXPECT_EQ(reason(status_wire("web2", "zz", "5", keys_)), DropReason::bad_field);
    EXPECT_EQ(reason(status_wire("web2", "1", "-5", keys_)), DropReason::bad_field);
    EXPECT_EQ(reason(status_wire("web2", "11112222333344445", "5", keys_)), DropReason::bad_field);
}

TEST_F(ReceivePipelineTest, UnconfiguredNodeIsDroppedAsUnknownNode) {
    EXPECT_EQ(reason(status_wire("web3", "1", "5", keys_)), DropReason::unknown_node);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "dropped packet from 127.0.0.3 via eth0: unknown_node: src=web3"), 1);
}

TEST_F(ReceivePipelineTest, SeenSeqIsDuplicate) {
    const std::string wire = status_wire("web2", "1", "5", keys_);
    EXPECT_EQ(reason(wire), std::nullopt);
    EXPECT_EQ(reason(wire), DropReason::duplicate);
}

TEST_F(ReceivePipelineTest, RetransmittedMissingSeqIsAccepted) {
    EXPECT_EQ(reason(status_wire("web2", "a", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "d", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "b", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "b", "5", keys_)), DropReason::duplicate);
}

TEST_F(ReceivePipelineTest, LowerGenerationIsReplay) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "2", "4", keys_)), DropReason::replay);
    // A non-status message from the old generation too.
    EXPECT_EQ(reason(signed_wire(cluster_message("resource", "web2", "3", "4"), keys_)), DropReason::replay);
}

TEST_F(ReceivePipelineTest, HigherGenerationResetsTheWindow) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "1", "6", keys_)), std::nullopt);  // peer restarted
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), DropReason::replay);
}

TEST_F(ReceivePipelineTest, SeqFarBelowWindowIsReplay) {
    EXPECT_EQ(reason(status_wire("web2", "1000", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "10", "5", keys_)), DropReason::replay);
}

TEST_F(ReceivePipelineTest, EachLinkHasItsOwnWindowSoEveryLinkSeesTheCopy) {
    const std::string wire = status_wire("web2", "1", "5", keys_);
    EXPECT_EQ(reason(wire, "eth0"), std::nullopt);
    EXPECT_EQ(reason(wire, "eth1"), std::nullopt);
    EXPECT_EQ(reason(wire, "eth1"), DropReason::duplicate);
    EXPECT_EQ(counters_.find("eth0")->forwarded, 1u);
    EXPECT_EQ(counters_.find("eth1")->forwarded, 1u);
    EXPECT_EQ(counters_.find("eth1")->drop(DropReason::duplicate), 1u);
}

// sec: an authenticated peer must not be able to choose the link or address the master sees.
TEST_F(ReceivePipelineTest, WireUnderscoreFieldsAreStrippedBeforeTagging) {
    ipc::Message m = cluster_message("status", "web2", "1");
    m.add("_link", "eth9");
    m.add("_from", "198.51.100.1:1");
    Verdict v = feed(signed_wire(m, keys_), "eth0");
    ASSERT_TRUE(std::holds_alternative<Forward>(v));
    const ipc::Message& out = std::get<Forward>(v).message;
    EXPECT_EQ(out.get_or("_link", ""), "eth0");
    EXPECT_EQ(out.get_or("_from", ""), "127.0.0.3:40000");
    int n = 0;
    for (const auto& f : out.fields()) n += f.name.starts_with('_') ? 1 : 0;
    EXPECT_EQ(n, 2);
}

// Ordering: each datagram is charged to the first check it fails.
TEST_F(ReceivePipelineTest, OrderSizeBeforeFraming) {
    EXPECT_EQ(reason(std::string(ipc::kMaxMessageBytes + 1, '#')), DropReason::too_big);
}

TEST_F(ReceivePipelineTest, OrderAuthBeforeOwnNodeAndFields) {
    EXPECT_EQ(reason(status_wire("web1", "1", "5", md5_keys(1, "forged"))), DropReason::bad_auth);
    EXPECT_EQ(reason(signed_wire(cluster_message("status", "web3", "", ""), md5_keys(1, "forged"))), DropReason::bad_auth);
}

TEST_F(ReceivePipelineTest, OrderOwnNodeBeforeFields) {
    EXPECT_EQ(reason(signed_wire(cluster_message("status", "web1", "", ""), keys_)), DropReason::own);
}

TEST_F(ReceivePipelineTest, OrderFieldsBeforeUnknownNode) {
    EXPECT_EQ(reason(signed_wire(cluster_message("status", "web3", "", "5"), keys_)), DropReason::missing_field);
}

TEST_F(ReceivePipelineTest, OrderUnknownNodeBeforeReplay) {
    EXPECT_EQ(reason(status_wire("web3", "1", "5", keys_)), DropReason::unknown_node);
    EXPECT_EQ(reason(status_wire("web3", "1", "5", keys_)), DropReason::unknown_node);  // not duplicate
}

TEST_F(ReceivePipelineTest, OrderOwnNodeCreatesNoReplayState) {
    const std::string own = status_wire("web1", "1", "5", keys_);
    EXPECT_EQ(reason(own), DropReason::own);
    EXPECT_EQ(reason(own), DropReason::own);
}

TEST_F(ReceivePipelineTest, DropLogNamesAddressLinkReasonAndField) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", md5_keys(1, "forged")), "lo"), DropReason::bad_auth);
    ASSERT_EQ(log_.lines().size(), 1u) << log_.dump();
    EXPECT_EQ(log_.lines()[0].level, ipc::LogLevel::warn);
    EXPECT_TRUE(log_.lines()[0].text.starts_with("dropped packet from 127.0.0.3 via lo: bad_auth: ")) << log_.lines()[0].text;
}

TEST_F(ReceivePipelineTest, DropLogIsRateLimitedPerReasonButEveryDropIsCounted) {
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(reason("garbage"), DropReason::bad_framing);
    EXPECT_EQ(reason(status_wire("web3", "1", "5", keys_)), DropReason::unknown_node);
    EXPECT_EQ(log_.count("bad_framing"), ReceivePipeline::kLogBurst);
    EXPECT_EQ(log_.count("unknown_node"), 1);  // another reason has its own budget
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::bad_framing), 1000u);

    clock_.advance(ReceivePipeline::kLogInterval);
    EXPECT_EQ(reason("garbage"), DropReason::bad_framing);
    EXPECT_EQ(log_.count("dropped packet bad_framing: suppressed 995 similar messages"), 1) << log_.dump();
    EXPECT_EQ(log_.count("dropped packet from"), ReceivePipeline::kLogBurst + 2);
}

TEST_F(ReceivePipelineTest, CountersArePerLink) {
    EXPECT_EQ(reason("x", "eth0"), DropReason::bad_framing);
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_), "eth1"), std::nullopt);
    EXPECT_EQ(counters_.find("eth0")->rx, 1u);
    EXPECT_EQ(counters_.find("eth0")->forwarded, 0u);
    EXPECT_EQ(counters_.find("eth1")->rx, 1u);
    EXPECT_EQ(counters_.find("eth1")->forwarded, 1u);
    EXPECT_EQ(counters_.drops(DropReason::bad_framing), 1u);
}

TEST_F(ReceivePipelineTest, NewKeysApplyToLaterDatagrams) {
    pipeline_.set_keys(md5_keys(2, "rotated"));
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), DropReason::unknown_key);
    EXPECT_EQ(reason(status_wire("web2", "2", "5", md5_keys(2, "rotated"))), std::nullopt);
}

// ---- sec: issue 20 — replay, freshness, sequence poisoning, accepted keys --------------------

namespace {

ipc::Message with_ts(ipc::Message m, std::string_view ts_hex) {
    m.remove("ts");
    m.remove("ttl");
    m.add("ts", ts_hex);
    m.add("ttl", "3");
    return m;
}

// What ipfaild put into every ICMP echo before issue 20 (and what Heartbeat's ping sends): a
// signed `t=NS_st st=ping src=<node>`, with ts and a nonce but neither seq nor hg.
std::string old_ping_payload(std::string_view src, const ipc::AuthKeys& keys) {
    ipc::Message m;
    m.add("t", "NS_st").add("st", "ping").add("src", src).add("ts", "692a1c00").add("nonce", "9f3b2c0001");
    return signed_wire(m, keys);
}

}  // namespace

TEST_F(ReceivePipelineTest, SecPingPayloadIsNeverAcceptedAsThePeersVoice) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    const std::string ping = old_ping_payload("web2", keys_);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reason(ping), DropReason::not_wire);
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::not_wire), 3u);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "not_wire: t=NS_st src=web2"), 3) << log_.dump();
}

TEST_F(ReceivePipelineTest, SecNsMessageNeedsTheCurrentGenerationEstablishedBySequencedMessages) {
    const std::string ack = signed_wire(cluster_message("NS_ackmsg", "web2", "", "5"), keys_);
    EXPECT_EQ(reason(ack), DropReason::stale) << "no generation known yet on this link";
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(ack), std::nullopt);
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", "", "6"), keys_)), DropReason::stale)
        << "an NS_ message never moves the generation";
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", "", "4"), keys_)), DropReason::replay);
    // A Heartbeat 3.0.6 peer acks before its first status on a link (the md5 capture): counted,
    // but no WARN for what a healthy peer does; the wrong generation later is worth one.
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "no generation known yet on this link"), 0) << log_.dump();
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "is not the current generation"), 1) << log_.dump();
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", "", ""), keys_)), DropReason::missing_field);
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), std::nullopt) << "the window is untouched";
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::stale), 2u);
}

TEST_F(ReceivePipelineTest, SecRecordedNsAckmsgIsStaleOnceThePeersClockHasMovedOn) {
    // The peer's status at ts 0x692a1c00 anchors its clock; an NS_ackmsg recorded then is fine
    // while it is fresh, and refused kNsMaxAge after the peer went quiet.
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    const std::string recorded = signed_wire(cluster_message("NS_ackmsg", "web2", "", "5"), keys_);
    EXPECT_EQ(reason(recorded), std::nullopt);
    clock_.advance(ReceivePipeline::kNsMaxAge);
    EXPECT_EQ(reason(recorded), std::nullopt) << "at exactly kNsMaxAge it is still fresh";
    clock_.advance(std::chrono::seconds(1));
    EXPECT_EQ(reason(recorded), DropReason::stale);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "stale: t=NS_ackmsg src=web2: field \"ts\" 692a1c00 is more than 5 s behind"), 1)
        << log_.dump();
    // A fresh one (the peer's clock moved on with ours) passes; one without ts cannot prove anything.
    EXPECT_EQ(reason(signed_wire(with_ts(cluster_message("NS_ackmsg", "web2", "", "5"), "692a1c06"), keys_)), std::nullopt);
    ipc::Message no_ts = cluster_message("NS_ackmsg", "web2", "", "5");
    no_ts.remove("ts");
    EXPECT_EQ(reason(signed_wire(no_ts, keys_)), DropReason::stale);
}

TEST_F(ReceivePipelineTest, SecNsFreshnessFollowsTheNewestInOrderMessageOfTheLink) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    clock_.advance(std::chrono::seconds(60));
    // The peer is alive and its clock reads 60 s later: its new status re-anchors.
    EXPECT_EQ(reason(signed_wire(with_ts(cluster_message("status", "web2", "2", "5"), "692a1c3c"), keys_)), std::nullopt);
    EXPECT_EQ(reason(signed_wire(with_ts(cluster_message("NS_ackmsg", "web2", "", "5"), "692a1c3c"), keys_)), std::nullopt);
    EXPECT_EQ(reason(signed_wire(cluster_message("NS_ackmsg", "web2", "", "5"), keys_)), DropReason::stale)
        << "recorded a minute ago";
    // Another link has its own anchor: nothing in order was heard there yet.
    EXPECT_EQ(reason(signed_wire(with_ts(cluster_message("NS_ackmsg", "web2", "", "5"), "692a1c3c"), keys_), "eth1"),
              DropReason::stale);
}

TEST_F(ReceivePipelineTest, SecOneHugeSeqDoesNotPoisonTheWindow) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "ffffffffffff", "5", keys_)), DropReason::seq_jump);
    // The real peer goes on: every one of its messages is accepted, none is a "replay".
    for (int s = 3; s < 40; ++s) EXPECT_EQ(reason(status_wire("web2", fmt::format("{:x}", s), "5", keys_)), std::nullopt) << s;
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::seq_jump), 1u);
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::replay), 0u);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "seq_jump: src=web2: field \"seq\" ffffffffffff jumps more than 256 past 2"), 1)
        << log_.dump();
}

TEST_F(ReceivePipelineTest, SecAJumpIsBelievedAfterConfirmingMessagesInARow) {
    // A long partition: the peer went on numbering; kConfirm messages from the new position move us.
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "1000", "5", keys_)), DropReason::seq_jump);
    EXPECT_EQ(reason(status_wire("web2", "1001", "5", keys_)), DropReason::seq_jump);
    EXPECT_EQ(reason(status_wire("web2", "1003", "5", keys_)), std::nullopt) << "a lost one inside the run is fine";
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "seq moved from 1 to 1003 in generation 5, confirmed by 3 messages"), 1)
        << log_.dump();
    EXPECT_EQ(reason(status_wire("web2", "1002", "5", keys_)), std::nullopt) << "the window starts at the new position";
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), DropReason::replay);
}

TEST_F(ReceivePipelineTest, SecAJumpRunIsDroppedWhenThePeerSpeaksAtTheOldPosition) {
    EXPECT_EQ(reason(status_wire("web2", "1", "5", keys_)), std::nullopt);
    EXPECT_EQ(reason(status_wire("web2", "5000", "5", keys_)), DropReason::seq_jump);
    EXPECT_EQ(reason(status_wire("web2", "5001", "5", keys_)), DropReason::seq_jump);
    EXPECT_EQ(reason(status_wire("web2", "2", "5", keys_)), std::nullopt);  // the real peer
    EXPECT_EQ(reason(status_wire("web2", "5002", "5", keys_)), DropReason::seq_jump) << "the run starts over";
    EXPECT_EQ(reason(status_wire("web2", "3", "5", keys_)), std::nullopt);
}

namespace {

ipc::AuthKeys sha1_with(std::initializer_list<std::pair<int, ipc::AuthKey>> others) {
    ipc::AuthKeys keys;
    keys.active = 2;
    keys.keys[2] = ipc::AuthKey{ipc::AuthMethod::sha1, "cluster-key"};
    for (const auto& [i, k] : others) keys.keys[static_cast<std::size_t>(i)] = k;
    return keys;
}

ipc::AuthKeys only(int index, ipc::AuthKey key) {
    ipc::AuthKeys keys;
    keys.active = index;
    keys.keys[static_cast<std::size_t>(index)] = std::move(key);
    return keys;
}

}  // namespace

// The Medium 1 experiment: authkeys lists `1 crc` beside the active `2 sha1`; a packet
// "signed" with crc (anyone can compute it) carries a huge seq.
TEST_F(ReceivePipelineTest, SecForgedCrcPacketBesideAnActiveSha1KeyIsDroppedAndRealTrafficFlows) {
    const auto keys = sha1_with({{1, ipc::AuthKey{ipc::AuthMethod::crc, ""}}});
    pipeline_.set_keys(keys);
    const auto sha1 = only(2, ipc::AuthKey{ipc::AuthMethod::sha1, "cluster-key"});
    EXPECT_EQ(reason(status_wire("web2", "1", "5", sha1)), std::nullopt);
    const std::string forged = status_wire("web2", "ffffffffffffffff", "5", only(1, ipc::AuthKey{ipc::AuthMethod::crc, ""}));
    EXPECT_EQ(reason(forged), DropReason::unknown_key);
    EXPECT_EQ(counters_.find("eth0")->drop(DropReason::unknown_key), 1u);
    EXPECT_EQ(log_.count(ipc::LogLevel::warn, "key index 1 is listed in authkeys but not accepted"), 1) << log_.dump();
    for (int s = 2; s < 10; ++s) EXPECT_EQ(reason(status_wire("web2", fmt::format("{:x}", s), "5", sha1)), std::nullopt) << s;
}

TEST_F(ReceivePipelineTest, SecOneRolloverKeyVerifiesButNotTwoSpares) {
    const ipc::AuthKey md5{ipc::AuthMethod::md5, "old-secret"};
    const ipc::AuthKey md5b{ipc::AuthMethod::md5, "older-secret"};
    pipeline_.set_keys(sha1_with({{1, md5}}));
    EXPECT_EQ(reason(status_wire("web2", "1", "5", only(1, md5))), std::nullopt) << "the rollover key";
    EXPECT_EQ(reason(status_wire("web2", "2", "5", only(2, ipc::AuthKey{ipc::AuthMethod::sha1, "cluster-key"}))), std::nullopt);
    pipeline_.set_keys(sha1_with({{1, md5}, {3, md5b}}));
    EXPECT_EQ(reason(status_wire("web2", "3", "5", only(1, md5))), DropReason::unknown_key) << "two spares: neither";
    EXPECT_EQ(reason(status_wire("web2", "4", "5", only(3, md5b))), DropReason::unknown_key);
    EXPECT_EQ(reason(status_wire("web2", "5", "5", only(2, ipc::AuthKey{ipc::AuthMethod::sha1, "cluster-key"}))), std::nullopt);
}

// A live Heartbeat 3.0.6 peer's traffic, as captured (tests/data/captured), passes the pipeline
// in order and at its own pace: everything web2 sent reaches web1's master, except the NS_ackmsg
// that web2 sent before its first status in the md5 run (no generation known yet: harmless, an
// ack is only flow control and this one was even addressed to web2 itself).
TEST(ReceivePipelineCaptured, ALiveHeartbeat306PeersTrafficIsAccepted) {
    struct Run {
        const char* file;
        ipc::AuthKeys keys;
        int stale_expected;
    };
    const Run runs[] = {
        {"crc.pcap", only(1, ipc::AuthKey{ipc::AuthMethod::crc, ""}), 0},
        {"md5.pcap", only(4, ipc::AuthKey{ipc::AuthMethod::md5, "web-secret"}), 1},
        {"sha1.pcap", only(7, ipc::AuthKey{ipc::AuthMethod::sha1, "cluster-key"}), 0},
    };
    for (const Run& run : runs) {
        SCOPED_TRACE(run.file);
        std::string error;
        const auto datagrams =
            ha::testing::read_pcap_udp(ha::testing::read_binary_file(std::filesystem::path(HA_TEST_DATA) / "captured" / run.file), error);
        ASSERT_TRUE(error.empty()) << error;
        ASSERT_GE(datagrams.size(), 100u);
        MediaCounters counters;
        ipc::CaptureLog log;
        ipc::FakeClock clock;
        ReceivePipeline web1(PipelineConfig{"web1", {"web1", "web2"}, run.keys}, counters, clock, log);
        std::size_t from_web2 = 0, forwarded = 0, ns = 0;
        for (const auto& d : datagrams) {
            if (d.time > datagrams.front().time) {
                clock.advance(d.time - datagrams.front().time - (clock.now() - ipc::FakeClock().now()));
            }
            if (d.source != "198.51.100.12") continue;  // web1's own datagrams are in the capture too
            ++from_web2;
            Verdict v = web1.receive(d.payload, Sender{d.source, d.source + ":694"}, "eth1");
            if (std::holds_alternative<Forward>(v)) {
                ++forwarded;
                if (std::get<Forward>(v).message.type().starts_with("NS_")) ++ns;
            }
        }
        const LinkStats& s = *counters.find("eth1");
        EXPECT_EQ(s.drop(DropReason::stale), static_cast<std::uint64_t>(run.stale_expected)) << log.dump();
        EXPECT_EQ(forwarded + static_cast<std::size_t>(run.stale_expected), from_web2) << log.dump();
        EXPECT_GE(ns, 1u) << "some NS_ackmsg got through";
    }
}

// The same for the serial cable (heartbeatd-serial runs this pipeline): every classic frame web2
// wrote in the md5 serial run, in order (no timestamps: all at one instant), reaches web1's master.
TEST(ReceivePipelineCaptured, ALiveHeartbeat306PeersSerialTrafficIsAccepted) {
    const std::string stream =
        ha::testing::read_binary_file(std::filesystem::path(HA_TEST_DATA) / "captured" / "serial_md5_web2.stream");
    ASSERT_FALSE(stream.empty());
    MediaCounters counters;
    ipc::CaptureLog log;
    ipc::FakeClock clock;
    ReceivePipeline web1(PipelineConfig{"web1", {"web1", "web2"}, only(4, ipc::AuthKey{ipc::AuthMethod::md5, "web-secret"})},
                         counters, clock, log);
    std::size_t frames = 0, forwarded = 0, ns = 0, ns_before_status = 0;
    bool status_seen = false;
    for (std::size_t at = 0; at < stream.size();) {
        const std::size_t end = stream.find("\n<<<\n", at);
        ASSERT_NE(end, std::string::npos);
        const std::string frame = stream.substr(at, end + 5 - at);
        at = end + 5;
        ++frames;
        const bool is_ns = frame.find("\nt=NS_") != std::string::npos;
        if (frame.find("\nt=status\n") != std::string::npos) status_seen = true;
        if (is_ns && !status_seen) ++ns_before_status;
        Verdict v = web1.receive(frame, Sender{"tty", ""}, "/dev/ttyS0");
        if (std::holds_alternative<Forward>(v)) {
            ++forwarded;
            ns += is_ns ? 1 : 0;
        }
    }
    EXPECT_GE(frames, 20u);
    EXPECT_EQ(forwarded + ns_before_status, frames) << log.dump();
    EXPECT_EQ(counters.find("/dev/ttyS0")->drop(DropReason::stale), ns_before_status);
    EXPECT_GE(ns, 1u) << "some NS_ackmsg got through";
}

}  // namespace
}  // namespace ha::media
