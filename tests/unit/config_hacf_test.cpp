// ha.cf parsing and validation (compat spec §1).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config_test_util.hpp"
#include "ipc/config/ha_cf.hpp"

using namespace std::chrono_literals;
using namespace ha::conf;
using ha::conf::test::dump;
using ha::conf::test::has;

namespace {

constexpr std::string_view kBase = "node web1 web2\nucast eth1 198.51.100.12\nauto_failback on\n";  // lines 1–3

HaCf parse(std::string_view text, Diagnostics& d) { return parse_ha_cf("ha.cf", text, d); }

HaCf parse_ok(std::string_view text) {
    Diagnostics d;
    HaCf cf = parse(text, d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    return cf;
}

std::string base(std::string_view more) { return std::string(kBase) + std::string(more); }

}  // namespace

TEST(HaCf, DefaultsMatchHeartbeat) {
    Diagnostics d;
    HaCf cf = parse(kBase, d);
    EXPECT_EQ(d.items().size(), 0u) << dump(d);
    EXPECT_EQ(cf.keepalive, 1000ms);
    EXPECT_EQ(cf.deadtime, 30000ms);
    EXPECT_EQ(cf.warntime, 15000ms);
    EXPECT_EQ(cf.initdead, 30000ms);
    EXPECT_EQ(cf.deadping, 30000ms);
    EXPECT_EQ(cf.udpport, 694);
    EXPECT_EQ(cf.baud, 19200);
    EXPECT_EQ(cf.debug, 0);
    EXPECT_EQ(cf.logfacility, "none");
    EXPECT_TRUE(cf.syslogmsgfmt);
    EXPECT_TRUE(cf.realtime);
    EXPECT_FALSE(cf.rtprio);
    EXPECT_EQ(cf.hbgenmethod, HbGenMethod::file);
    EXPECT_EQ(cf.uuidfrom, UuidFrom::file);
    EXPECT_EQ(cf.msgfmt, MsgFmt::classic);
    EXPECT_EQ(cf.max_rexmit_delay, 250ms);
    EXPECT_TRUE(cf.log_badpack);
    EXPECT_EQ(cf.hopfudge, 1);
    EXPECT_TRUE(cf.coredumps);
    EXPECT_EQ(cf.cluster, "linux-ha");
    EXPECT_TRUE(cf.watchdog.empty());
    EXPECT_TRUE(cf.logfile.empty());
}

TEST(HaCf, ParameterShowsValueAsWrittenAndDerivedInMsForm) {
    HaCf cf = parse_ok(base("deadtime 10\nkeepalive 500 ms\n"));
    EXPECT_EQ(cf.parameter("deadtime"), "10");
    EXPECT_EQ(cf.parameter("keepalive"), "500 ms");
    EXPECT_EQ(cf.parameter("warntime"), "5000ms");
    EXPECT_EQ(cf.parameter("initdead"), "20000ms");
    EXPECT_EQ(cf.parameter("deadping"), "10000ms");
    EXPECT_EQ(cf.parameter("udpport"), "694");
    EXPECT_EQ(cf.parameter("auto_failback"), "on");
    EXPECT_EQ(cf.parameter("node"), "web1 web2");
    EXPECT_FALSE(cf.parameter("nosuch"));
    EXPECT_FALSE(cf.parameter("ucast"));
    HaCf defaults = parse_ok(kBase);
    EXPECT_EQ(defaults.parameter("warntime"), "15000ms");
    EXPECT_EQ(defaults.parameter("keepalive"), "1000ms");
}

TEST(HaCf, ReloadAdoptsTimingsAndChildLinesWithWhatHbparameterShows) {
    HaCf running = parse_ok(base("deadtime 10\nkeepalive 500 ms\nwarntime 4\nudpport 695\n"));
    const HaCf next = parse_ok(base("deadtime 6\nkeepalive 1\nudpport 700\nping 192.0.2.1\ncluster other\n"));
    running.adopt_timings(next);
    EXPECT_EQ(running.deadtime, 6000ms);
    EXPECT_EQ(running.parameter("deadtime"), "6");
    EXPECT_EQ(running.parameter("keepalive"), "1");
    EXPECT_EQ(running.warntime, 3000ms);
    EXPECT_EQ(running.parameter("warntime"), "3000ms");  // derived again: no longer written
    EXPECT_EQ(running.parameter("initdead"), "12000ms");
    EXPECT_EQ(running.udpport, 695);  // not a timing
    running.adopt_children(next);
    EXPECT_EQ(running.udpport, 700);
    EXPECT_EQ(running.parameter("udpport"), "700");
    ASSERT_EQ(running.ping_nodes.size(), 1u);
    EXPECT_EQ(running.cluster, "linux-ha");  // neither: needs a restart
    EXPECT_EQ(running.parameter("cluster"), "linux-ha");
}

TEST(HaCf, InitdeadDerivedFromDeadtimeLikeHeartbeat) {
    EXPECT_EQ(parse_ok(base("keepalive 1\ndeadtime 5\n")).initdead, 12000ms);
    EXPECT_EQ(parse_ok(base("keepalive 1\ndeadtime 8\n")).initdead, 16000ms);
    EXPECT_EQ(parse_ok(base("keepalive 1\ndeadtime 10\n")).initdead, 20000ms);
    EXPECT_EQ(parse_ok(base("keepalive 1\ndeadtime 20\n")).initdead, 20000ms);
}

TEST(HaCf, EveryDirectiveParsed) {
    const std::string text = base(
        "keepalive 500ms\ndeadtime 10\nwarntime 4\ninitdead 40\ndeadping 20\nudpport 5405\nbaud 38400\n"
        "serial /dev/ttyS0 /dev/ttyS1\nbcast eth2 eth3\nmcast eth0 239.0.0.1 694 1 0\n"
        "ping 192.0.2.1 192.0.2.2\nping_group routers 192.0.2.3 gw.example.net\n"
        "respawn hacluster /usr/lib/heartbeat/ipfail -d 2\napiauth ipfail uid=hacluster gid=haclient,root\n"
        "crm off\npacemaker no\nautojoin none\ndebug 3\ndebugfile /var/log/ha-debug\nlogfile /var/log/ha-log\n"
        "logfacility local0\nuse_logd no\nconn_logd_time 30\nsyslogmsgfmt off\nrealtime no\nrtprio 50\n"
        "hbgenmethod time\nuuidfrom nodename\nmsgfmt netstring\nmax_rexmit_delay 400\nlog_badpack false\n"
        "hopfudge 2\ncoredumps false\ncoreroot /var/lib/cores\nmemreserve 100\nwatchdog /dev/watchdog\n"
        "cluster prod\nenv HA_STOPRETRYMAX=5\nenv LANG=C.UTF-8\n");
    Diagnostics d;
    HaCf cf = parse(text, d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_EQ(cf.keepalive, 500ms);
    EXPECT_EQ(cf.deadtime, 10000ms);
    EXPECT_EQ(cf.warntime, 4000ms);
    EXPECT_EQ(cf.initdead, 40000ms);
    EXPECT_EQ(cf.deadping, 20000ms);
    EXPECT_EQ(cf.udpport, 5405);
    EXPECT_EQ(cf.baud, 38400);
    ASSERT_EQ(cf.media.size(), 6u);
    EXPECT_EQ(cf.media[0].kind, MediumKind::ucast);
    EXPECT_EQ(cf.media[0].device, "eth1");
    EXPECT_EQ(cf.media[0].peer, "198.51.100.12");
    EXPECT_EQ(cf.media[0].port, 5405);
    EXPECT_EQ(cf.media[0].line, 2);
    EXPECT_EQ(cf.media[1].kind, MediumKind::serial);
    EXPECT_EQ(cf.media[1].device, "/dev/ttyS0");
    EXPECT_EQ(cf.media[1].baud, 38400);
    EXPECT_EQ(cf.media[2].device, "/dev/ttyS1");
    EXPECT_EQ(cf.media[3].kind, MediumKind::bcast);
    EXPECT_EQ(cf.media[3].device, "eth2");
    EXPECT_EQ(cf.media[3].port, 5405);
    EXPECT_EQ(cf.media[4].device, "eth3");
    EXPECT_EQ(cf.media[5].kind, MediumKind::mcast);
    EXPECT_EQ(cf.media[5].group, "239.0.0.1");
    EXPECT_EQ(cf.media[5].port, 694);
    EXPECT_EQ(cf.media[5].ttl, 1);
    EXPECT_FALSE(cf.media[5].loop);
    ASSERT_EQ(cf.ping_nodes.size(), 3u);
    EXPECT_EQ(cf.ping_nodes[0].name, "192.0.2.1");
    EXPECT_FALSE(cf.ping_nodes[0].group);
    EXPECT_EQ(cf.ping_nodes[2].name, "routers");
    EXPECT_TRUE(cf.ping_nodes[2].group);
    EXPECT_EQ(cf.ping_nodes[2].hosts, (std::vector<std::string>{"192.0.2.3", "gw.example.net"}));
    ASSERT_EQ(cf.respawns.size(), 1u);
    EXPECT_EQ(cf.respawns[0].user, "hacluster");
    EXPECT_EQ(cf.respawns[0].path, "/usr/lib/heartbeat/ipfail");
    EXPECT_EQ(cf.respawns[0].args, (std::vector<std::string>{"-d", "2"}));
    EXPECT_TRUE(cf.respawns[0].is_ipfail());
    ASSERT_EQ(cf.apiauth.size(), 1u);
    EXPECT_EQ(cf.apiauth[0].gids, (std::vector<std::string>{"haclient", "root"}));
    EXPECT_EQ(cf.debug, 3);
    EXPECT_EQ(cf.debugfile, "/var/log/ha-debug");
    EXPECT_EQ(cf.logfile, "/var/log/ha-log");
    EXPECT_EQ(cf.logfacility, "local0");
    EXPECT_EQ(cf.conn_logd_time, std::chrono::seconds(30));
    EXPECT_FALSE(cf.syslogmsgfmt);
    EXPECT_FALSE(cf.realtime);
    EXPECT_EQ(cf.rtprio, 50);
    EXPECT_EQ(cf.hbgenmethod, HbGenMethod::time);
    EXPECT_EQ(cf.uuidfrom, UuidFrom::nodename);
    EXPECT_EQ(cf.msgfmt, MsgFmt::netstring);
    EXPECT_EQ(cf.max_rexmit_delay, 400ms);
    EXPECT_FALSE(cf.log_badpack);
    EXPECT_EQ(cf.hopfudge, 2);
    EXPECT_FALSE(cf.coredumps);
    EXPECT_EQ(cf.coreroot, "/var/lib/cores");
    EXPECT_EQ(cf.memreserve_kb, 100);
    EXPECT_EQ(cf.watchdog, "/dev/watchdog");
    EXPECT_EQ(cf.cluster, "prod");
    ASSERT_EQ(cf.env.size(), 2u);
    EXPECT_EQ(cf.env[0].name, "HA_STOPRETRYMAX");
    EXPECT_EQ(cf.env[0].value, "5");
    // udpport (line 9) comes after ucast (line 2): applied anyway, with a warning.
    EXPECT_TRUE(has(d, Severity::warning, 9, "udpport comes after")) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 10, "baud comes after") == false) << dump(d);
}

