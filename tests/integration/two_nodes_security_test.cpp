// Integration: the local privilege boundaries of issue 20, on real masters (fixture TwoNodes).
//
// - a status table planted by another user (in the run dir, or at the old /dev/shm name with a live
//   pid) no longer stops the master; a start that fails after detaching exits non-zero;
// - the run dir and the log files are refused when they are symlinks (nothing written through them);
// - `watchdog FILE`: fed every keepalive from the master's loop, magic 'V' on a clean stop only
//   (a FIFO stands in for the device: never a real /dev/watchdog, which could reboot this machine;
//   softdog is host-wide, so it is not loaded here either);
// - `coredumps` (default on): the master and its children run with no core size limit;
// - heartbeatd-net holds no capability once its sockets are open.
// Timing: only generous deadlines; feeds are counted, never timed against the wall clock.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/bus/rsc.hpp"
#include "ipc/bus/supervision.hpp"
#include "ipc/log.hpp"
#include "ipc/status_table.hpp"
#include "tests/integration/fixture/two_nodes.hpp"

namespace ha::it {
namespace {

namespace fs = std::filesystem;

// hamaster for `name` without -f: it detaches, and the launcher's exit code is the verdict.
RunResult launch_daemon(Cluster& c, const std::string& name) {
    Cluster::Node& n = c.node(name);
    c.write_config(name);
    return run({HA_BIN_DIR "/hamaster", "--node", n.name, "--config", n.dir + "/etc", "--run-dir", n.dir + "/run",
                "--log-dir", n.dir + "/log", "--state-dir", n.dir + "/state", "--bind", n.addr},
               30s);
}

// The name the status table had in /dev/shm before issue 20 (FNV-1a of the canonical run dir).
std::string old_shm_name(const std::string& run_dir) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char ch : fs::weakly_canonical(run_dir).lexically_normal().string()) {
        h ^= ch;
        h *= 0x100000001b3ULL;
    }
    return fmt::format("/dev/shm/hamaster.{:016x}", h);
}

// A status table claiming a live writer (`pid`), owned by nobody, as any local user could write.
void plant_table(const std::string& path, int pid) {
    auto seg = std::make_unique<ipc::status_layout::Segment>();
    std::memcpy(&seg->header.magic, ipc::status_layout::kMagic, 4);
    seg->header.version = ipc::status_layout::kVersion;
    seg->header.header_bytes = sizeof(ipc::status_layout::Header);
    seg->header.payload_bytes = sizeof(ipc::status_layout::Payload);
    seg->header.writer_pid = pid;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(::write(fd, seg.get(), sizeof *seg), static_cast<ssize_t>(sizeof *seg));
    ASSERT_EQ(::fchown(fd, 65534, 65534), 0);
    ::close(fd);
}

// Adopts the detached master as the node's pid (we are its subreaper), so TearDown stops it.
void adopt(Cluster& c, const std::string& name) {
    const std::string pid_text = read_file(c.run_dir(name) + "/hamaster.pid");
    c.node(name).pid = static_cast<pid_t>(std::atol(pid_text.c_str()));
}

// sec (issue 20, Medium 2): a local user plants a table naming a live pid; the master used to
// refuse to start while its launcher still exited 0. Now the planted files are not its table.
TEST_F(TwoNodes, SecPlantedStatusTableDoesNotStopTheStart) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to plant files owned by nobody";
    const std::string run_dir = c().run_dir("web1");
    fs::create_directories(run_dir);
    ::chmod(run_dir.c_str(), 0700);
    const std::string shm = old_shm_name(run_dir);
    plant_table(shm, static_cast<int>(::getpid()));
    plant_table(ipc::status_table_path(run_dir), static_cast<int>(::getpid()));

    const RunResult r = launch_daemon(c(), "web1");
    ::unlink(shm.c_str());
    ASSERT_EQ(r.rc, 0) << r.out << r.err << c().dump();
    adopt(c(), "web1");
    EXPECT_TRUE(wait_until([&] { return cl_status("web1", {"hbstatus"}).rc == 0; }, 20s)) << c().dump();
    EXPECT_EQ(log_count("web1", "hamaster.log", "Replacing stale status table"), 1) << c().log("web1");
    EXPECT_EQ(log_count("web1", "hamaster.log", "owned by uid 65534"), 1) << c().log("web1");
    struct stat st {};
    ASSERT_EQ(::lstat(ipc::status_table_path(run_dir).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, ::geteuid());
}

