// load_config: the three files together, cross-checks, samples, nothing partial.
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_util.hpp"
#include "ipc/config/config.hpp"

using namespace std::chrono_literals;
using namespace ha::conf;
using ha::conf::test::dump;
using ha::conf::test::has;
using ha::conf::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHaCf =
    "node web1 web2\nucast eth1 198.51.100.11\nucast eth1 198.51.100.12\nkeepalive 2\ndeadtime 30\ninitdead 60\n"
    "auto_failback on\n";
constexpr std::string_view kHaresources = "web1 192.0.2.100/24/eth0 nginx\n";
constexpr std::string_view kAuthkeys = "auth 1\n1 sha1 secret\n";

void write_valid(const TempDir& t) {
    t.write("ha.cf", kHaCf);
    t.write("haresources", kHaresources);
    t.write("authkeys", kAuthkeys, 0600);
    t.write("resource.d/nginx", "#!/bin/sh\necho running\n", 0755);
}

LoadOptions options_for(const TempDir& t) {
    LoadOptions o;
    o.init_dir = t.file("init.d");
    return o;
}

// Copies a sample from conf/ (following the serial sample's symlink) and gives authkeys 0600,
// since git does not keep that mode (see conf/README.md).
void copy_sample(std::string_view name, const TempDir& t) {
    const fs::path src = fs::path(HA_SOURCE_DIR) / "conf" / name;
    fs::copy(src, t.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    fs::permissions(t.path() / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace

TEST(ConfigLoad, ValidDirectoryGivesConfig) {
    TempDir t;
    write_valid(t);
    auto r = load_config(t.str(), "web1", options_for(t));
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    const Config& c = *r.config;
    EXPECT_EQ(c.local_node, "web1");
    EXPECT_EQ(c.peers(), (std::vector<std::string>{"web2"}));
    EXPECT_EQ(c.ha_cf.keepalive, 2000ms);
    EXPECT_EQ(c.haresources.groups.size(), 1u);
    EXPECT_EQ(c.groups_of("web1").size(), 1u);
    EXPECT_TRUE(c.groups_of("web2").empty());
    EXPECT_EQ(c.haresources.groups[0].resources[1].path, t.file("resource.d") + "/nginx");
    EXPECT_EQ(c.authkeys.active, 1);
    EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
}

TEST(ConfigLoad, SamplesAreValidOnBothNodes) {
    for (auto sample : {"web", "serial"}) {
        for (auto node : {"web1", "web2"}) {
            TempDir t;
            copy_sample(sample, t);
            auto r = load_config(t.str(), node);
            EXPECT_TRUE(r.ok()) << sample << " " << node << "\n" << dump(r.diagnostics);
            EXPECT_EQ(test::count(r.diagnostics, Severity::warning), 0u) << sample << dump(r.diagnostics);
        }
    }
}

TEST(ConfigLoad, WebSampleMatchesTheSeedSetup) {
    TempDir t;
    copy_sample("web", t);
    auto r = load_config(t.str(), "web2");
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    const HaCf& cf = r.config->ha_cf;
    EXPECT_EQ(cf.keepalive, 2s);
    EXPECT_EQ(cf.deadtime, 30s);
    EXPECT_EQ(cf.warntime, 10s);
    EXPECT_EQ(cf.initdead, 120s);
    EXPECT_EQ(cf.udpport, 694);
    EXPECT_EQ(cf.auto_failback, AutoFailback::on);
    EXPECT_EQ(cf.ping_nodes.at(0).name, "192.0.2.1");
    EXPECT_TRUE(cf.respawns.at(0).is_ipfail());
    EXPECT_EQ(r.config->authkeys.active_key()->method, ha::ipc::AuthMethod::sha1);
}

TEST(ConfigLoad, SampleAsCheckedOutWithReadableAuthkeysIsRefused) {
    TempDir t;
    copy_sample("web", t);
    fs::permissions(t.path() / "authkeys", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    auto r = load_config(t.str(), "web1");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 0, "Bad permissions on keyfile")) << dump(r.diagnostics);
    LoadOptions skip;
    skip.check_authkeys_permissions = false;
    EXPECT_TRUE(load_config(t.str(), "web1", skip).ok());
}

TEST(ConfigLoad, LocalNodeNotInConfigurationIsError) {
    TempDir t;
    write_valid(t);
    auto r = load_config(t.str(), "db1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 1, "Current node [db1] not in configuration!")) << dump(r.diagnostics);
    EXPECT_EQ(test::count(r.diagnostics, Severity::info), 2u) << dump(r.diagnostics);
}

TEST(ConfigLoad, LocalNodeComparedIgnoringCase) {
    TempDir t;
    write_valid(t);
    auto r = load_config(t.str(), "WEB2", options_for(t));
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    EXPECT_EQ(r.config->local_node, "web2");
    EXPECT_EQ(r.config->peers(), (std::vector<std::string>{"web1"}));
}

TEST(ConfigLoad, UcastToOwnAddressOrNameMarkedSelf) {
    TempDir t;
    write_valid(t);
    LoadOptions o = options_for(t);
    o.local_addresses = {"127.0.0.1", "198.51.100.11"};
    auto r = load_config(t.str(), "web1", o);
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    EXPECT_TRUE(r.config->ha_cf.media[0].self);
    EXPECT_FALSE(r.config->ha_cf.media[1].self);

    t.write("ha.cf", "node web1 web2\nucast eth1 WEB1\nucast eth1 web2\nauto_failback on\n");
    auto by_name = load_config(t.str(), "web1", options_for(t));
    ASSERT_TRUE(by_name.ok()) << dump(by_name.diagnostics);
    EXPECT_TRUE(by_name.config->ha_cf.media[0].self);
    EXPECT_FALSE(by_name.config->ha_cf.media[1].self);
}

TEST(ConfigLoad, HaresourcesNodeMustBeClusterNode) {
    TempDir t;
    write_valid(t);
    t.write("haresources", "web1 192.0.2.100\n\nweb3 192.0.2.101\n");
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 3, "node [web3] is not a cluster node")) << dump(r.diagnostics);
}

TEST(ConfigLoad, ErrorsOfAllThreeFilesCollectedAndNothingPartial) {
    TempDir t;
    write_valid(t);
    t.write("ha.cf", std::string(kHaCf) + "deadtime 3O\nbogus 1\n");
    t.write("haresources", "web1 192.0.2.100/24/eth0 nosuchscript\n");
    t.write("authkeys", "auth 2\n1 sha1 x\n", 0644);
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.config.has_value());
    const std::string all = dump(r.diagnostics);
    EXPECT_NE(all.find(t.file("ha.cf") + ":8: error: deadtime: bad time value \"3O\""), std::string::npos) << all;
    EXPECT_NE(all.find(t.file("ha.cf") + ":9: error: Illegal directive [bogus]"), std::string::npos) << all;
    EXPECT_NE(all.find(t.file("haresources") + ":1: error: Cannot locate resource script nosuchscript"), std::string::npos) << all;
    EXPECT_NE(all.find(t.file("authkeys") + ": error: Bad permissions on keyfile"), std::string::npos) << all;
    EXPECT_NE(all.find(t.file("authkeys") + ":1: error: Auth Key [2] not found"), std::string::npos) << all;
    EXPECT_EQ(test::count(r.diagnostics, Severity::error), 5u) << all;
}

