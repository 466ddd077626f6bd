// load_or_create_uuid: the node uuid, and Heartbeat 3.0.6's beside it (a rolling upgrade and its
// way back keep the node's identity: a Heartbeat peer logs "node X changed its uuid" otherwise).
#include "master/node_uuid.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../ipc_test_util.hpp"

using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
using ha::ipc::testing::TempDir;
using ha::master::load_or_create_uuid;
using ha::master::NodeUuid;
namespace fs = std::filesystem;

namespace {

std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write(const std::string& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }
std::string bytes(const NodeUuid& u) { return {reinterpret_cast<const char*>(u.data()), u.size()}; }

const std::string kHeartbeats = "HEARTBEAT-UUID-1";  // 16 bytes

struct NodeUuidBesideHeartbeat : ::testing::Test {
    TempDir dir;
    std::string ours = dir / "hb_uuid";
    std::string hb_dir = dir / "heartbeat";
    std::string theirs = hb_dir + "/hb_uuid";
    CaptureLog log;
    void SetUp() override { fs::create_directory(hb_dir); }
};

}  // namespace

TEST(NodeUuid, CreatedOnceThenKept) {
    TempDir dir;
    CaptureLog log;
    auto first = load_or_create_uuid(dir / "hb_uuid", "", log);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ((*first)[6] >> 4, 4) << "RFC 4122 version 4";
    EXPECT_EQ(read(dir / "hb_uuid"), bytes(*first));
    auto again = load_or_create_uuid(dir / "hb_uuid", "", log);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *first);
}

TEST(NodeUuid, ShortFileIsAnErrorNotANewIdentity) {
    TempDir dir;
    CaptureLog log;
    write(dir / "hb_uuid", "short");
    auto u = load_or_create_uuid(dir / "hb_uuid", "", log);
    ASSERT_FALSE(u.has_value());
    EXPECT_EQ(u.error().code, "bad_uuid");
    EXPECT_EQ(read(dir / "hb_uuid"), "short");
}

// The node ran Heartbeat: its peer knows Heartbeat's uuid, so hamaster takes it over (once logged).
TEST_F(NodeUuidBesideHeartbeat, ContinuesWithHeartbeatsUuid) {
    write(theirs, kHeartbeats);
    auto u = load_or_create_uuid(ours, theirs, log);
    ASSERT_TRUE(u.has_value()) << u.error().message;
    EXPECT_EQ(bytes(*u), kHeartbeats);
    EXPECT_EQ(read(ours), kHeartbeats);
    EXPECT_EQ(log.count(LogLevel::info, "Node uuid continues from Heartbeat's " + theirs), 1);
    ASSERT_TRUE(load_or_create_uuid(ours, theirs, log).has_value());
    EXPECT_EQ(log.count("Node uuid continues from Heartbeat's"), 1) << "nothing new on the next start";
}

// Heartbeat ran again after hamaster (a downgrade, then an upgrade again) with another uuid: the
// peer saw Heartbeat's last, so it wins over ours.
TEST_F(NodeUuidBesideHeartbeat, HeartbeatsUuidWinsOverAnOlderOwnOne) {
    write(ours, "OWN-OLDER-UUID-1");
    write(theirs, kHeartbeats);
    auto u = load_or_create_uuid(ours, theirs, log);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(bytes(*u), kHeartbeats);
    EXPECT_EQ(read(ours), kHeartbeats);
}

// A node that never ran Heartbeat but has its (removed, not purged) package state: ours goes
// there, so that a return to Heartbeat keeps the uuid the peer knows.
TEST_F(NodeUuidBesideHeartbeat, LeavesItsUuidForAReturnToHeartbeat) {
    auto u = load_or_create_uuid(ours, theirs, log);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(read(theirs), bytes(*u));
    EXPECT_EQ(read(ours), bytes(*u));
    const std::string absent = dir / "no-heartbeat/hb_uuid";
    ASSERT_TRUE(load_or_create_uuid(ours, absent, log).has_value());
    EXPECT_FALSE(fs::exists(dir / "no-heartbeat")) << "Heartbeat's directory is never created";
}

TEST_F(NodeUuidBesideHeartbeat, UnreadableHeartbeatUuidIsIgnoredAndLeftAsItIs) {
    write(ours, "OWN-NODE-UUID-01");
    write(theirs, "bad");
    auto u = load_or_create_uuid(ours, theirs, log);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(bytes(*u), "OWN-NODE-UUID-01");
    EXPECT_EQ(log.count(LogLevel::warn, "Ignoring Heartbeat's node uuid file: " + theirs + ": expected 16 bytes, read 3"), 1);
    EXPECT_EQ(read(theirs), "bad");
}