// sec (issue 20, Medium 2): a start that fails after detaching (here: the status table cannot be
// created) exits non-zero and says why; it used to exit 0.
TEST_F(TwoNodes, SecFailedStartExitsNonZero) {
    const std::string run_dir = c().run_dir("web1");
    fs::create_directories(ipc::status_table_path(run_dir) + "/in-the-way");
    const RunResult r = launch_daemon(c(), "web1");
    EXPECT_NE(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("not started"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("status table"), std::string::npos) << r.err;
    EXPECT_TRUE(wait_until([&] { return !fs::exists(run_dir + "/hamaster.pid"); }, 10s)) << "the failed daemon lingers";
    fs::remove_all(ipc::status_table_path(run_dir));  // not a table: TearDown would report it
}

// sec (issue 20, Low): a run dir that is a symlink is refused (the pid file, the sockets and the
// status table would land wherever it points).
TEST_F(TwoNodes, SecSymlinkedRunDirIsRefused) {
    const std::string run_dir = c().run_dir("web1");
    const std::string elsewhere = dir() + "/elsewhere";
    fs::create_directories(elsewhere);
    fs::remove_all(run_dir);
    fs::create_directories(fs::path(run_dir).parent_path());
    fs::create_directory_symlink(elsewhere, run_dir);
    c().write_config("web1");
    const RunResult r = c().start_second("web1");
    EXPECT_NE(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("it is a symlink"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(elsewhere));
}

// sec (issue 20, Low): a log file that is a symlink is not written through; the lines go to stderr
// with the reason, and the target stays untouched.
TEST_F(TwoNodes, SecSymlinkedLogIsNotFollowed) {
    const std::string victim = dir() + "/victim";
    { std::ofstream(victim) << "precious\n"; }
    fs::create_directories(fs::path(c().log_path("web1")).parent_path());
    fs::create_symlink(victim, c().log_path("web1"));
    c().start("web1");
    ASSERT_TRUE(wait_until([&] { return cl_status("web1", {"hbstatus"}).rc == 0; }, 20s)) << c().dump();
    EXPECT_EQ(read_file(victim), "precious\n");
    const std::string err = read_file(c().log_path("web1", "stderr"));
    EXPECT_NE(err.find("refusing a symlink or another user's file"), std::string::npos) << err;
    EXPECT_NE(err.find("Starting hamaster"), std::string::npos) << err;  // the log went to stderr instead
}

// Reads what is in the FIFO now (non-blocking); sets `eof` when the writer closed it.
std::string drain(int fd, bool& eof) {
    std::string got;
    char buf[256];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            got.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) eof = true;
        return got;
    }
}

struct Fifo {
    explicit Fifo(std::string p) : path(std::move(p)) {
        if (::mkfifo(path.c_str(), 0600) != 0) std::abort();
        fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);  // first: the master's open then never blocks
    }
    ~Fifo() {
        if (fd >= 0) ::close(fd);
    }
    std::string path;
    int fd = -1;
};

// Issue 20, Medium 4: `watchdog DEVICE` was parsed and ignored. Fed from the loop every keepalive
// (100 ms here: 20 feeds take about 2 s, allowed 30 s), magic 'V' once, at the clean stop, last.
TEST_F(TwoNodes, WatchdogFedEveryKeepaliveAndMagicCloseOnCleanStop) {
    Fifo wd(dir() + "/watchdog");
    ASSERT_GE(wd.fd, 0);
    c().config().extra_lines.push_back("watchdog " + wd.path);
    c().start("web1");
    std::string fed;
    bool eof = false;
    ASSERT_TRUE(wait_until([&] { fed += drain(wd.fd, eof); return fed.size() >= 20; }, 30s))
        << "feeds: " << fed.size() << c().dump();
    EXPECT_EQ(fed.find('V'), std::string::npos) << "no magic close while running";
    EXPECT_EQ(log_count("web1", "hamaster.log", "Watchdog " + wd.path + " opened."), 1) << c().log("web1");
    // Still fed later on (the loop keeps feeding, not a burst at start).
    const std::size_t before = fed.size();
    ASSERT_TRUE(wait_until([&] { fed += drain(wd.fd, eof); return fed.size() >= before + 10; }, 30s));

    EXPECT_EQ(c().stop("web1"), 0);
    ASSERT_TRUE(wait_until([&] { fed += drain(wd.fd, eof); return eof; }, 10s));
    ASSERT_FALSE(fed.empty());
    EXPECT_EQ(fed.back(), 'V') << "the last byte before close is the magic character";
    EXPECT_EQ(std::count(fed.begin(), fed.end(), 'V'), 1);
    EXPECT_EQ(log_count("web1", "hamaster.log", "closed (magic close)"), 1) << c().log("web1");
}