TEST(ConfigLoad, MissingFilesAreErrorsNamingThePath) {
    TempDir t;
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(test::count(r.diagnostics, Severity::error), 3u) << dump(r.diagnostics);
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 0, "cannot open: No such file or directory")) << dump(r.diagnostics);
    EXPECT_EQ(r.diagnostics[0].file, t.file("ha.cf"));
}

TEST(ConfigLoad, DirectoryInsteadOfFileIsError) {
    TempDir t;
    write_valid(t);
    fs::remove(t.path() / "haresources");
    fs::create_directory(t.path() / "haresources");
    auto r = load_config(t.str() + "/", "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 0, "not a regular file")) << dump(r.diagnostics);
    EXPECT_EQ(r.diagnostics.at(0).file, t.file("haresources"));
}

TEST(ConfigLoad, WarningsAloneDoNotBlockTheConfig) {
    TempDir t;
    write_valid(t);
    t.write("ha.cf", std::string(kHaCf) + "warntime 40\nnode web1\n");
    auto r = load_config(t.str(), "web1", options_for(t));
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    EXPECT_EQ(test::count(r.diagnostics, Severity::warning), 2u) << dump(r.diagnostics);
}

// sec (issue 20): crc on a UDP link is no authentication; `hamaster -t` says so, naming the line.
TEST(ConfigLoad, SecCrcOnUdpLinksIsALoudWarningNamingEachMedium) {
    TempDir t;
    write_valid(t);
    t.write("authkeys", "auth 1\n1 crc\n", 0600);
    auto r = load_config(t.str(), "web1", options_for(t));
    ASSERT_TRUE(r.ok()) << dump(r.diagnostics);
    EXPECT_TRUE(has(r.diagnostics, Severity::warning, 2, "INSECURE: ucast eth1: authkeys signs with crc (auth 1)")) << dump(r.diagnostics);
    EXPECT_TRUE(has(r.diagnostics, Severity::warning, 3, "INSECURE: ucast eth1")) << dump(r.diagnostics);
    // A serial-only cluster gets no such warning (a cable needs physical access).
    t.write("ha.cf", "node web1 web2\nserial /dev/ttyS0\nkeepalive 2\ndeadtime 30\ninitdead 60\nauto_failback on\n");
    auto serial = load_config(t.str(), "web1", options_for(t));
    ASSERT_TRUE(serial.ok()) << dump(serial.diagnostics);
    EXPECT_EQ(test::count(serial.diagnostics, Severity::warning), 0u) << dump(serial.diagnostics);
}

// sec (issue 20): `respawn USER PROG` with a user that does not exist used to run PROG as root and
// pass `hamaster -t`; it is a config error naming the line, for ipfail and other programs alike.
TEST(ConfigLoad, SecRespawnWithUnknownUserIsError) {
    TempDir t;
    write_valid(t);
    t.write("ha.cf", std::string(kHaCf) + "respawn no-such-user-hamaster /usr/lib/heartbeat/ipfail\n"
                                          "respawn hacluster-nope /usr/sbin/myagent\nrespawn nobody /usr/sbin/other\n");
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 8, "respawn: unknown user \"no-such-user-hamaster\"")) << dump(r.diagnostics);
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 9, "respawn: unknown user \"hacluster-nope\"")) << dump(r.diagnostics);
    EXPECT_EQ(test::count(r.diagnostics, Severity::error), 2u) << dump(r.diagnostics);
}

