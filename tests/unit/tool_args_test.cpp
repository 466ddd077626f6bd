// tool_args: the command lines of hb_standby / hb_takeover (--wait, --run-dir, one kind word) and
// cl_status (hamaster's long options, then Heartbeat's sub-command; unknown ones refused as
// Heartbeat's cl_status refuses them), and --help / --version everywhere.
#include "tools/tool_args.hpp"

#include <gtest/gtest.h>

using namespace ha::tools;
using namespace std::chrono_literals;

TEST(StandbyArgs, DefaultsToAllWithoutWaiting) {
    auto a = parse_standby_args({});
    EXPECT_EQ(a.action, ToolAction::run);
    EXPECT_EQ(a.kind, "all");
    EXPECT_EQ(a.run_dir, "/run/hamaster");
    EXPECT_FALSE(a.wait);
}

TEST(StandbyArgs, WaitWithAndWithoutSeconds) {
    auto a = parse_standby_args({"--wait", "foreign"});
    ASSERT_EQ(a.action, ToolAction::run);
    EXPECT_EQ(a.kind, "foreign");
    EXPECT_EQ(a.wait, kDefaultWait);
    auto b = parse_standby_args({"--wait=30", "--run-dir=/tmp/x", "failback"});
    ASSERT_EQ(b.action, ToolAction::run);
    EXPECT_EQ(b.wait, 30s);
    EXPECT_EQ(b.run_dir, "/tmp/x");
    EXPECT_EQ(b.kind, "failback");
    auto c = parse_standby_args({"--run-dir", "/tmp/y", "local"});
    EXPECT_EQ(c.run_dir, "/tmp/y");
    EXPECT_EQ(c.kind, "local");
}

TEST(StandbyArgs, BadInputIsAUsageErrorNamingIt) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--wait=0"}, {"--wait=abc"}, {"--wait="}, {"--wait=1234567"}, {"bogus"}, {"all", "local"},
             {"--frob"}, {"--run-dir"}, {"-x"}}) {
        auto a = parse_standby_args(args);
        EXPECT_EQ(a.action, ToolAction::usage_error) << args[0];
        EXPECT_FALSE(a.error.empty());
    }
    EXPECT_NE(parse_standby_args({"--frob"}).error.find("--frob"), std::string::npos);
    EXPECT_NE(parse_standby_args({"bogus"}).error.find("bogus"), std::string::npos);
}

TEST(StandbyArgs, HelpAndVersionWinOverEverythingElse) {
    EXPECT_EQ(parse_standby_args({"all", "--help"}).action, ToolAction::help);
    EXPECT_EQ(parse_standby_args({"-h"}).action, ToolAction::help);
    EXPECT_EQ(parse_standby_args({"--version"}).action, ToolAction::version);
}

TEST(ClStatusArgs, LongOptionsThenSubCommandThenItsOptions) {
    auto a = parse_cl_status_args({"--run-dir", "/tmp/r", "--json", "listnodes", "-p"});
    ASSERT_EQ(a.action, ToolAction::run);
    EXPECT_EQ(a.run_dir, "/tmp/r");
    EXPECT_TRUE(a.json);
    EXPECT_EQ(a.command, "listnodes");
    EXPECT_EQ(a.flags, std::vector<std::string>{"p"});
    auto b = parse_cl_status_args({"hbparameter", "-p", "deadtime"});
    EXPECT_EQ(b.param, "deadtime");
    EXPECT_TRUE(b.flags.empty());
    auto c = parse_cl_status_args({"clientstatus", "web2", "ipfail", "5", "--run-dir=/tmp/s"});
    EXPECT_EQ(c.words, (std::vector<std::string>{"web2", "ipfail", "5"}));
    EXPECT_EQ(c.run_dir, "/tmp/s");
}

// As Heartbeat's cl_status (checked against Debian's 3.0.6, no cluster needed): an unknown
// sub-command — also one in the wrong case, or an option where the sub-command belongs — is
// `ERROR: <word>: invalid sub-command.`, exit 11, with no usage; no argument prints the usage.
TEST(ClStatusArgs, UnknownSubCommandIsInvalidAsInHeartbeat) {
    for (const std::string word : {"frob", "Hbstatus", "-m"}) {
        auto a = parse_cl_status_args({word, "web1"});
        EXPECT_EQ(a.action, ToolAction::usage_error) << word;
        EXPECT_TRUE(a.invalid_command) << word;
        EXPECT_EQ(a.error, word + ": invalid sub-command.");
    }
    EXPECT_EQ(parse_cl_status_args({}).action, ToolAction::help);
    auto none = parse_cl_status_args({"--json"});
    EXPECT_EQ(none.action, ToolAction::usage_error);
    EXPECT_FALSE(none.invalid_command);
    EXPECT_EQ(parse_cl_status_args({"--frob", "hbstatus"}).action, ToolAction::usage_error);
    for (const auto& known : kClStatusCommands) EXPECT_EQ(parse_cl_status_args({std::string(known)}).action, ToolAction::run);
}

TEST(ClStatusArgs, HelpAndVersion) {
    EXPECT_EQ(parse_cl_status_args({"--help"}).action, ToolAction::help);
    EXPECT_EQ(parse_cl_status_args({"-h"}).action, ToolAction::help);
    EXPECT_EQ(parse_cl_status_args({"--version"}).action, ToolAction::version);
}
