// The split-brain guard's bus contract: rsc_probe, rsc_probe_cancel, rsc_clearance (strict fields).
#include "rscd/rsc_messages.hpp"

#include <gtest/gtest.h>

namespace ha::rsc {
namespace {

const std::string kGroup = "IPaddr::192.0.2.100/24/eth0";

ipc::Message probe_msg() {
    ipc::Message m;
    m.add("t", "rsc_probe").add("group", kGroup).add("seq", "41").add("preferred", "no");
    return m;
}

TEST(ProbeMessages, DecodesProbeAndCancel) {
    auto r = decode_probe_request(probe_msg());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->group, kGroup);
    EXPECT_EQ(r->seq, "41");
    EXPECT_FALSE(r->preferred);
    EXPECT_FALSE(r->cancel);
    ipc::Message yes = probe_msg();
    yes.set("preferred", "yes");
    EXPECT_TRUE(decode_probe_request(yes)->preferred);
    EXPECT_FALSE(r->early);
    EXPECT_TRUE(decode_probe_request(probe_msg().add("early", "yes"))->early);
    EXPECT_FALSE(decode_probe_request(probe_msg().add("early", "no"))->early);

    ipc::Message cancel;
    cancel.add("t", "rsc_probe_cancel").add("group", kGroup).add("seq", "41");
    auto c = decode_probe_request(cancel);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->cancel);
    EXPECT_EQ(c->seq, "41");
}

// Each hostile variant is refused with an error naming the field.
TEST(ProbeMessages, RefusesMissingDuplicateUnknownAndBadFields) {
    struct Case {
        ipc::Message m;
        std::string code;
        std::string names;
    };
    std::vector<Case> cases;
    auto without = [](std::string_view field) { ipc::Message m = probe_msg(); m.remove(field); return m; };
    cases.push_back({without("group"), "missing_field", "\"group\""});
    cases.push_back({without("seq"), "missing_field", "\"seq\""});
    cases.push_back({without("preferred"), "missing_field", "\"preferred\""});
    cases.push_back({probe_msg().add("seq", "42"), "duplicate_field", "\"seq\""});
    cases.push_back({probe_msg().add("preferred", "no"), "duplicate_field", "\"preferred\""});
    cases.push_back({probe_msg().add("op", "start"), "unexpected_field", "\"op\""});
    cases.push_back({probe_msg().set("preferred", "maybe"), "bad_value", "preferred"});
    cases.push_back({probe_msg().set("preferred", ""), "bad_value", "preferred"});
    cases.push_back({probe_msg().add("early", "soon"), "bad_value", "early"});
    cases.push_back({probe_msg().add("early", "yes").add("early", "yes"), "duplicate_field", "\"early\""});
    cases.push_back({probe_msg().set("seq", ""), "bad_value", "seq"});
    cases.push_back({probe_msg().set("seq", std::string(33, '7')), "bad_value", "seq"});
    cases.push_back({probe_msg().set("seq", "a b"), "bad_value", "seq"});
    cases.push_back({probe_msg().set("seq", std::string("a\0b", 3)), "bad_value", "seq"});
    cases.push_back({probe_msg().set("group", ""), "missing_field", "\"group\""});
    cases.push_back({probe_msg().set("group", std::string(2000, 'x')), "bad_value", "group"});
    cases.push_back({probe_msg().set("t", "rsc_op"), "bad_type", "rsc_op"});
    ipc::Message cancel;
    cancel.add("t", "rsc_probe_cancel").add("group", kGroup).add("seq", "1").add("preferred", "yes");
    cases.push_back({cancel, "unexpected_field", "\"preferred\""});
    for (const auto& c : cases) {
        auto r = decode_probe_request(c.m);
        ASSERT_FALSE(r) << c.names;
        EXPECT_EQ(r.error().code, c.code) << r.error().message;
        EXPECT_NE(r.error().message.find(c.names), std::string::npos) << r.error().message;
    }
}

TEST(ProbeMessages, ClearanceRoundTrips) {
    for (const Clearance& c : {Clearance{kGroup, "41", ProbeVerdict::clear, "", "", "", ""},
                               Clearance{kGroup, "41", ProbeVerdict::held, "192.0.2.100", "02:aa:bb:cc:dd:ee", "eth0", ""},
                               Clearance{kGroup, "41", ProbeVerdict::error, "", "", "", "unknown_group"}}) {
        const ipc::Message m = encode_clearance(c);
        EXPECT_EQ(m.type(), "rsc_clearance");
        EXPECT_EQ(m.get_or("verdict", ""), probe_verdict_name(c.verdict));
        auto back = decode_clearance(m);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(back->group, c.group);
        EXPECT_EQ(back->seq, c.seq);
        EXPECT_EQ(back->verdict, c.verdict);
        EXPECT_EQ(back->ip, c.ip);
        EXPECT_EQ(back->mac, c.mac);
        EXPECT_EQ(back->iface, c.iface);
        EXPECT_EQ(back->error, c.error);
    }
    // Only the fields the verdict calls for are written.
    const ipc::Message clear = encode_clearance(Clearance{kGroup, "1", ProbeVerdict::clear, "x", "y", "z", "e"});
    EXPECT_EQ(clear.size(), 4u);
}

TEST(ProbeMessages, ClearanceDecodingIsStrict) {
    auto held = encode_clearance(Clearance{kGroup, "1", ProbeVerdict::held, "192.0.2.100", "02:aa:bb:cc:dd:ee", "eth0", ""});
    ipc::Message no_mac = held;
    no_mac.remove("mac");
    EXPECT_EQ(decode_clearance(no_mac).error().code, "missing_field");
    ipc::Message extra = encode_clearance(Clearance{kGroup, "1", ProbeVerdict::clear, "", "", "", ""});
    extra.add("ip", "192.0.2.100");
    EXPECT_EQ(decode_clearance(extra).error().code, "unexpected_field");
    ipc::Message bad = held;
    bad.set("verdict", "maybe");
    EXPECT_EQ(decode_clearance(bad).error().code, "bad_value");
    ipc::Message err = encode_clearance(Clearance{kGroup, "1", ProbeVerdict::error, "", "", "", "netlink"});
    err.remove("error");
    EXPECT_EQ(decode_clearance(err).error().code, "missing_field");
}

}  // namespace
}  // namespace ha::rsc
