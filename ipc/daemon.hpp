// Daemon skeleton — what every hamaster child shares (Postfix's single_server, docs/conventions.md §1 and §7).
//
// Every child's main() (heartbeatd-net, heartbeatd-serial, ipfaild, rscd) is its table
// (DaemonSpec: its name, its own options, its body, optionally its own set-up) and one call to
// daemon_main(), which parses the options (common ones plus its own), answers --help and
// --version, lets the body read its options (rscd: and load its config, before any log exists),
// sets the process up — child_setup() (parent death signal; exits at once if the master is
// already gone) and install_file_log(), or the daemon's own set-up (rscd: its --logfile) —
// optionally realtime_setup(), and runs the body, which builds its objects on a DaemonLoop's
// io_context, attaches its BusClient for the liveness beat and calls run(). The loop owns the
// io_context and the signals: SIGTERM/SIGINT stop it cleanly (or call the daemon's stop handler),
// SIGHUP reopens the process log and calls the daemon's hook. No work is ever done in a signal
// handler. The master has its own entry (a multi-command tool, hamaster(8)) but takes the options
// every binary shares and their defaults from here (CommonOptions, add_common_options). The rest
// of the skeleton: ipc/spawn.hpp (fork/exec), ipc/deadline_timer.hpp (a shell's timer at its
// core's next deadline).
//
// Time and blocking: the liveness beat uses a steady_timer; nothing blocks.
// Diagnostics: info "<program> stopping on signal N"; WARN once when realtime cannot be had;
// debug per liveness beat that could not be sent.
// See also: docs/architecture.md "When something fails", ipc/bus.hpp, ipc/spawn.hpp,
// ipc/deadline_timer.hpp, master/child_specs.cpp (the flags the master passes).
#pragma once

#include <initializer_list>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

// Stack of every thread but the main one (limit_thread_stacks): deep enough for getaddrinfo and
// NSS, libzmq's loops and the log writer's formatting, with room to spare.
inline constexpr std::size_t kThreadStackBytes = 512 * 1024;

class BusClient;

// Exit codes the master understands (docs/conventions.md §3), and the ones every binary shares.
inline constexpr int kExitOk = 0;
inline constexpr int kExitSoftware = 70;    // EX_SOFTWARE: an unexpected exception reached main
inline constexpr int kExitNoPerm = 77;      // EX_NOPERM
inline constexpr int kExitConfig = 78;      // EX_CONFIG: bad flags or config
inline constexpr int kExitExecFailed = 127;  // a spawned child whose exec failed (as the shells do)

// The exit code for a start-up error: kExitConfig (codes "config", "usage"), kExitNoPerm ("perm")
// or 1 (anything else: the master respawns with backoff).
int exit_code_for(const Error& error);

// The options every hamaster binary shares (hamaster(8) OPTIONS) and their defaults, in one place:
// the children's DaemonOptions and the master's Options (master/options.hpp) both build on it.
struct CommonOptions {
    bool help = false;     // -h/--help was given; print the usage and exit 0
    bool version = false;  // --version was given; print ipc::version_text() and exit 0
    std::string node;      // the daemons default it to uname -n, the master too (master/options.cpp)
    std::string config_dir = "/etc/ha.d";
    std::string run_dir = "/run/hamaster";
    std::string log_dir = "/var/log/hamaster";
    std::string state_dir = "/var/lib/hamaster";
    bool foreground = false;
    bool verbose = false;
};

// Adds -h/--help --version --node --config --run-dir --log-dir --state-dir -f -v to `d`, bound to
// `o`, whose values are the defaults shown (Boost's "(=...)"; "given" is !defaulted()).
void add_common_options(boost::program_options::options_description& d, CommonOptions& o);

struct DaemonOptions : CommonOptions {
    std::string program;
    int parent_pid = 0;  // 0: not started by a master
    bool realtime = false;  // --realtime: the daemon calls realtime_setup() (media daemons)
    SharedLogConfig shared_log;  // --ha-logfile --ha-debugfile --logfacility --syslogmsgfmt
    std::vector<std::string> extra;  // positional arguments
};

