// The bus vocabulary (ipc/bus/): every message round-trips through its codec, every decoder
// refuses a missing, duplicate or unknown field and a bad value with an Error naming the field,
// and every kind has a fuzz seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ipc/bus/control.hpp"
#include "ipc/bus/ipfail.hpp"
#include "ipc/bus/media.hpp"
#include "ipc/bus/rsc.hpp"
#include "ipc/bus/supervision.hpp"
#include "ipc/bus/vocabulary.hpp"
#include "ipc/codec.hpp"

namespace ha::ipc::bus {
namespace {

const std::string kGroup = "IPaddr::192.0.2.100/24/eth0";

ControlReply state_reply() {
    ControlReply r;
    r.state = ControlReply::State{2, "done", "all", "active", "web2", false};
    return r;
}

// One valid message of each vocabulary kind, in vocabulary() order.
std::vector<Message> samples() {
    MediaStats serial{"/dev/ttyS0", 9, 8, 7, 1, {{"bad_auth", 2}, {"duplicate", 0}}, true, {{"frames", 8}, {"garbage_bytes", 10}}};
    return {
        Liveness{"4242"}.encode(),
        MasterAlive{}.encode(),
        Flush{"f1"}.encode(),
        Flushed{"f1"}.encode(),
        MediaStatsAsk{}.encode(),
        serial.encode(),
        NodeStatus{"web2", "active"}.encode(),
        RscHold{"foreign"}.encode(),
        PingStatus{"192.0.2.1", "up"}.encode(),
        StandbyRequest{false, "foreign"}.encode(),
        IpfailRelease{}.encode(),
        IpfailOk{}.encode(),
        RscOp{GroupOp::start, kGroup, "7"}.encode(),
        RscResult{GroupOp::start, kGroup, "7", false, RscResult::Running::partial, "apache", {}}.encode(),
        RscReload{"l1"}.encode(),
        RscReloaded{"l1", true, 3, {}}.encode(),
        RscProbe{kGroup, "p1", true, false, true}.encode(),
        RscProbe{kGroup, "p1", false, true, false}.encode(),
        RscClearance{kGroup, "p1", ProbeVerdict::held, "192.0.2.100", "02:aa:bb:cc:dd:ee", "eth0", ""}.encode(),
        ClStatusRequest{"hblinkstatus", {"web2", "eth1"}, {"m"}, "", true}.encode(),
        StandbyRequest{false, "all"}.encode(),
        StandbyRequest{true, "failback"}.encode(),
        StandbyStateRequest{}.encode(),
        state_reply().encode(),
    };
}

TEST(BusMessages, EveryKindRoundTripsThroughItsCodec) {
    const auto kinds = vocabulary();
    const auto messages = samples();
    ASSERT_EQ(kinds.size(), messages.size());
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        SCOPED_TRACE(std::string(kinds[i].type) + " from " + std::string(kinds[i].from));
        EXPECT_EQ(messages[i].type(), kinds[i].type);
        auto again = kinds[i].reencode(messages[i]);
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(*again, messages[i]);
        // And through the bus's own framing.
        auto wire = decode(encode_netstring(messages[i]));
        ASSERT_TRUE(wire);
        EXPECT_EQ(*wire, messages[i]);
    }
}

TEST(BusMessages, EveryKindHasAFuzzSeed) {
    const std::filesystem::path dir = std::filesystem::path(HA_SOURCE_DIR) / "tests/fuzz/corpus/bus";
    for (const auto& kind : vocabulary()) {
        const auto name = std::string(kind.type) + "-" + std::string(kind.from) + ".bin";
        EXPECT_TRUE(std::filesystem::exists(dir / name)) << (dir / name);
    }
}

// Each decoder: the message type checked first, then unknown and duplicate fields.
TEST(BusMessages, EveryDecoderRefusesWrongTypeUnknownAndDuplicateFields) {
    const auto kinds = vocabulary();
    const auto messages = samples();
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        SCOPED_TRACE(std::string(kinds[i].type));
        Message other = messages[i];
        other.set("t", "frobnicate");
        auto wrong = kinds[i].reencode(other);
        ASSERT_FALSE(wrong);
        EXPECT_TRUE(wrong.error().code == "bad_type" || wrong.error().code == "unknown_type") << wrong.error().code;

        Message extra = messages[i];
        extra.add("x_unknown", "1");
        auto unknown = kinds[i].reencode(extra);
        ASSERT_FALSE(unknown);
        EXPECT_EQ(unknown.error().code, "unexpected_field");
        EXPECT_NE(unknown.error().message.find("\"x_unknown\""), std::string::npos) << unknown.error().message;

        if (messages[i].size() < 2) continue;
        Message twice = messages[i];
        const Field& last = messages[i].fields().back();
        if (last.name == "arg" || last.name == "flag") continue;  // cl_status: repeatable by design
        twice.add(last.name, last.value);
        auto dup = kinds[i].reencode(twice);
        ASSERT_FALSE(dup);
        EXPECT_EQ(dup.error().code, "duplicate_field");
        EXPECT_NE(dup.error().message.find("\"" + last.name + "\""), std::string::npos) << dup.error().message;
    }
}

