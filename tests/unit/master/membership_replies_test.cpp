#include "master/core/membership_replies.hpp"

#include <gtest/gtest.h>

using ha::ipc::FieldType;
using ha::ipc::Message;
using ha::master::ack_for;
using ha::master::repnodes_for;

namespace {
Message from_web2(std::string type) {
    Message m;
    m.add("t", type).add("dest", "web1").add("src", "web2").add("srcuuid", std::string(16, '\x07'), FieldType::binary).add("seq", "2d");
    return m;
}
}  // namespace

TEST(MembershipReplies, ReqnodesGetsRepnodesInCapturedFieldOrder) {
    auto rep = repnodes_for(from_web2("reqnodes"), "web1", {"web1", "web2"});
    ASSERT_TRUE(rep);
    std::vector<std::string> names;
    for (const auto& f : rep->fields()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"dest", "t", "nodelist", "delnodelist", "destuuid"}));
    EXPECT_EQ(rep->get_or("nodelist", ""), "web1 web2 ");
    EXPECT_EQ(rep->get_or("delnodelist", ""), " ");
    EXPECT_EQ(rep->find("destuuid")->type, FieldType::binary);
    EXPECT_EQ(rep->get_or("dest", ""), "web2");
}

TEST(MembershipReplies, ReqnodesForAnotherNodeIsNotOurs) {
    Message m = from_web2("reqnodes");
    m.set("dest", "web3");
    EXPECT_FALSE(repnodes_for(m, "web1", {"web1", "web2"}));
}

TEST(MembershipReplies, AckOnlyWhenSeqModTenIsOurPick) {
    // 0x2d = 45 → 45 % 10 == 5
    auto ack = ack_for(from_web2("status"), "web1", 5);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->type(), "NS_ackmsg");
    EXPECT_EQ(ack->get_or("ackseq", ""), "2d");
    EXPECT_EQ(ack->get_or("dest", ""), "web2");
    EXPECT_FALSE(ack_for(from_web2("status"), "web1", 4));
}

TEST(MembershipReplies, NoAckForNsMessagesOrOurOwn) {
    EXPECT_FALSE(ack_for(from_web2("NS_ackmsg"), "web1", 5));
    EXPECT_FALSE(ack_for(from_web2("status"), "web2", 5));
}
