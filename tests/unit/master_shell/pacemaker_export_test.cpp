// export_pacemaker: golden fragments of corosync.conf and the CIB for hand-written configurations,
// and the notes (file:line) for what does not carry over. crm_verify and corosync -t check whole
// outputs in tests/integration/export_pacemaker_test.sh.
#include "master/pacemaker_export.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "../config_test_util.hpp"
#include "master/xml_writer.hpp"

using namespace ha;
using conf::Severity;
using conf::test::has;

namespace {

constexpr std::string_view kHaCf =
    "keepalive 2\n"                   // 1
    "deadtime 30\n"                   // 2
    "warntime 10\n"                   // 3
    "initdead 120\n"                  // 4
    "ucast eth1 198.51.100.11\n"      // 5
    "ucast eth1 198.51.100.12\n"      // 6
    "auto_failback on\n"              // 7
    "node web1\n"                     // 8
    "node web2\n"                     // 9
    "ping 192.0.2.1\n"                // 10
    "respawn root /usr/lib/heartbeat/ipfail\n";  // 11

constexpr std::string_view kAuthkeys = "# keys\nauth 1\n1 sha1 cluster-secret\n";

struct Exported {
    conf::LoadResult loaded;
    master::PacemakerExport out;
};

class PacemakerExport : public ::testing::Test {
protected:
    PacemakerExport() {
        dir_.write("etc/ha.cf", kHaCf);
        dir_.write("etc/haresources", "web1 192.0.2.100/24/eth0 nginx\n");
        dir_.write("etc/authkeys", kAuthkeys, 0600);
        dir_.write("etc/resource.d/nginx", "#!/bin/sh\n", 0755);
        dir_.write("init.d/postfix", "#!/bin/sh\n", 0755);
        dir_.write("ocf/resource.d/heartbeat/apache", "#!/bin/sh\n", 0755);
        for (const char* w : {"Filesystem", "drbddisk", "mysite"}) dir_.write(std::string("etc/resource.d/") + w, "#!/bin/sh\n", 0755);
    }

    // Loads etc/ as `node` on a machine whose IPv4 addresses are `local`, then exports.
    Exported run(std::string node = "web1", std::vector<std::string> local = {"198.51.100.11"},
                 master::ExportEnvironment env = {}) {
        conf::LoadOptions load;
        load.init_dir = dir_.file("init.d");
        load.ocf_root = dir_.file("ocf");
        load.local_addresses = std::move(local);
        Exported e{conf::load_config(dir_.file("etc"), node, load), {}};
        EXPECT_TRUE(e.loaded.ok()) << conf::test::dump(e.loaded.diagnostics);
        if (!e.loaded.ok()) return e;
        auto text = conf::read_config_file(dir_.file("etc/authkeys"));
        if (text) env.authkeys_text = *text;
        e.out = master::export_pacemaker(*e.loaded.config, env);
        return e;
    }
    std::string file(std::string_view name) const { return dir_.file("etc/" + std::string(name)); }
    void write(std::string_view name, std::string_view text) const { dir_.write("etc/" + std::string(name), text, name == "authkeys" ? 0600 : 0644); }

    conf::test::TempDir dir_;
};

bool contains(const std::string& text, std::string_view fragment) { return text.find(fragment) != std::string::npos; }

}  // namespace

TEST_F(PacemakerExport, CorosyncConfHasKnetLinkTimingsNodesAndTwoNodeQuorum) {
    const auto e = run();
    const auto& cs = e.out.corosync_conf;
    EXPECT_TRUE(contains(cs, "    transport: knet\n")) << cs;
    EXPECT_TRUE(contains(cs, "    token: 30000\n")) << cs;
    EXPECT_TRUE(contains(cs, "    interface {\n        linknumber: 0\n        knet_ping_interval: 2000\n        knet_ping_timeout: 30000\n    }\n")) << cs;
    EXPECT_TRUE(contains(cs, "        name: web1\n        nodeid: 1\n        ring0_addr: 198.51.100.11\n")) << cs;
    EXPECT_TRUE(contains(cs, "        name: web2\n        nodeid: 2\n        ring0_addr: 198.51.100.12\n")) << cs;
    EXPECT_TRUE(contains(cs, "    provider: corosync_votequorum\n")) << cs;
    EXPECT_TRUE(contains(cs, "    two_node: 1\n    wait_for_all: 1\n")) << cs;
    EXPECT_TRUE(contains(cs, "    crypto_cipher: aes256\n    crypto_hash: sha256\n")) << cs;
    // The same file exported on web2 gives the same addresses to the same nodes.
    const auto on_web2 = run("web2", {"198.51.100.12"});
    EXPECT_EQ(on_web2.out.corosync_conf, cs);
}