// sec (issue 20): `hamaster -t` refuses a resource script others could rewrite (it runs as root),
// naming the haresources line, whether the script or its directory is the writable one.
TEST(ConfigLoad, SecWritableResourceScriptIsError) {
    TempDir t;
    write_valid(t);
    ::chmod(t.file("resource.d/nginx").c_str(), 0777);
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 1, "refusing to run it as root")) << dump(r.diagnostics);
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 1, "is writable by group/others (mode 0777)")) << dump(r.diagnostics);

    ::chmod(t.file("resource.d/nginx").c_str(), 0755);
    ::chmod(t.file("resource.d").c_str(), 0775);
    r = load_config(t.str(), "web1", options_for(t));
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(has(r.diagnostics, Severity::error, 1, t.file("resource.d") + " is writable by group/others (mode 0775)"))
        << dump(r.diagnostics);

    ::chmod(t.file("resource.d").c_str(), 0755);
    r = load_config(t.str(), "web1", options_for(t));
    EXPECT_TRUE(r.ok()) << dump(r.diagnostics);
}

// metrics_textfile_dir names a directory of this machine: a missing one or a file is an error
// with the line (hamaster -t refuses it), an existing directory is fine.
TEST(ConfigLoad, MetricsTextfileDirMustBeAnExistingDirectory) {
    TempDir t;
    write_valid(t);
    t.write("not-a-dir", "x");
    const int line = 8;  // kHaCf has 7 lines
    for (const auto& [dir, why] : {std::pair{t.file("missing"), "No such file or directory"}, {t.file("not-a-dir"), "not a directory"}}) {
        t.write("ha.cf", std::string(kHaCf) + "metrics_textfile_dir " + dir + "\n");
        auto r = load_config(t.str(), "web1", options_for(t));
        EXPECT_FALSE(r.ok());
        EXPECT_TRUE(has(r.diagnostics, Severity::error, line, why)) << dump(r.diagnostics);
    }
    t.write("ha.cf", std::string(kHaCf) + "metrics_textfile_dir " + t.str() + "\n");
    auto r = load_config(t.str(), "web1", options_for(t));
    EXPECT_TRUE(r.ok()) << dump(r.diagnostics);
}
