// hamaster's command line: where Heartbeat 3.0.6's state is looked for.
#include "master/options.hpp"

#include <gtest/gtest.h>

#include <vector>

using ha::master::parse_options;

namespace {
ha::Result<ha::master::Options> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "hamaster");
    return parse_options(static_cast<int>(args.size()), args.data());
}
}  // namespace

// Production: /var/lib/heartbeat. A second node on one host or a test (its own --state-dir) must
// never read or write the host's Heartbeat state, unless it names a directory itself.
TEST(MasterOptions, HeartbeatStateDirDefaultsOnlyWithTheDefaultStateDir) {
    auto o = parse({"--node", "web1"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->heartbeat_state_dir, "/var/lib/heartbeat");
    o = parse({"--node", "web1", "--state-dir", "/tmp/s"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->heartbeat_state_dir, "");
    o = parse({"--node", "web1", "--state-dir", "/tmp/s", "--heartbeat-state-dir", "/tmp/hb"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->heartbeat_state_dir, "/tmp/hb");
    o = parse({"--node", "web1", "--heartbeat-state-dir", ""});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->heartbeat_state_dir, "");
}
