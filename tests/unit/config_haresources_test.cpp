// haresources parsing and agent resolution (compat spec §2).
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "ipc/config/haresources.hpp"

using namespace ha::conf;
using ha::conf::test::dump;
using ha::conf::test::has;
using ha::conf::test::TempDir;

namespace {
Haresources parse(std::string_view text, Diagnostics& d) { return parse_haresources("haresources", text, d); }
}  // namespace

TEST(Haresources, GroupWithScriptArguments) {
    Diagnostics d;
    auto h = parse("web1 IPaddr2::192.0.2.100/24/eth0 Filesystem::/dev/sdb1::/srv::ext4 nginx\n", d);
    ASSERT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(h.groups.size(), 1u);
    const auto& g = h.groups[0];
    EXPECT_EQ(g.node, "web1");
    EXPECT_EQ(g.line, 1);
    EXPECT_EQ(g.key(), "IPaddr2::192.0.2.100/24/eth0");
    ASSERT_EQ(g.resources.size(), 3u);
    EXPECT_EQ(g.resources[0].kind, AgentKind::builtin);
    EXPECT_EQ(g.resources[1].agent, "Filesystem");
    EXPECT_EQ(g.resources[1].args, (std::vector<std::string>{"/dev/sdb1", "/srv", "ext4"}));
    EXPECT_EQ(g.resources[2].agent, "nginx");
    EXPECT_TRUE(g.resources[2].args.empty());
}

TEST(Haresources, IpShorthandBecomesIPaddr) {
    Diagnostics d;
    auto h = parse("web1 192.0.2.100\nweb1 192.0.2.101/24\nweb1 192.0.2.102/24/eth0\nweb1 192.0.2.103/24/eth0/192.0.2.255\n"
                   "web1 192.0.2.104/255.255.255.0/eth0\n",
                   d);
    ASSERT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(h.groups.size(), 5u);
    EXPECT_EQ(h.groups[0].key(), "IPaddr::192.0.2.100");
    const Resource& r = h.groups[3].resources[0];
    EXPECT_EQ(r.agent, "IPaddr");
    EXPECT_EQ(r.args, (std::vector<std::string>{"192.0.2.103/24/eth0/192.0.2.255"}));
    ASSERT_TRUE(r.ip);
    EXPECT_EQ(r.ip->address, "192.0.2.103");
    EXPECT_EQ(r.ip->prefix, 24);
    EXPECT_EQ(r.ip->iface, "eth0");
    EXPECT_EQ(r.ip->broadcast, "192.0.2.255");
    EXPECT_FALSE(h.groups[0].resources[0].ip->prefix);
    EXPECT_EQ(h.groups[4].resources[0].ip->prefix, 24);
}

TEST(Haresources, BadAddressesAreErrors) {
    Diagnostics d;
    parse("web1 192.0.2.300/24\nweb1 IPaddr::192.0.2.1/33\nweb1 IPaddr\nweb1 192.0.2.1/255.0.255.0\nweb1 IPaddr2::eth0\n", d);
    for (int line = 1; line <= 5; ++line) EXPECT_TRUE(has(d, Severity::error, line, "needs ADDRESS")) << line << dump(d);
}

TEST(Haresources, FirstWordLowerCasedCommentsContinuationAndBlanks) {
    Diagnostics d;
    auto h = parse("# the web group\r\n\n  WEB1\t192.0.2.100/24/eth0 \\\n    nginx   # the server\r\n\nweb2 \\\n\n", d);
    ASSERT_EQ(h.groups.size(), 1u) << dump(d);
    EXPECT_EQ(h.groups[0].node, "web1");
    EXPECT_EQ(h.groups[0].line, 3);
    EXPECT_EQ(h.groups[0].text, "web1 192.0.2.100/24/eth0 nginx");
    EXPECT_EQ(h.groups[0].resources.size(), 2u);
    EXPECT_TRUE(has(d, Severity::error, 6, "node web2 has no resources")) << dump(d);
}

