// AgentCommand: command lines per agent kind and Heartbeat's status rules.
#include "rscd/agent_command.hpp"

#include <gtest/gtest.h>

#include "rsc_test_util.hpp"

namespace ha::rsc {
namespace {

using Strings = std::vector<std::string>;

TEST(AgentCommand, HeartbeatScriptGetsArgsThenAction) {
    const auto cmd = make_agent_command(test::script("mail", {"a", "b"}), AgentAction::start);
    EXPECT_EQ(cmd.argv, (Strings{"/etc/ha.d/resource.d/mail", "a", "b", "start"}));
    EXPECT_TRUE(cmd.env.empty());
}

TEST(AgentCommand, LsbScriptGetsOnlyTheAction) {
    const auto cmd = make_agent_command(test::script("apache2", {"x"}, conf::AgentKind::lsb), AgentAction::stop);
    EXPECT_EQ(cmd.argv, (Strings{"/etc/init.d/apache2", "stop"}));
}

TEST(AgentCommand, OcfGetsMonitorAndReskeysForNameValueArgs) {
    conf::Resource r = test::script("IPaddr2", {"ip=192.0.2.5", "junk", "cidr_netmask=24", "9bad=1"}, conf::AgentKind::ocf);
    r.word = "ocf:heartbeat:IPaddr2::ip=192.0.2.5::junk::cidr_netmask=24::9bad=1";
    r.path = "/usr/lib/ocf/resource.d/heartbeat/IPaddr2";
    const auto cmd = make_agent_command(r, AgentAction::status);
    EXPECT_EQ(cmd.argv, (Strings{"/usr/lib/ocf/resource.d/heartbeat/IPaddr2", "monitor"}));
    EXPECT_EQ(cmd.env, (Strings{"OCF_ROOT=/usr/lib/ocf",
                                "OCF_RESOURCE_INSTANCE=ocf_heartbeat_IPaddr2__ip_192.0.2.5__junk__cidr_netmask_24__9bad_1",
                                "OCF_RESKEY_ip=192.0.2.5", "OCF_RESKEY_cidr_netmask=24"}));
}

TEST(AgentCommand, BuiltinTextNamesTheAgent) {
    EXPECT_EQ(command_text(test::builtin_ip("192.0.2.100/24/eth0"), AgentAction::start), "IPaddr 192.0.2.100/24/eth0 start");
}

TEST(StatusWords, HeartbeatGlobRules) {
    EXPECT_TRUE(stdout_says_running("running"));
    EXPECT_TRUE(stdout_says_running("nginx is Running (pid 12)"));
    EXPECT_TRUE(stdout_says_running("OK"));
    EXPECT_FALSE(stdout_says_running("ok"));
    EXPECT_FALSE(stdout_says_running("stopped"));
    EXPECT_FALSE(stdout_says_running(""));
    EXPECT_FALSE(stdout_says_running("nginx is not running"));
    EXPECT_FALSE(stdout_says_running("NOT running"));
    EXPECT_FALSE(stdout_says_running("Not currently Running"));
    EXPECT_TRUE(stdout_says_running("notrunning? running"));  // "not" needs a blank after it
    EXPECT_FALSE(stdout_says_running("RUNNING"));             // only the R is case-insensitive
}

TEST(StatusWords, ByAgentKind) {
    using K = conf::AgentKind;
    EXPECT_TRUE(status_running(K::heartbeat, AgentResult::exit(3, "running")));
    EXPECT_FALSE(status_running(K::heartbeat, AgentResult::exit(0, "")));
    EXPECT_TRUE(status_running(K::builtin, AgentResult::exit(0, "running")));
    EXPECT_TRUE(status_running(K::lsb, AgentResult::exit(0)));
    EXPECT_FALSE(status_running(K::lsb, AgentResult::exit(3, "running")));
    EXPECT_TRUE(status_running(K::ocf, AgentResult::exit(0)));
    EXPECT_FALSE(status_running(K::ocf, AgentResult::exit(7)));
    EXPECT_FALSE(status_running(K::ocf, AgentResult::exit(1)));
    AgentResult t = AgentResult::timeout();
    t.out = "running";
    EXPECT_FALSE(status_running(K::heartbeat, t));
}

}  // namespace
}  // namespace ha::rsc