TEST_F(PacemakerExport, CibHasOneGroupInOrderWithPreferencePingRuleAndProperties) {
    const auto e = run();
    const auto& cib = e.out.cib_xml;
    EXPECT_TRUE(contains(cib, "<group id=\"group_ip_192.0.2.100\">\n"
                              "        <primitive id=\"ip_192.0.2.100\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">\n"
                              "          <instance_attributes id=\"ip_192.0.2.100-instance_attributes\">\n"
                              "            <nvpair id=\"ip_192.0.2.100-instance_attributes-ip\" name=\"ip\" value=\"192.0.2.100\"/>\n"
                              "            <nvpair id=\"ip_192.0.2.100-instance_attributes-cidr_netmask\" name=\"cidr_netmask\" value=\"24\"/>\n"
                              "            <nvpair id=\"ip_192.0.2.100-instance_attributes-nic\" name=\"nic\" value=\"eth0\"/>\n"
                              "          </instance_attributes>\n"
                              "        </primitive>\n"
                              "        <primitive id=\"nginx\" class=\"lsb\" type=\"nginx\"/>\n"
                              "      </group>"))
        << cib;
    EXPECT_TRUE(contains(cib, "<rsc_location id=\"prefer-group_ip_192.0.2.100\" rsc=\"group_ip_192.0.2.100\" node=\"web1\" score=\"100\"/>")) << cib;
    EXPECT_TRUE(contains(cib, "<primitive id=\"ping\" class=\"ocf\" provider=\"pacemaker\" type=\"ping\">")) << cib;
    EXPECT_TRUE(contains(cib, "name=\"host_list\" value=\"192.0.2.1\"")) << cib;
    EXPECT_TRUE(contains(cib, "<rule id=\"connected-group_ip_192.0.2.100-rule\" score-attribute=\"pingd\">")) << cib;
    EXPECT_TRUE(contains(cib, "name=\"stonith-enabled\" value=\"false\"")) << cib;
    EXPECT_TRUE(contains(cib, "name=\"no-quorum-policy\" value=\"stop\"")) << cib;
    EXPECT_TRUE(contains(cib, "name=\"dc-deadtime\" value=\"120s\"")) << cib;
    EXPECT_TRUE(contains(cib, "name=\"resource-stickiness\" value=\"0\"")) << cib;  // auto_failback on
    EXPECT_TRUE(contains(cib, "<node id=\"2\" uname=\"web2\"/>")) << cib;
    EXPECT_TRUE(has(e.out.notes, Severity::warning, 0, "stonith-enabled=false")) << conf::test::dump(e.out.notes);
    EXPECT_TRUE(has(e.out.notes, Severity::info, 11, "ipfail becomes the ping clone")) << conf::test::dump(e.out.notes);
}

TEST_F(PacemakerExport, AutoFailbackOffOutweighsThePreferenceAndLegacyIsWarnedWithItsLine) {
    std::string cf(kHaCf);
    cf.replace(cf.find("auto_failback on"), 16, "auto_failback off");
    write("ha.cf", cf);
    EXPECT_TRUE(contains(run().out.cib_xml, "name=\"resource-stickiness\" value=\"200\""));
    cf.replace(cf.find("auto_failback off"), 17, "auto_failback legacy");
    write("ha.cf", cf);
    const auto e = run();
    EXPECT_TRUE(contains(e.out.cib_xml, "name=\"resource-stickiness\" value=\"0\""));
    EXPECT_TRUE(has(e.out.notes, Severity::warning, 7, "auto_failback legacy")) << conf::test::dump(e.out.notes);
}

TEST_F(PacemakerExport, SerialRespawnWatchdogAndPingGroupAreWarnedWithTheirLines) {
    write("ha.cf", std::string(kHaCf) +
                       "serial /dev/ttyS0\n"                          // 12
                       "respawn root /usr/local/bin/site-check\n"     // 13
                       "watchdog /dev/watchdog\n"                     // 14
                       "ping_group routers 192.0.2.1 203.0.113.1\n");  // 15
    const auto e = run();
    const auto& n = e.out.notes;
    EXPECT_TRUE(has(n, Severity::warning, 12, "serial /dev/ttyS0: not carried over")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 13, "respawn root /usr/local/bin/site-check: not carried over")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 14, "watchdog /dev/watchdog")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 15, "ping_group routers")) << conf::test::dump(n);
    EXPECT_FALSE(contains(e.out.corosync_conf, "linknumber: 1")) << e.out.corosync_conf;  // the cable is no link
    EXPECT_TRUE(contains(e.out.cib_xml, "name=\"host_list\" value=\"192.0.2.1 203.0.113.1\"")) << e.out.cib_xml;
}