struct Refusal {
    Message message;
    std::string code;
    std::string names;  // the field the error must name
};

template <class T>
void expect_refused(const std::vector<Refusal>& cases) {
    for (const auto& c : cases) {
        auto r = T::decode(c.message);
        ASSERT_FALSE(r) << c.names;
        EXPECT_EQ(r.error().code, c.code) << r.error().message;
        EXPECT_NE(r.error().message.find(c.names), std::string::npos) << r.error().message;
    }
}

Message without(Message m, std::string_view field) {
    m.remove(field);
    return m;
}

TEST(BusMessages, SupervisionRefusals) {
    expect_refused<Liveness>({{without(Liveness{"1"}.encode(), "pid"), "missing_field", "\"pid\""},
                              {Liveness{"12a"}.encode(), "bad_value", "pid"},
                              {Liveness{"-1"}.encode(), "bad_value", "pid"},
                              {Liveness{"12345678901"}.encode(), "bad_value", "pid"}});
    expect_refused<Flush>({{without(Flush{"f1"}.encode(), "seq"), "missing_field", "\"seq\""},
                           {Flush{"a b"}.encode(), "bad_value", "seq"},
                           {Flush{std::string(33, 'f')}.encode(), "bad_value", "seq"}});
    expect_refused<Flushed>({{Flushed{""}.encode(), "bad_value", "seq"}});
    expect_refused<MasterAlive>({{MasterAlive{}.encode().add("seq", "1"), "unexpected_field", "\"seq\""}});
}

TEST(BusMessages, MediaStatsRefusals) {
    const Message good = MediaStats{"eth0", 1, 1, 1, 0, {{"bad_auth", 0}}, std::nullopt, {}}.encode();
    expect_refused<MediaStats>({{without(good, "link"), "missing_field", "\"link\""},
                                {without(good, "tx"), "missing_field", "\"tx\""},
                                {Message(good).set("rx", "x"), "bad_value", "rx"},
                                {Message(good).set("drop_bad_auth", "-3"), "bad_value", "drop_bad_auth"},
                                {Message(good).add("drop_bad_auth", "1"), "duplicate_field", "\"drop_bad_auth\""},
                                {Message(good).add("drop_", "1"), "unexpected_field", "\"drop_\""},
                                {Message(good).add("open", "yes"), "bad_value", "open"},
                                {Message(good).add("frames", "many"), "bad_value", "frames"}});
    Message many = good;
    for (int i = 0; i < 70; ++i) many.add("drop_r" + std::to_string(i), "0");
    expect_refused<MediaStats>({{many, "unexpected_field", "drop_r"}});
    expect_refused<MediaStatsAsk>({{good, "unexpected_field", "\"link\""}});
    // The counters a real serial report carries decode into the typed value.
    auto s = MediaStats::decode(samples()[5]);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->tx, 7u);
    ASSERT_EQ(s->drops.size(), 2u);
    EXPECT_EQ(s->drops[0], (std::pair<std::string, std::uint64_t>{"bad_auth", 2}));
    EXPECT_EQ(s->open, true);
    ASSERT_EQ(s->serial.size(), 2u);
    EXPECT_EQ(s->serial[1].second, 10u);
}

TEST(BusMessages, IpfailRefusals) {
    expect_refused<NodeStatus>({{without(NodeStatus{"web2", "up"}.encode(), "node"), "missing_field", "\"node\""},
                                {NodeStatus{"", "up"}.encode(), "missing_field", "\"node\""},
                                {NodeStatus{"web2", "zombie"}.encode(), "bad_value", "\"st\""},
                                {without(NodeStatus{"web2", "up"}.encode(), "st"), "missing_field", "\"st\""},
                                // the peer's own message relayed to ipfaild is not the master's node_status
                                {NodeStatus{"web2", "dead"}.encode().add("src", "web2"), "unexpected_field", "\"src\""}});
    expect_refused<RscHold>({{RscHold{"most"}.encode(), "bad_value", "\"word\""},
                             {RscHold{"transition"}.encode(), "bad_value", "\"word\""},
                             {without(RscHold{"all"}.encode(), "word"), "missing_field", "\"word\""}});
    expect_refused<PingStatus>({{PingStatus{"gw", "ping"}.encode(), "bad_value", "\"st\""},
                                {PingStatus{"", "up"}.encode(), "missing_field", "\"node\""}});
    expect_refused<IpfailRelease>({{IpfailRelease{}.encode().add("rsc_hold", "all"), "unexpected_field", "\"rsc_hold\""}});
    expect_refused<IpfailOk>({{IpfailOk{}.encode().add("x", "1"), "unexpected_field", "\"x\""}});
}