TEST(Haresources, DuplicateGroupKeyIsError) {
    Diagnostics d;
    parse("web1 192.0.2.100 nginx\nweb2 IPaddr::192.0.2.100 postgresql\n", d);
    EXPECT_TRUE(has(d, Severity::error, 2, "resource group [IPaddr::192.0.2.100] is defined twice (first at line 1)")) << dump(d);
}

TEST(Haresources, UnsafeOrMalformedNamesAreErrors) {
    Diagnostics d;
    parse("web1 ../../bin/sh\nweb1 .hidden\nweb1 nginx::\nweb1 ocf:heartbeat\nweb1 ocf:x:y:z\nweb/1 nginx\n", d);
    EXPECT_TRUE(has(d, Severity::error, 1, "invalid resource script name")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 2, "invalid resource script name")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 3, "empty argument")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 4, "ocf:PROVIDER:TYPE")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "ocf:PROVIDER:TYPE")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "invalid node name")) << dump(d);
}

TEST(Haresources, ResolvesResourceDirThenInitDirBuiltinsNeedNoFile) {
    TempDir t;
    t.write("resource.d/nginx", "#!/bin/sh\n", 0755);
    t.write("init.d/nginx", "#!/bin/sh\n", 0755);
    t.write("init.d/postfix", "#!/bin/sh\n", 0755);
    t.write("ocf/resource.d/heartbeat/apache", "#!/bin/sh\n", 0755);
    Diagnostics d;
    auto h = parse("web1 192.0.2.100 IPaddr2::192.0.2.101 nginx postfix::x ocf:heartbeat:apache\n", d);
    resolve_resources(h, "haresources", {.resource_dir = t.file("resource.d"), .init_dir = t.file("init.d"), .ocf_root = t.file("ocf")}, d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    const auto& r = h.groups.at(0).resources;
    EXPECT_EQ(r[0].kind, AgentKind::builtin);
    EXPECT_TRUE(r[0].path.empty());
    EXPECT_EQ(r[1].kind, AgentKind::builtin);
    EXPECT_EQ(r[2].kind, AgentKind::heartbeat);
    EXPECT_EQ(r[2].path, t.file("resource.d/nginx"));
    EXPECT_EQ(r[3].kind, AgentKind::lsb);
    EXPECT_EQ(r[3].path, t.file("init.d/postfix"));
    EXPECT_TRUE(has(d, Severity::warning, 1, "init script")) << dump(d);
    EXPECT_EQ(r[4].kind, AgentKind::ocf);
    EXPECT_EQ(r[4].path, t.file("ocf/resource.d/heartbeat/apache"));
}

TEST(Haresources, MissingOrNonExecutableScriptIsErrorWithFileAndLine) {
    TempDir t;
    t.write("resource.d/noexec", "#!/bin/sh\n", 0644);
    Diagnostics d;
    auto h = parse("\nweb1 192.0.2.100 missing\nweb2 noexec\nweb2 ocf:heartbeat:nothere\n", d);
    resolve_resources(h, "/etc/ha.d/haresources", {.resource_dir = t.file("resource.d"), .init_dir = t.file("init.d"), .ocf_root = t.file("ocf")}, d);
    ASSERT_EQ(d.error_count(), 3u) << dump(d);
    EXPECT_EQ(render(d.items()[0]).rfind("/etc/ha.d/haresources:2: error: Cannot locate resource script missing", 0), 0u) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 3, "Cannot locate resource script noexec")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 3, "not an executable file")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 4, "Cannot locate resource script ocf:heartbeat:nothere")) << dump(d);
}

TEST(Haresources, EmptyFileHasNoGroups) {
    Diagnostics d;
    EXPECT_TRUE(parse("", d).groups.empty());
    EXPECT_TRUE(parse("# nothing\n\n", d).groups.empty());
    EXPECT_EQ(d.items().size(), 0u);
}