TEST(HaCf, LaterValueWinsForSingleValuedDirectives) {
    HaCf cf = parse_ok(base("keepalive 1\nkeepalive 2\n"));
    EXPECT_EQ(cf.keepalive, 2000ms);
    EXPECT_EQ(cf.parameter("keepalive"), "2");
    EXPECT_EQ(cf.line_of("keepalive"), 5);
}

TEST(HaCf, CommentsAnywhereCrlfBlanksAndBlankLines) {
    HaCf cf = parse_ok(
        "  node web1 web2   # the nodes\r\n\r\n\t# only a comment\n   \nucast eth1 198.51.100.12#peer\r\n"
        "keepalive 2#x\r\nauto_failback on \t \r\n");
    EXPECT_EQ(cf.nodes, (std::vector<std::string>{"web1", "web2"}));
    EXPECT_EQ(cf.media.at(0).peer, "198.51.100.12");
    EXPECT_EQ(cf.keepalive, 2000ms);
    EXPECT_EQ(cf.parameter("keepalive"), "2");
    EXPECT_EQ(cf.line_of("ucast"), 5);
}

TEST(HaCf, BackslashContinuationJoinsLinesAndReportsFirstLine) {
    HaCf cf = parse_ok("node web1 \\\n   web2\nucast eth1 \\  # comment\n 198.51.100.12\nauto_failback on\n");
    EXPECT_EQ(cf.nodes, (std::vector<std::string>{"web1", "web2"}));
    EXPECT_EQ(cf.media.at(0).peer, "198.51.100.12");
    EXPECT_EQ(cf.media.at(0).line, 3);
    Diagnostics d;
    parse(base("deadtime \\\n 3O\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "deadtime: bad time value")) << dump(d);
}

TEST(HaCf, DirectiveNamesAreCaseSensitive) {
    Diagnostics d;
    parse(base("Keepalive 2\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "Illegal directive [Keepalive]")) << dump(d);
}

TEST(HaCf, UnknownDirectiveIsIllegal) {
    Diagnostics d;
    parse(base("frobnicate yes\n"), d);
    ASSERT_EQ(d.error_count(), 1u) << dump(d);
    EXPECT_EQ(render(d.items()[0]), "ha.cf:4: error: Illegal directive [frobnicate]");
}

TEST(HaCf, NodeNamesLowerCasedDuplicatesWarnWithName) {
    Diagnostics d;
    HaCf cf = parse("node Web1\nnode WEB2 web1\nucast eth1 198.51.100.12\nauto_failback on\n", d);
    EXPECT_EQ(cf.nodes, (std::vector<std::string>{"web1", "web2"}));
    EXPECT_FALSE(d.has_errors());
    EXPECT_TRUE(has(d, Severity::warning, 2, "node [web1] listed twice (first at line 1)")) << dump(d);
}

TEST(HaCf, InvalidNodeNameIsError) {
    Diagnostics d;
    parse(base("node we/b3\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "invalid node name")) << dump(d);
}

TEST(HaCf, MoreThanTwoNodesIsError) {
    Diagnostics d;
    parse(base("node web3\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "two-node clusters only")) << dump(d);
}

TEST(HaCf, WordListMediaMakeOneMediumPerWord) {
    HaCf cf = parse_ok("node web1 web2\nbcast eth0 eth1\nserial /dev/ttyS0 /tmp/ttyA\nauto_failback on\n");
    ASSERT_EQ(cf.media.size(), 4u);
    EXPECT_EQ(cf.media[1].device, "eth1");
    EXPECT_EQ(cf.media[3].device, "/tmp/ttyA");
    EXPECT_EQ(cf.media[3].kind, MediumKind::serial);
}

TEST(HaCf, UcastNeedsDeviceAndIpv4OrHostname) {
    Diagnostics d;
    parse(base("ucast eth1\nucast eth1 2001:db8::1\nucast eth1 300.1.2.3\nucast eth1 web2.example.net\nucast eth1 a b\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "expected \"ucast DEVICE PEER\"")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "IPv6")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "invalid peer")) << dump(d);
    EXPECT_FALSE(has(d, Severity::error, 7, "")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 8, "expected \"ucast DEVICE PEER\"")) << dump(d);
}

TEST(HaCf, McastChecksEachField) {
    Diagnostics d;
    parse(base("mcast eth0 198.51.100.1 694 1 0\nmcast eth0 239.1.1.1 0 1 0\nmcast eth0 239.1.1.1 694 0 0\n"
               "mcast eth0 239.1.1.1 694 1 2\nmcast eth0 239.1.1.1 694\n"),
          d);
    EXPECT_TRUE(has(d, Severity::error, 4, "multicast group")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "invalid port")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "invalid ttl")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 7, "invalid loop")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 8, "expected \"mcast DEVICE GROUP PORT TTL LOOP\"")) << dump(d);
}

TEST(HaCf, UdpportAppliesToAllMediaWithWarningWhenLate) {
    Diagnostics d;
    HaCf cf = parse(base("udpport 700\n"), d);
    EXPECT_EQ(cf.media.at(0).port, 700);
    EXPECT_TRUE(has(d, Severity::warning, 4, "udpport comes after a bcast/ucast line (line 2)")) << dump(d);
    Diagnostics d2;
    HaCf early = parse("udpport 700\nnode web1 web2\nucast eth1 198.51.100.12\nauto_failback on\n", d2);
    EXPECT_EQ(early.media.at(0).port, 700);
    EXPECT_EQ(d2.items().size(), 0u) << dump(d2);
    Diagnostics d3;
    parse(base("udpport 0\nudpport 65536\nudpport x\n"), d3);
    EXPECT_EQ(d3.error_count(), 3u) << dump(d3);
}

TEST(HaCf, BaudOnlyHeartbeatRates) {
    for (int rate : {9600, 19200, 38400, 57600, 115200, 230400, 460800}) {
        HaCf cf = parse_ok(fmt::format("baud {}\nnode web1 web2\nserial /dev/ttyS0\nauto_failback on\n", rate));
        EXPECT_EQ(cf.media.at(0).baud, rate);
    }
    Diagnostics d;
    parse(base("baud 14400\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "baud: unsupported rate")) << dump(d);
}

TEST(HaCf, NoMediaIsError) {
    Diagnostics d;
    parse("node web1 web2\nauto_failback on\n", d);
    EXPECT_TRUE(has(d, Severity::error, 0, "No heartbeat media defined")) << dump(d);
}

TEST(HaCf, NoNodesIsError) {
    Diagnostics d;
    parse("ucast eth1 198.51.100.12\nauto_failback on\n", d);
    EXPECT_TRUE(has(d, Severity::error, 0, "no nodes defined")) << dump(d);
}

TEST(HaCf, DeadtimeMustExceedTwiceKeepalive) {
    Diagnostics d;
    parse(base("keepalive 2\ndeadtime 4\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 5, "deadtime [4000 ms] is too small compared to keepalive [2000 ms]")) << dump(d);
    Diagnostics ok;
    parse(base("keepalive 2\ndeadtime 4001ms\ninitdead 10\n"), ok);
    EXPECT_FALSE(ok.has_errors()) << dump(ok);
}

TEST(HaCf, KeepaliveAndWarntimeMustBePositive) {
    Diagnostics d;
    parse(base("keepalive 0\nwarntime 0\nwarntime 250us\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "keepalive: must be more than 0 ms")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "warntime: must be more than 0 ms")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "warntime: must be more than 0 ms")) << dump(d);
}

TEST(HaCf, BadTimeValuesNameDirectiveAndLine) {
    Diagnostics d;
    parse(base("deadtime 3O\nwarntime 2s\ninitdead\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "deadtime: bad time value \"3O\"")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "warntime: bad time value \"2s\"")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "initdead: missing value")) << dump(d);
}

TEST(HaCf, InitdeadBelowDeadtimeIsError) {
    Diagnostics d;
    parse(base("deadtime 30\ninitdead 20\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 5, "initdead [20000 ms] must not be less than deadtime [30000 ms]")) << dump(d);
}

TEST(HaCf, InitdeadBelowTenSecondsWarnsWithTwoNotes) {
    Diagnostics d;
    parse(base("keepalive 1\ndeadtime 3\ninitdead 8\n"), d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 6, "Initial dead time [8000 ms] may be too small!")) << dump(d);
    EXPECT_EQ(test::count(d.items(), Severity::info), 2u) << dump(d);
}

TEST(HaCf, InitdeadBelowTwiceDeadtimeWarnsOnlyWhenGiven) {
    Diagnostics d;
    parse(base("deadtime 30\ninitdead 45\n"), d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 5, "initdead [45000 ms] is less than twice deadtime")) << dump(d);
    Diagnostics derived;
    parse(base("deadtime 30\n"), derived);
    EXPECT_EQ(derived.items().size(), 0u) << dump(derived);  // derived initdead = deadtime: no warning
}

TEST(HaCf, DeadpingMustExceedTwiceKeepaliveWhenGiven) {
    Diagnostics d;
    parse(base("keepalive 2\ndeadping 4\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 5, "deadping [4000 ms] is too small")) << dump(d);
}

TEST(HaCf, WarntimeNotBelowDeadtimeWarns) {
    Diagnostics d;
    HaCf cf = parse(base("deadtime 10\nwarntime 10\n"), d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_TRUE(has(d, Severity::warning, 5, "warntime [10000 ms] is not less than deadtime [10000 ms]")) << dump(d);
    EXPECT_EQ(cf.warntime, 10000ms);
}

TEST(HaCf, AutoFailbackValuesAndLegacyWarnsThreeTimes) {
    EXPECT_EQ(parse_ok("node web1\nbcast eth0\nauto_failback off\n").auto_failback, AutoFailback::off);
    EXPECT_EQ(parse_ok("node web1\nbcast eth0\nauto_failback yes\n").auto_failback, AutoFailback::on);
    Diagnostics d;
    HaCf cf = parse("node web1\nbcast eth0\n", d);
    EXPECT_EQ(cf.auto_failback, AutoFailback::legacy);
    EXPECT_FALSE(d.has_errors());
    EXPECT_EQ(test::count(d.items(), Severity::warning), 3u) << dump(d);
    Diagnostics given;
    parse("node web1\nbcast eth0\nauto_failback legacy\n", given);
    EXPECT_TRUE(has(given, Severity::warning, 3, "deprecated")) << dump(given);
    Diagnostics bad;
    parse("node web1\nbcast eth0\nauto_failback maybe\n", bad);
    EXPECT_TRUE(has(bad, Severity::error, 3, "auto_failback: expected on, off or legacy")) << dump(bad);
}

TEST(HaCf, NiceFailbackIsObsoleteSpelling) {
    Diagnostics d;
    HaCf cf = parse("node web1\nbcast eth0\nnice_failback on\n", d);
    EXPECT_EQ(cf.auto_failback, AutoFailback::off);
    EXPECT_TRUE(has(d, Severity::warning, 3, "nice_failback is obsolete")) << dump(d);
    Diagnostics both;
    parse("node web1\nbcast eth0\nnice_failback on\nauto_failback on\n", both);
    EXPECT_TRUE(has(both, Severity::error, 3, "both set")) << dump(both);
}

TEST(HaCf, CrmAndPacemakerOnlyOff) {
    for (auto v : {"off", "no", "false", "0"}) {
        Diagnostics d;
        parse(base(fmt::format("crm {}\npacemaker {}\n", v, v)), d);
        EXPECT_FALSE(d.has_errors()) << v << dump(d);
    }
    Diagnostics d;
    parse(base("crm on\ncrm respawn\npacemaker yes\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "crm [on]: Pacemaker/CRM mode is not supported")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "crm [respawn]")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "pacemaker [yes]")) << dump(d);
}

TEST(HaCf, AutojoinOtherThanNoneConflictsWithR1) {
    Diagnostics d;
    parse(base("autojoin none\nautojoin any\nautojoin other\nautojoin some\n"), d);
    EXPECT_FALSE(has(d, Severity::error, 4, ""));
    EXPECT_TRUE(has(d, Severity::error, 5, "autojoin [any] conflicts with R1")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "autojoin [other] conflicts with R1")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 7, "autojoin: expected none")) << dump(d);
}

TEST(HaCf, UnimplementedDirectivesAreRefused) {
    Diagnostics d;
    parse(base("stonith baytech /etc/ha.d/conf/stonith.baytech\nstonith_host * baytech 198.51.100.3 mylogin\n"
               "failfast hacluster\nuse_logd yes\nuse_logd no\n"),
          d);
    EXPECT_TRUE(has(d, Severity::error, 4, "stonith is not implemented")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 5, "stonith_host is not implemented")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 6, "failfast is not implemented")) << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 7, "use_logd yes is not supported")) << dump(d);
    EXPECT_FALSE(has(d, Severity::error, 8, "")) << dump(d);
}

TEST(HaCf, CompressionDirectivesAcceptedAndIgnored) {
    Diagnostics d;
    HaCf cf = parse(base("compression bz2\ncompression_threshold 10\ntraditional_compression yes\n"), d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_EQ(test::count(d.items(), Severity::info), 3u) << dump(d);
    EXPECT_EQ(cf.compression, "bz2");
    EXPECT_EQ(cf.compression_threshold_kb, 10);
    EXPECT_TRUE(cf.traditional_compression);
}

TEST(HaCf, ValueChecksForScalarDirectives) {
    Diagnostics d;
    parse(base("debug 256\nrtprio 0\nhbgenmethod clock\nuuidfrom mac\nmsgfmt xml\nlogfacility lokal0\n"
               "realtime maybe\nlogfile var/log/x\nhopfudge -1\nenv 1X=2\nrespawn hacluster ipfail\n"
               "respawn hacluster\nping_group only\nping 999.1.1.1\nmax_rexmit_delay 0\nkeepalive 1 2\n"),
          d);
    for (int line = 4; line <= 19; ++line) EXPECT_TRUE(has(d, Severity::error, line, "")) << "line " << line << "\n" << dump(d);
}

TEST(HaCf, PingNodeNamedLikeClusterNodeIsError) {
    Diagnostics d;
    parse(base("ping web2\n"), d);
    EXPECT_TRUE(has(d, Severity::error, 4, "ping node [web2] has the name of a cluster node")) << dump(d);
}

TEST(HaCf, EveryErrorIsReportedNotOnlyTheFirst) {
    Diagnostics d;
    parse("node web1 web2\nkeepalive x\nbogus\nucast\ndeadtime 2m\nbaud 1\n", d);
    EXPECT_GE(d.error_count(), 6u) << dump(d);
    for (int line : {2, 3, 4, 5, 6}) EXPECT_TRUE(has(d, Severity::error, line, "")) << line << dump(d);
    EXPECT_TRUE(has(d, Severity::error, 0, "No heartbeat media defined")) << dump(d);
}

TEST(HaCf, RespawnRecognisesIpfailUnderEveryHistoricalPath) {
    for (auto p : {"/usr/lib/heartbeat/ipfail", "/usr/lib64/heartbeat/ipfail", "/usr/libexec/heartbeat/ipfail"}) {
        HaCf cf = parse_ok(base(fmt::format("respawn hacluster {}\n", p)));
        EXPECT_TRUE(cf.respawns.at(0).is_ipfail()) << p;
    }
    HaCf other = parse_ok(base("respawn root /usr/sbin/myagent\n"));
    EXPECT_FALSE(other.respawns.at(0).is_ipfail());
}

TEST(HaCf, SerialLineTooSlowForTheKeepaliveIsAWarningNamingTheBaudLine) {
    // 216 bytes x 10 bits every 100 ms = 21600 bit/s: 113 % of 19200 baud.
    Diagnostics d;
    parse("keepalive 100ms\ndeadtime 1\nbaud 19200\nnode web1 web2\nserial /dev/ttyS0\nauto_failback on\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    int found = 0;
    for (const auto& item : d.items()) {
        if (item.severity == Severity::warning && item.text.find("113 % of the line") != std::string::npos) {
            ++found;
            EXPECT_EQ(item.line, 3);
            EXPECT_NE(item.text.find("keepalive >= 300 ms"), std::string::npos) << item.text;
        }
    }
    EXPECT_EQ(found, 1) << dump(d);
    // 115200 baud, or 19200 at 500 ms, or no serial link: no warning.
    for (const char* text : {"keepalive 100ms\ndeadtime 1\nbaud 115200\nnode web1 web2\nserial /dev/ttyS0\nauto_failback on\n",
                             "keepalive 500ms\ndeadtime 2\nnode web1 web2\nserial /dev/ttyS0\nauto_failback on\n",
                             "keepalive 100ms\ndeadtime 1\nbaud 19200\nnode web1 web2\nucast eth1 198.51.100.12\nauto_failback on\n"}) {
        Diagnostics ok;
        parse(text, ok);
        for (const auto& item : ok.items()) EXPECT_EQ(item.text.find("of the line"), std::string::npos) << item.text;
    }
}