// `uname -n`; "localhost" if uname fails.
std::string local_node_name();

// Parses the common options (--node --config --run-dir --log-dir --state-dir -f -v --parent-pid
// -h --version) plus whatever a daemon adds through add_options(); values() then holds the daemon's own.
// Never exits; an unknown option or a bad value is an Error (code "usage") naming it.
class DaemonOptionParser {
public:
    explicit DaemonOptionParser(std::string program);
    // Daemon-specific options, in Boost.Program_options' notation:
    //   parser.add_options()("udpport", po::value<int>()->default_value(694), "UDP port");
    boost::program_options::options_description_easy_init add_options() { return own_.add_options(); }
    Result<DaemonOptions> parse(int argc, const char* const* argv);
    Result<DaemonOptions> parse(const std::vector<std::string>& args);  // without argv[0]
    const boost::program_options::variables_map& values() const { return values_; }
    // True when `name` was given on the command line (not only defaulted).
    bool given(const std::string& name) const { return values_.count(name) != 0 && !values_[name].defaulted(); }
    // --help text: "usage: <program> [options]" and the option tables, or the text set_usage() set
    // (rscd keeps its hand-written synopsis).
    std::string usage() const;
    void set_usage(std::string text) { usage_ = std::move(text); }

private:
    std::string program_;
    std::string usage_;
    boost::program_options::options_description own_;
    boost::program_options::variables_map values_;
};

// Shorthand when a daemon has no options of its own.
Result<DaemonOptions> parse_daemon_options(std::string program, int argc, const char* const* argv);

// A daemon's body, run by daemon_main() once the process is set up; returns the exit code.
using DaemonBody = std::function<int(const DaemonOptions& opts, Log& log)>;

// One daemon's table for daemon_main() (Postfix's anvil.c hands its callbacks to
// multi_server_main the same way).
struct DaemonSpec {
    std::string program;
    // Adds the daemon's own options to the common ones (nothing when empty).
    std::function<void(DaemonOptionParser&)> options;
    // Reads the daemon's own option values into its body, before anything is set up; it may also
    // load the daemon's config (rscd: its diagnostics on stderr as "<program>: <diag>"). An Error
    // is a usage or config error (exit kExitConfig); one with an empty message prints nothing more
    // (the diagnostics were the message).
    std::function<Result<DaemonBody>(const DaemonOptions&, const DaemonOptionParser&)> body;
    // Sets the process up once the body is ready and returns the process log. Empty: child_setup()
    // then install_file_log(). rscd's: the parent death signal only under a master, the log where
    // --log-dir or its --logfile says.
    std::function<Log&(const DaemonOptions&, const DaemonOptionParser&)> setup;
    bool realtime = false;   // honours --realtime (the media daemons): realtime_setup() before the body
    bool arguments = false;  // positional arguments are the body's (opts.extra; rscd's GROUPKEY), not an error
    bool usage_on_error = false;  // a usage error is followed by usage() on stderr (rscd)
};

// The whole life of a daemon: parses the options; -h/--help prints usage() and --version
// version_text() on stdout (exit 0); a bad option, a positional argument (unless spec.arguments)
// or an Error from spec.body goes to stderr as "<program>: <why>" (exit kExitConfig), a usage
// error followed by usage() when spec.usage_on_error; then spec.setup (default: child_setup(),
// install_file_log()), realtime_setup() (spec.realtime and --realtime) and the body, whose result
// is the exit code. An exception that reaches it is written "<program>: CRIT: <what>" to stderr
// (exit kExitSoftware).
int daemon_main(const DaemonSpec& spec, int argc, const char* const* argv);

// PR_SET_PDEATHSIG(SIGTERM), then exits 0 at once if --parent-pid was given and our parent is no
// longer that pid (the master died before we could ask to be told).
void child_setup(const DaemonOptions& opts);
// True when --parent-pid was not given or getppid() is still that pid.
bool parent_still_there(const DaemonOptions& opts);

