#include "heartbeatd-net/send_pipeline.hpp"

#include <gtest/gtest.h>

#include "ipc/media/media_counters.hpp"
#include "ipc/media/receive_pipeline.hpp"
#include "media/media_test_util.hpp"

namespace ha::net {
namespace {

using media::testing::cluster_message;
using media::testing::md5_keys;

TEST(SendPipeline, SignsForEveryLinkAndStripsBusFields) {
    SendPipeline send(md5_keys(), {"eth0", "eth1"});
    ipc::Message m = cluster_message("status", "web1", "1");
    m.add("_reply_to", "x");
    auto out = send.prepare(m);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_TRUE(out->link.empty());
    EXPECT_TRUE(out->wire.starts_with("###\n"));
    EXPECT_EQ(out->wire.find("_reply_to"), std::string::npos);

    auto decoded = ipc::verify_and_decode(out->wire, md5_keys());
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, cluster_message("status", "web1", "1"));
}

TEST(SendPipeline, LinkFieldPicksOneLinkAndIsNotSigned) {
    SendPipeline send(md5_keys(), {"eth0", "eth1"});
    ipc::Message m = cluster_message("resource", "web1", "2");
    m.add("_link", "eth1");
    auto out = send.prepare(m);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->link, "eth1");
    EXPECT_EQ(out->wire.find("_link"), std::string::npos);
}

TEST(SendPipeline, RejectsUnknownLinkMissingTypeAndOversize) {
    SendPipeline send(md5_keys(), {"eth0"});
    ipc::Message m = cluster_message("status", "web1", "1");
    m.add("_link", "eth7");
    auto r1 = send.prepare(m);
    ASSERT_FALSE(r1);
    EXPECT_EQ(r1.error().code, "unknown_link");

    ipc::Message no_t;
    no_t.add("src", "web1");
    auto r2 = send.prepare(no_t);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, "no_type");

    ipc::Message big = cluster_message("status", "web1", "1");
    big.add("info", std::string(kMaxUdpPayload, 'a'));
    auto r3 = send.prepare(big);
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().code, "too_big");
}

TEST(SendPipeline, RejectsWithoutActiveKey) {
    SendPipeline send(ipc::AuthKeys{}, {"eth0"});
    auto r = send.prepare(cluster_message("status", "web1", "1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "no_key");
}

TEST(SendPipeline, WhatWeSendThePeerPipelineForwards) {
    SendPipeline send(md5_keys(), {"eth0"});
    auto out = send.prepare(cluster_message("status", "web1", "1"));
    ASSERT_TRUE(out);
    media::MediaCounters counters;
    ipc::CaptureLog log;
    ipc::FakeClock clock;
    media::ReceivePipeline web2(media::PipelineConfig{"web2", {"web1", "web2"}, md5_keys()}, counters, clock, log);
    media::Verdict v = web2.receive(out->wire, media::Sender{"127.0.0.2", "127.0.0.2:694"}, "eth0");
    EXPECT_TRUE(std::holds_alternative<media::Forward>(v));
}

}  // namespace
}  // namespace ha::net