TEST_F(PacemakerExport, ResourcesMapToOcfLsbAndWrapperParametersInOrder) {
    write("haresources",
          "# groups\n"
          "web2 IPaddr2::192.0.2.101/24/eth0/192.0.2.255 Filesystem::/dev/sdb1::/srv::ext4 "
          "ocf:heartbeat:apache::configfile=/etc/apache2/apache2.conf::bogus postfix drbddisk::r0 mysite::a nginx nginx\n");
    master::ExportEnvironment env;
    env.has_init_script = [](std::string_view name) { return name == "postfix"; };
    const auto e = run("web1", {"198.51.100.11"}, env);
    const auto& cib = e.out.cib_xml;
    const auto at = [&](std::string_view s) { return cib.find(s); };
    // In haresources order; drbddisk is left out.
    const std::vector<std::string_view> order = {
        "<primitive id=\"ip_192.0.2.101\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">",
        "name=\"broadcast\" value=\"192.0.2.255\"",
        "<primitive id=\"Filesystem\" class=\"ocf\" provider=\"heartbeat\" type=\"Filesystem\">",
        "name=\"device\" value=\"/dev/sdb1\"",
        "name=\"directory\" value=\"/srv\"",
        "name=\"fstype\" value=\"ext4\"",
        "<primitive id=\"apache\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">",
        "name=\"configfile\" value=\"/etc/apache2/apache2.conf\"",
        "<primitive id=\"postfix\" class=\"lsb\" type=\"postfix\"/>",
        "<primitive id=\"mysite\" class=\"lsb\" type=\"mysite\"/>",
        "<primitive id=\"nginx\" class=\"lsb\" type=\"nginx\"/>",
        "<primitive id=\"nginx-2\" class=\"lsb\" type=\"nginx\"/>",
    };
    for (std::size_t i = 0; i < order.size(); ++i) {
        ASSERT_NE(at(order[i]), std::string::npos) << order[i] << "\n" << cib;
        if (i > 0) EXPECT_LT(at(order[i - 1]), at(order[i])) << order[i];
    }
    EXPECT_FALSE(contains(cib, "type=\"drbddisk\"")) << cib;
    EXPECT_TRUE(contains(cib, "node=\"web2\" score=\"100\"")) << cib;
    const auto& n = e.out.notes;
    EXPECT_TRUE(has(n, Severity::warning, 2, "drbddisk::r0: not carried over")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 2, "argument \"bogus\" is not NAME=VALUE")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 2, "resource.d/mysite: its arguments (a) cannot be passed")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::warning, 2, "install it as /etc/init.d/mysite")) << conf::test::dump(n);
    EXPECT_TRUE(has(n, Severity::info, 2, "resource.d/Filesystem becomes ocf:heartbeat:Filesystem")) << conf::test::dump(n);
}

TEST_F(PacemakerExport, WrappersThatReadTheirArgumentsTheirOwnWay) {
    for (const char* w : {"SendArp", "AudibleAlarm", "WAS"}) write(std::string("resource.d/") + w, "#!/bin/sh\n");
    for (const char* w : {"SendArp", "AudibleAlarm", "WAS"}) ::chmod(file(std::string("resource.d/") + w).c_str(), 0755);
    write("haresources", "web1 SendArp::192.0.2.5/eth0 AudibleAlarm::web1::web2 WAS::9080 WAS::/etc/was.conf\n");
    const auto e = run();
    const auto& cib = e.out.cib_xml;
    for (const char* fragment : {"id=\"SendArp-instance_attributes-ip\" name=\"ip\" value=\"192.0.2.5\"",
                                 "id=\"SendArp-instance_attributes-nic\" name=\"nic\" value=\"eth0\"",
                                 "name=\"nodelist\" value=\"web1 web2\"", "id=\"WAS-instance_attributes-port\" name=\"port\" value=\"9080\"",
                                 "id=\"WAS-2-instance_attributes-config\" name=\"config\" value=\"/etc/was.conf\""})
        EXPECT_TRUE(contains(cib, fragment)) << fragment << "\n" << cib;
}