// A killed master closes the device without 'V': the kernel would reboot the node.
TEST_F(TwoNodes, WatchdogNotDisarmedWhenTheMasterIsKilled) {
    Fifo wd(dir() + "/watchdog");
    c().config().extra_lines.push_back("watchdog " + wd.path);
    c().start("web1");
    std::string fed;
    bool eof = false;
    ASSERT_TRUE(wait_until([&] { fed += drain(wd.fd, eof); return fed.size() >= 5; }, 30s)) << c().dump();
    kill_node("web1", SIGKILL);
    c().node("web1").pid = -1;
    c().node("web1").crashed = true;
    ASSERT_TRUE(wait_until([&] { fed += drain(wd.fd, eof); return eof; }, 10s));
    EXPECT_EQ(fed.find('V'), std::string::npos);
}

// A watchdog device that cannot be opened stops the start (never ignored).
TEST_F(TwoNodes, WatchdogThatCannotBeOpenedStopsTheStart) {
    c().config().extra_lines.push_back("watchdog " + dir() + "/no-such-watchdog");
    const RunResult r = launch_daemon(c(), "web1");
    EXPECT_NE(r.rc, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("cannot open watchdog device"), std::string::npos) << r.err;
}

// The kernel's own watchdog (softdog or hardware), only where a reboot is harmless: a watchdog is
// one per host, not per namespace, and a test that fails to disarm it reboots the machine. Opt in
// with HA_TEST_SOFTDOG=1 on a throw-away VM with /dev/watchdog (modprobe softdog there first).
TEST_F(TwoNodes, WatchdogOnTheKernelDeviceOptIn) {
    const char* opt_in = std::getenv("HA_TEST_SOFTDOG");
    if (opt_in == nullptr || std::string(opt_in) != "1")
        GTEST_SKIP() << "set HA_TEST_SOFTDOG=1 on a disposable VM: arming /dev/watchdog here could reboot this machine";
    if (::access("/dev/watchdog", W_OK) != 0) GTEST_SKIP() << "no writable /dev/watchdog (modprobe softdog)";
    c().config().extra_lines.push_back("watchdog /dev/watchdog");
    c().start("web1");
    ASSERT_TRUE(wait_until([&] { return log_count("web1", "hamaster.log", "Watchdog /dev/watchdog opened.") == 1; }, 20s))
        << c().dump();
    std::this_thread::sleep_for(2s);  // a few feeds; the device's own timeout is much longer
    EXPECT_EQ(log_count("web1", "hamaster.log", "cannot feed"), 0) << c().log("web1");
    EXPECT_EQ(c().stop("web1"), 0);
    EXPECT_EQ(log_count("web1", "hamaster.log", "closed (magic close)"), 1) << c().log("web1");
}

// "Max core file size" soft limit of a process, from /proc/PID/limits.
std::string core_limit(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/limits", pid));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Max core file size", 0) != 0) continue;
        std::istringstream words(line.substr(std::strlen("Max core file size")));
        std::string soft;
        words >> soft;
        return soft;
    }
    return "";
}

// Issue 20, Medium 4: `coredumps` (on by default, as in Heartbeat) was parsed and ignored. Started
// with a core limit of 0, the master and its children run with no limit.
TEST_F(TwoNodes, CoredumpsLiftTheCoreLimitForMasterAndChildren) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_CORE, &saved), 0);
    rlimit zero{0, saved.rlim_max};
    ASSERT_EQ(::setrlimit(RLIMIT_CORE, &zero), 0);
    c().start("web1");
    ASSERT_EQ(::setrlimit(RLIMIT_CORE, &saved), 0);
    ASSERT_TRUE(wait_until([&] { return c().child("web1", "heartbeatd-net").has_value(); }, 20s)) << c().dump();
    if (saved.rlim_max != RLIM_INFINITY && ::geteuid() != 0) GTEST_SKIP() << "hard core limit is finite and we are not root";
    EXPECT_EQ(core_limit(c().node("web1").pid), "unlimited");
    EXPECT_EQ(core_limit(*c().child("web1", "heartbeatd-net")), "unlimited");
    EXPECT_EQ(log_count("web1", "hamaster.log", "coredumps on"), 1) << c().log("web1");
}

// The capability sets of a process, from /proc/PID/status ("CapEff" → hex).
std::string caps_of(pid_t pid, const std::string& which) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(which + ":", 0) != 0) continue;
        std::istringstream words(line.substr(which.size() + 1));
        std::string value;
        words >> value;
        return value;
    }
    return "";
}