// op=announce (the keeper after a double hold) travels in the same rsc_op / rsc_result, with the
// same strict decoders: the word round-trips, its near misses are refused naming the field.
TEST(BusMessages, RscAnnounceRoundTripsAndIsDecodedStrictly) {
    GroupOp op = GroupOp::status;
    ASSERT_TRUE(parse_group_op("announce", op));
    EXPECT_EQ(op, GroupOp::announce);
    EXPECT_EQ(group_op_name(GroupOp::announce), "announce");
    const Message ask = RscOp{GroupOp::announce, kGroup, "a1"}.encode();
    EXPECT_EQ(ask.get_or("op", ""), "announce");
    auto decoded = RscOp::decode(decode(encode_netstring(ask)).value());
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->op, GroupOp::announce);
    EXPECT_EQ(decoded->group, kGroup);
    EXPECT_EQ(decoded->seq, "a1");
    expect_refused<RscOp>({{Message(ask).set("op", "Announce"), "bad_value", "op"},
                           {Message(ask).set("op", "announce "), "bad_value", "op"},
                           {Message(ask).set("op", "announced"), "bad_value", "op"},
                           {Message(ask).add("iface", "eth0"), "unexpected_field", "\"iface\""},
                           {without(ask, "group"), "missing_field", "\"group\""}});
    for (const auto running : {RscResult::Running::yes, RscResult::Running::partial, RscResult::Running::no}) {
        const bool ok = running == RscResult::Running::yes;
        const RscResult answer{GroupOp::announce, kGroup, "a1", ok, running, ok ? "" : kGroup, {}};
        auto back = RscResult::decode(answer.encode());
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->op, GroupOp::announce);
        EXPECT_EQ(back->ok, ok);
        EXPECT_EQ(back->running, running);
        EXPECT_EQ(back->failed_rsc, answer.failed_rsc);
        EXPECT_EQ(back->encode(), answer.encode());
    }
}

TEST(BusMessages, RscRefusals) {
    const Message op = RscOp{GroupOp::stop, kGroup, "9"}.encode();
    expect_refused<RscOp>({{without(op, "op"), "missing_field", "\"op\""},
                           {Message(op).set("op", "restart"), "bad_value", "op"},
                           {without(op, "group"), "missing_field", "\"group\""},
                           {Message(op).set("group", std::string(1025, 'g')), "bad_value", "group"},
                           {without(op, "seq"), "missing_field", "\"seq\""}});
    const Message result = RscResult{GroupOp::stop, kGroup, "9", true, RscResult::Running::no, {}, {}}.encode();
    expect_refused<RscResult>({{without(result, "rc"), "missing_field", "\"rc\""},
                               {Message(result).set("rc", "maybe"), "bad_value", "rc"},
                               {Message(result).set("running", "sometimes"), "bad_value", "running"},
                               {Message(result).add("error", "x"), "unexpected_field", "\"error\""},
                               {without(result, "running"), "missing_field", "\"running\""},
                               {without(Message(result).set("rc", "failed"), "running"), "missing_field", "\"running\""},
                               {Message(result).set("op", "reboot"), "bad_value", "op"}});
    const Message refusal = RscResult{GroupOp::start, kGroup, "9", false, std::nullopt, {}, "unknown_group"}.encode();
    expect_refused<RscResult>({{Message(refusal).add("failed_rsc", "x"), "unexpected_field", "\"failed_rsc\""}});
    auto r = RscResult::decode(refusal);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->running);
    EXPECT_EQ(r->error, "unknown_group");

    const Message reloaded = RscReloaded{"l2", true, 4, {}}.encode();
    expect_refused<RscReloaded>({{without(reloaded, "groups"), "missing_field", "\"groups\""},
                                 {Message(reloaded).set("groups", "4x"), "bad_value", "groups"},
                                 {Message(reloaded).set("groups", "1234567"), "bad_value", "groups"},
                                 {Message(reloaded).add("error", "busy"), "unexpected_field", "\"error\""},
                                 {without(reloaded, "rc"), "missing_field", "\"rc\""},
                                 {Message(reloaded).set("rc", "meh"), "bad_value", "rc"},
                                 {RscReloaded{"l2", false, 0, ""}.encode(), "missing_field", "\"error\""},
                                 {RscReloaded{"l2", false, 0, "busy"}.encode().add("groups", "1"), "unexpected_field", "\"groups\""}});
    expect_refused<RscReload>({{RscReload{""}.encode(), "bad_value", "seq"}});
}