TEST_F(PacemakerExport, CrcTurnsCryptoOffWithAWarningAndKeyedMethodsDeriveAStableKey) {
    const auto sha1 = run();
    ASSERT_EQ(sha1.out.authkey.size(), 256u);
    EXPECT_EQ(run().out.authkey, sha1.out.authkey);  // both nodes derive the same key
    EXPECT_EQ(sha1.out.authkey.find("cluster-secret"), std::string::npos);
    write("authkeys", "auth 1\n1 sha1 another-secret\n");
    EXPECT_NE(run().out.authkey, sha1.out.authkey);

    write("authkeys", "# old\n\nauth 2\n2 crc\n");
    const auto crc = run();
    EXPECT_TRUE(crc.out.authkey.empty());
    EXPECT_TRUE(contains(crc.out.corosync_conf, "    crypto_cipher: none\n    crypto_hash: none\n")) << crc.out.corosync_conf;
    EXPECT_TRUE(has(crc.out.notes, Severity::warning, 4, "crc authenticates nothing")) << conf::test::dump(crc.out.notes);
}

TEST_F(PacemakerExport, BroadcastAndMulticastLinksTakeThisMachinesAddressAndWarnForThePeer) {
    write("ha.cf",
          "keepalive 1\ndeadtime 10\ninitdead 30\n"
          "bcast eth0\n"                         // 4
          "mcast eth2 239.0.0.1 694 1 0\n"       // 5
          "node web1 web2\nauto_failback off\n");
    master::ExportEnvironment env;
    env.interface_addresses = {{"eth0", "192.0.2.11"}, {"eth2", "203.0.113.11"}};
    const auto e = run("web1", {"192.0.2.11", "203.0.113.11"}, env);
    const auto& cs = e.out.corosync_conf;
    EXPECT_TRUE(contains(cs, "        name: web1\n        nodeid: 1\n        ring0_addr: 192.0.2.11\n        ring1_addr: 203.0.113.11\n")) << cs;
    EXPECT_TRUE(contains(cs, "        name: web2\n        nodeid: 2\n        ring0_addr: web2\n        ring1_addr: web2\n")) << cs;
    EXPECT_TRUE(has(e.out.notes, Severity::warning, 4, "bcast eth0: knet links are unicast")) << conf::test::dump(e.out.notes);
    EXPECT_TRUE(has(e.out.notes, Severity::warning, 5, "mcast eth2 239.0.0.1: knet links are unicast")) << conf::test::dump(e.out.notes);
    EXPECT_FALSE(contains(e.out.cib_xml, "ping")) << e.out.cib_xml;
}

TEST_F(PacemakerExport, UcastOnAnAdminMachineAssumesNodeOrderAndSaysSo) {
    const auto e = run("web1", {});
    EXPECT_TRUE(contains(e.out.corosync_conf, "name: web1\n        nodeid: 1\n        ring0_addr: 198.51.100.11\n")) << e.out.corosync_conf;
    EXPECT_TRUE(has(e.out.notes, Severity::warning, 5, "assumed node order: web1=198.51.100.11, web2=198.51.100.12"))
        << conf::test::dump(e.out.notes);
    // A node's own ha.cf naming only its peer: the peer gets it, this node its interface address.
    write("ha.cf", "ucast eth1 198.51.100.12\nnode web1 web2\n");
    master::ExportEnvironment env;
    env.interface_addresses = {{"eth1", "198.51.100.11"}};
    const auto own = run("web1", {"198.51.100.11"}, env);
    EXPECT_TRUE(contains(own.out.corosync_conf, "name: web1\n        nodeid: 1\n        ring0_addr: 198.51.100.11\n")) << own.out.corosync_conf;
    EXPECT_TRUE(contains(own.out.corosync_conf, "name: web2\n        nodeid: 2\n        ring0_addr: 198.51.100.12\n")) << own.out.corosync_conf;
}

TEST(XmlWriter, EscapesMarkupControlBytesAndBrokenUtf8) {
    master::XmlWriter x;
    x.open("a", {{"v", "x&<>\"'\t\x01\xff" "caf\xc3\xa9"}});
    x.comment("no -- inside -");
    x.close();
    EXPECT_EQ(x.text(),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<a v=\"x&amp;&lt;&gt;&quot;&apos;&#9;\xEF\xBF\xBD\xEF\xBF\xBD" "caf\xc3\xa9\">\n"
              "  <!-- no - - inside - -->\n"
              "</a>\n");
}