// Installs the process log: <log_dir>/<program>.log (plus stderr with -f; debug lines with -v), and
// the ha.cf logfile / debugfile / syslog the master passed (opts.shared_log).
// Returns process_log().
Log& install_file_log(const DaemonOptions& opts);
// The same with the process log at `file` ("-": stderr, and then -f adds no second copy) and -f's
// copy at `foreground` whatever -v says (rscd: its --logfile, info lines on stderr).
Log& install_file_log(const DaemonOptions& opts, const std::string& file, LogLevel foreground);

// realtime on: SCHED_RR (lowest RR priority: above every normal task) and
// mlockall(MCL_CURRENT|MCL_FUTURE). On failure (EPERM, RLIMIT_MEMLOCK, ...) logs ONE WARN naming
// what failed and carries on. realtime off: does nothing. Returns true when both succeeded.
bool realtime_setup(bool on, Log& log);

// Threads created from now on (libzmq's I/O and reaper threads, the log writer) get `bytes` of
// stack instead of glibc's default of RLIMIT_STACK (8 MiB). Under `realtime on` mlockall makes
// every mapped page resident, so each 8 MiB stack counted in full: ~30 MB RSS per process for
// threads that use a few KiB. Called first thing in main(), before any thread exists.
void limit_thread_stacks(std::size_t bytes = kThreadStackBytes);

// Least privilege after start-up (issue 20): removes every capability except `keep` (CAP_* numbers)
// from the effective, permitted, inheritable, ambient and bounding sets, and sets no_new_privs, so
// neither this process nor anything it could exec regains them. Plain capget/capset/prctl
// syscalls: libcap would add a library for five calls. Ok(false) when we hold no capability at all
// (not root: nothing to drop); an error when the kernel refuses (the caller exits 77). Logs one
// info line naming what was kept.
Result<bool> drop_capabilities(std::initializer_list<int> keep, Log& log);

class DaemonLoop {
public:
    static constexpr std::chrono::milliseconds kDefaultLivenessInterval{1000};

    // `log` must outlive the loop.
    explicit DaemonLoop(Log& log, std::chrono::milliseconds liveness_interval = kDefaultLivenessInterval);
    ~DaemonLoop();
    DaemonLoop(const DaemonLoop&) = delete;
    DaemonLoop& operator=(const DaemonLoop&) = delete;

    boost::asio::io_context& io() { return io_; }

    // Sends `t=liveness pid=<pid>` on `bus` every interval from now on (first beat at once).
    // `bus` must outlive the loop or be detached with attach_bus(nullptr).
    void attach_bus(BusClient* bus);
    // Called on SIGTERM/SIGINT instead of stop(); it must call stop() when done (e.g. after rscd
    // has released its resources).
    void on_stop_signal(std::function<void(int signo)> handler) { stop_handler_ = std::move(handler); }
    // Called on SIGHUP after the process log was reopened.
    void on_hup(std::function<void()> handler) { hup_handler_ = std::move(handler); }

    // Runs the loop until stop(); returns the exit code given to stop().
    int run();
    // Cancels the signals and the beat and stops the loop; run() returns `exit_code`.
    void stop(int exit_code = kExitOk);

    std::uint64_t beats_sent() const { return beats_sent_; }

private:
    void wait_stop();
    void wait_hup();
    void beat();

    Log& log_;
    boost::asio::io_context io_;
    boost::asio::signal_set stop_signals_;
    boost::asio::signal_set hup_signal_;
    boost::asio::steady_timer beat_timer_;
    std::chrono::milliseconds liveness_interval_;
    BusClient* bus_ = nullptr;
    std::function<void(int)> stop_handler_;
    std::function<void()> hup_handler_;
    int exit_code_ = kExitOk;
    std::uint64_t beats_sent_ = 0;
};

}  // namespace ha::ipc