TEST(BusMessages, ControlRequestsAndRefusals) {
    auto parsed = decode_control_request(ClStatusRequest{"listnodes", {}, {"p", "n"}, "", false}.encode());
    ASSERT_TRUE(parsed);
    const auto* cl = std::get_if<ClStatusRequest>(&*parsed);
    ASSERT_NE(cl, nullptr);
    EXPECT_TRUE(cl->has_flag("p"));
    EXPECT_EQ(cl->flags.size(), 2u);
    Message plain;
    plain.add("t", "standby");
    auto standby = decode_control_request(plain);
    ASSERT_TRUE(standby);
    EXPECT_EQ(std::get<StandbyRequest>(*standby).kind, "all");
    // An unknown kind is well formed: the master refuses it with rc 1.
    EXPECT_EQ(std::get<StandbyRequest>(*decode_control_request(StandbyRequest{true, "some"}.encode())).kind, "some");

    const Message cl_msg = ClStatusRequest{"hbparameter", {}, {}, "deadtime", false}.encode();
    expect_refused<ClStatusRequest>({{without(cl_msg, "cmd"), "missing_field", "\"cmd\""},
                                     {Message(cl_msg).add("param", "keepalive"), "duplicate_field", "\"param\""},
                                     {Message(cl_msg).add("json", "yes"), "bad_value", "json"},
                                     {Message(cl_msg).add("cmd", "x"), "duplicate_field", "\"cmd\""}});
    Message flood = cl_msg;
    for (std::size_t i = 0; i <= kMaxControlWords; ++i) flood.add("arg", "w");
    expect_refused<ClStatusRequest>({{flood, "bad_value", "arg"}});
    Message odd;
    odd.add("t", "reboot");
    auto unknown = decode_control_request(odd);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, "unknown_type");
    expect_refused<StandbyStateRequest>({{StandbyStateRequest{}.encode().add("rsc_hold", "all"), "unexpected_field", "\"rsc_hold\""}});
}

TEST(BusMessages, ControlReplyCarriesTheStandbyAnswer) {
    ControlReply reply;
    reply.rc = 3;
    reply.standby = ControlReply::Standby{"in_flux", "resources are moving", 2, 10000};
    const Message m = reply.encode();
    EXPECT_EQ(m.type(), "control_reply");
    EXPECT_EQ(m.get_or("rc", ""), "3");
    EXPECT_EQ(m.get_or("out", "x"), "");
    EXPECT_EQ(m.get_or("refused", ""), "in_flux");
    EXPECT_EQ(m.get_or("ends", ""), "2");
    EXPECT_EQ(m.get_or("reply_timeout_ms", ""), "10000");
    EXPECT_FALSE(m.has("err"));

    // The tools decode what the master encodes, each shape strictly.
    auto back = ControlReply::decode(m);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->rc, 3);
    ASSERT_TRUE(back->standby);
    EXPECT_EQ(back->standby->reason, "resources are moving");
    EXPECT_EQ(back->standby->reply_timeout_ms, 10000);
    EXPECT_FALSE(back->state);
    auto state = ControlReply::decode(state_reply().encode());
    ASSERT_TRUE(state) << state.error().message;
    ASSERT_TRUE(state->state);
    EXPECT_EQ(state->state->peer_node, "web2");
    EXPECT_FALSE(state->standby);
    auto plain = ControlReply::decode(ControlReply{11, "", "ERROR: frobnicate: invalid sub-command.\n", true, std::nullopt, std::nullopt}.encode());
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_TRUE(plain->usage);
    EXPECT_FALSE(plain->standby || plain->state);

    expect_refused<ControlReply>({{without(m, "rc"), "missing_field", "\"rc\""},
                                  {Message(m).set("rc", "256"), "bad_value", "rc"},
                                  {without(m, "out"), "missing_field", "\"out\""},
                                  {without(m, "reason"), "missing_field", "\"reason\""},
                                  {without(m, "ends"), "missing_field", "\"ends\""},
                                  {Message(m).add("peer", "dead"), "unexpected_field", "\"peer\""},
                                  {without(state_reply().encode(), "standby"), "missing_field", "\"standby\""},
                                  {Message(state_reply().encode()).set("standby", "busy"), "bad_value", "standby"},
                                  {ControlReply{0, "", "", false, std::nullopt, std::nullopt}.encode().add("ends", "1"), "unexpected_field", "\"ends\""}});
    auto refused = ControlReply::decode(ControlError{"bad_frames", "control request with 4 frames"}.encode());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "control_error");
}

}  // namespace
}  // namespace ha::ipc::bus