// sec (issue 20, Low): heartbeatd-net keeps no capability after opening its sockets, and can never
// regain one (bounding set empty, no_new_privs), yet still works: the nodes see each other.
TEST_F(TwoNodes, SecMediaDaemonDropsEveryCapability) {
    if (::geteuid() != 0) GTEST_SKIP() << "not root: there is nothing to drop";
    ASSERT_TRUE(start_both_active());
    const auto net = c().child("web1", "heartbeatd-net");
    ASSERT_TRUE(net.has_value());
    ASSERT_TRUE(wait_until([&] { return caps_of(*net, "CapEff") == "0000000000000000"; }, 10s))
        << "CapEff " << caps_of(*net, "CapEff");
    EXPECT_EQ(caps_of(*net, "CapPrm"), "0000000000000000");
    EXPECT_EQ(caps_of(*net, "CapBnd"), "0000000000000000");
    EXPECT_EQ(caps_of(*net, "NoNewPrivs"), "1");
    EXPECT_EQ(log_count("web1", "heartbeatd-net.log", "Dropped capabilities (kept: none)"), 1);
    EXPECT_TRUE(c().both_active()) << c().dump();
}

// The local boundary around the sockets: the run dir is root's 0700, so a user (nobody, via setpriv)
// reaches neither the control socket nor the status table, while root's cl_status answers.
TEST_F(TwoNodes, SecNonRootReachesNeitherTheControlSocketNorTheStatusTable) {
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs root and setpriv";
    c().start("web1");
    ASSERT_TRUE(wait_until([&] { return cl_status("web1", {"hbstatus"}).rc == 0; }, 20s)) << c().dump();
    // The test's temp dir is 0700 (mkdtemp): open the path down to the run dir, as /run is.
    for (fs::path p = c().run_dir("web1"); p.string().size() > 1 && p != "/tmp"; p = p.parent_path())
        if (p != c().run_dir("web1")) ::chmod(p.c_str(), 0755);
    const RunResult as_nobody = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                     HA_BIN_DIR "/cl_status", "--run-dir", c().run_dir("web1"), "hbstatus"});
    EXPECT_NE(as_nobody.rc, 0) << as_nobody.out << as_nobody.err;
    EXPECT_EQ(as_nobody.out.find("is running"), std::string::npos) << as_nobody.out;
    const RunResult read_table = run({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/cat",
                                      ipc::status_table_path(c().run_dir("web1"))});
    EXPECT_NE(read_table.rc, 0);
    EXPECT_NE(read_table.err.find("Permission denied"), std::string::npos) << read_table.err;
}

// Issue 22: the master's bus table refuses, in one place, a message from a child that may not send
// it and a bus identity that is none of its children; the master runs on and logs each kind once.
// (No ping node in this config, so no ipfaild: the test speaks as one.)
TEST_F(TwoNodes, SecBusMessageFromTheWrongChildIsRefused) {
    c().start("web1");
    ASSERT_TRUE(wait_until([&] { return cl_status("web1", {"hbstatus"}).rc == 0; }, 20s)) << c().dump();
    boost::asio::io_context io;
    zmq::context_t zmq_context;
    ipc::CaptureLog client_log;
    const std::string endpoint = ipc::bus_endpoint(c().run_dir("web1"));
    ipc::BusClient fake_ipfaild(io, zmq_context, endpoint, "ipfaild", client_log);
    ipc::BusClient stranger(io, zmq_context, endpoint, "intruder", client_log);
    const ipc::Message result = ipc::bus::RscResult{ipc::bus::GroupOp::stop, "IPaddr::192.0.2.100", "1", true,
                                                    ipc::bus::RscResult::Running::no, {}, {}}.encode();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(fake_ipfaild.send(result));
        ASSERT_TRUE(stranger.send(ipc::bus::Liveness{"1"}.encode()));
    }
    EXPECT_TRUE(wait_until([&] {
        return log_count("web1", "hamaster.log", "bus: refused rsc_result from ipfaild") > 0 &&
               log_count("web1", "hamaster.log", "bus: refused liveness from intruder") > 0;
    }, 20s)) << c().log("web1");
    // Sent three times each, logged once each.
    EXPECT_EQ(log_count("web1", "hamaster.log", "(not_permitted; further ones counted, not logged)"), 1) << c().log("web1");
    EXPECT_EQ(log_count("web1", "hamaster.log", "(unknown_child; further ones counted, not logged)"), 1) << c().log("web1");
    EXPECT_EQ(cl_status("web1", {"hbstatus"}).rc, 0) << "the master must run on";
}

}  // namespace
}  // namespace ha::it