TEST(Haresources, Ipv6VipsWithIPv6addrAndIPaddr2) {
    Diagnostics d;
    auto h = parse("web1 IPv6addr::2001:db8::100/64/eth0 nginx\n"
                   "web1 IPaddr2::2001:db8::101/64/eth0\n"
                   "web1 IPv6addr::2001:db8:0:0:0:0:0:102\n"
                   "web1 IPv6addr::2001:DB8::103/128 IPaddr2::192.0.2.100/24/eth0\n"
                   "web1 IPv6addr::fe80::100/64/eth1\n",
                   d);
    ASSERT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(h.groups.size(), 5u);
    const Resource& r = h.groups[0].resources[0];
    EXPECT_EQ(h.groups[0].key(), "IPv6addr::2001:db8::100/64/eth0");  // the key stays as written
    EXPECT_EQ(r.agent, "IPv6addr");
    EXPECT_EQ(r.kind, AgentKind::builtin);
    EXPECT_EQ(r.args, (std::vector<std::string>{"2001:db8::100/64/eth0"}));  // one argument, "::" and all
    ASSERT_TRUE(r.ip);
    EXPECT_TRUE(r.ip->ipv6);
    EXPECT_EQ(r.ip->address, "2001:db8::100");
    EXPECT_EQ(r.ip->prefix, 64);
    EXPECT_EQ(r.ip->iface, "eth0");
    EXPECT_EQ(h.groups[1].resources[0].agent, "IPaddr2");
    EXPECT_TRUE(h.groups[1].resources[0].ip->ipv6);
    EXPECT_EQ(h.groups[2].resources[0].ip->address, "2001:db8:0:0:0:0:0:102");
    EXPECT_FALSE(h.groups[2].resources[0].ip->prefix);
    EXPECT_EQ(h.groups[3].resources[0].ip->prefix, 128);
    EXPECT_EQ(h.groups[3].resources[0].ip->address, "2001:DB8::103");
    EXPECT_FALSE(h.groups[3].resources[1].ip->ipv6);  // IPaddr2 with IPv4 as before
    EXPECT_EQ(h.groups[4].resources[0].ip->iface, "eth1");
}

TEST(Haresources, BadIpv6VipsAreErrorsNamingTheLine) {
    Diagnostics d;
    parse("web1 IPv6addr::2001:db8::100/129/eth0\n"    // 1 prefix above 128
          "web1 IPaddr::2001:db8::100/64/eth0\n"       // 2 IPaddr is IPv4 only
          "web1 IPv6addr::192.0.2.100/24/eth0\n"       // 3 IPv6addr given IPv4
          "web1 IPv6addr::2001:db8::zz/64\n"           // 4 bad address
          "web1 IPaddr2::2001:db8::100/64/eth0/ff\n"   // 5 a broadcast
          "web1 IPv6addr::ff02::1/64/eth0\n"           // 6 multicast
          "web1 IPv6addr::::1\n"                       // 7 loopback
          "web1 IPv6addr::fe80::1/64\n"                // 8 link-local without interface
          "web1 IPv6addr::2001:db8::100/64/bad/if\n"   // 9 too many parts
          "web1 IPv6addr\n"                            // 10 no argument
          "web1 IPv6addr::::ffff:192.0.2.1\n",         // 11 IPv4-mapped
          d);
    EXPECT_TRUE(has(d, Severity::error, 1, "bad prefix length \"129\" (0 to 128)")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 2, "IPaddr is IPv4 only: use IPv6addr or IPaddr2 for the IPv6 address \"2001:db8::100\"")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 3, "IPv6addr needs ADDRESS[/PREFIX[/IFACE]] with an IPv6 address (use IPaddr or IPaddr2")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 4, "\"2001:db8::zz\" is not an IPv6 address")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "an IPv6 address has no broadcast")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "multicast")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 7, "loopback")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 8, "link-local address needs its interface")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 9, "expected ADDRESS[/PREFIX[/IFACE]]")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 10, "IPv6addr needs ADDRESS[/PREFIX[/IFACE]]")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 11, "IPv4-mapped")) << dump(d);
    EXPECT_EQ(d.error_count(), 11u) << dump(d);
}
