// Daemon skeleton — see daemon.hpp.
#include "ipc/daemon.hpp"

#include "ipc/bus/supervision.hpp"

#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "ipc/bus.hpp"
#include "ipc/message.hpp"
#include "ipc/version.hpp"

namespace ha::ipc {

namespace po = boost::program_options;

std::string local_node_name() {
    struct utsname u {};
    if (::uname(&u) != 0 || u.nodename[0] == '\0') return "localhost";
    return u.nodename;
}

// ---- options --------------------------------------------------------------------------------

void add_common_options(po::options_description& d, CommonOptions& o) {
    d.add_options()
        ("help,h", po::bool_switch(&o.help), "show this help")
        ("version", po::bool_switch(&o.version), "print the version and exit")
        ("node", po::value(&o.node), "this node's name (default: uname -n)")
        ("config", po::value(&o.config_dir)->default_value(o.config_dir), "configuration directory")
        ("run-dir", po::value(&o.run_dir)->default_value(o.run_dir), "runtime directory for sockets and pid file")
        ("log-dir", po::value(&o.log_dir)->default_value(o.log_dir), "directory of the log files")
        ("state-dir", po::value(&o.state_dir)->default_value(o.state_dir), "directory of persistent state (generation, uuid)")
        ("foreground,f", po::bool_switch(&o.foreground), "stay in the foreground (do not detach), also logging to stderr")
        ("verbose,v", po::bool_switch(&o.verbose), "debug logging");
}

namespace {

po::options_description common_options(DaemonOptions& o) {
    po::options_description d("Common options");
    add_common_options(d, o);
    d.add_options()
        ("parent-pid", po::value(&o.parent_pid), "exit if our parent is not this pid")
        ("realtime", po::bool_switch(&o.realtime), "SCHED_RR + mlockall (ha.cf `realtime on`; media daemons)")
        ("ha-logfile", po::value(&o.shared_log.logfile), "also log here (ha.cf logfile: info and up)")
        ("ha-debugfile", po::value(&o.shared_log.debugfile), "also log here (ha.cf debugfile: every line)")
        ("logfacility", po::value(&o.shared_log.logfacility)->default_value("none"), "also log to syslog (ha.cf logfacility)")
        ("journal", po::value(&o.shared_log.journal), "also send every line to this systemd journal socket (the master under systemd)")
        ("syslogmsgfmt", po::value<std::string>()->default_value("on")->notifier([&o](const std::string& v) {
            if (v != "on" && v != "off") throw po::validation_error(po::validation_error::invalid_option_value, "syslogmsgfmt", v);
            o.shared_log.syslogmsgfmt = v == "on";
        }), "on|off: line format (ha.cf syslogmsgfmt)");
    return d;
}

}  // namespace

DaemonOptionParser::DaemonOptionParser(std::string program)
    : program_(std::move(program)), own_(program_ + " options") {}

Result<DaemonOptions> DaemonOptionParser::parse(const std::vector<std::string>& args) {
    std::vector<const char*> argv{program_.c_str()};
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse(static_cast<int>(argv.size()), argv.data());
}

Result<DaemonOptions> DaemonOptionParser::parse(int argc, const char* const* argv) {
    DaemonOptions o;
    o.program = program_;
    po::options_description all;
    all.add(common_options(o)).add(own_);
    po::options_description hidden;
    hidden.add_options()("extra", po::value(&o.extra));
    all.add(hidden);
    po::positional_options_description positional;
    positional.add("extra", -1);
    values_.clear();
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), values_);
        po::notify(values_);
    } catch (const po::error& e) {
        return make_error("usage", fmt::format("{}: {}", program_, e.what()));
    }
    if (o.node.empty()) o.node = local_node_name();
    if (o.parent_pid < 0) return make_error("usage", fmt::format("{}: --parent-pid {} is not a pid", program_, o.parent_pid));
    return o;
}

std::string DaemonOptionParser::usage() const {
    if (!usage_.empty()) return usage_;
    DaemonOptions scratch;
    std::ostringstream out;
    out << "usage: " << program_ << " [options]\n" << common_options(scratch);
    if (!own_.options().empty()) out << own_;
    return out.str();
}

Result<DaemonOptions> parse_daemon_options(std::string program, int argc, const char* const* argv) {
    DaemonOptionParser parser(std::move(program));
    return parser.parse(argc, argv);
}

int daemon_main(const DaemonSpec& spec, int argc, const char* const* argv) {
    limit_thread_stacks();
    try {
        DaemonOptionParser parser(spec.program);
        if (spec.options) spec.options(parser);
        auto opts = parser.parse(argc, argv);
        // A refusal before anything is set up: "<program>: <why>" (and the usage, if the daemon
        // wants it after a usage error), exit kExitConfig.
        auto refuse = [&](const Error& why, bool named) {
            if (!why.message.empty()) std::cerr << (named ? "" : spec.program + ": ") << why.message << "\n";
            if (spec.usage_on_error && why.code == "usage") std::cerr << parser.usage();
            return kExitConfig;
        };
        if (!opts) return refuse(opts.error(), true);  // the parser names the program already
        if (opts->help) return std::cout << parser.usage(), kExitOk;
        if (opts->version) return std::cout << version_text(spec.program), kExitOk;
        auto body = spec.body ? spec.body(*opts, parser) : Result<DaemonBody>(make_error("usage", "no body"));
        if (!body) return refuse(body.error(), false);
        if (!spec.arguments && !opts->extra.empty()) return refuse(make_error("usage", "unexpected argument " + opts->extra[0]), false);
        Log& log = spec.setup ? spec.setup(*opts, parser) : (child_setup(*opts), install_file_log(*opts));
        if (spec.realtime && opts->realtime) realtime_setup(true, log);
        return (*body)(*opts, log);
    } catch (const std::exception& e) {
        std::cerr << spec.program << ": CRIT: " << e.what() << "\n";
        return kExitSoftware;
    }
}

// ---- process setup --------------------------------------------------------------------------

int exit_code_for(const Error& error) {
    if (error.code == "config" || error.code == "usage") return kExitConfig;
    if (error.code == "perm") return kExitNoPerm;
    return 1;
}

bool parent_still_there(const DaemonOptions& opts) {
    return opts.parent_pid == 0 || ::getppid() == opts.parent_pid;
}

void child_setup(const DaemonOptions& opts) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The master may have died between fork and prctl: then nobody would ever tell us.
    if (!parent_still_there(opts)) ::_exit(kExitOk);
}

Log& install_file_log(const DaemonOptions& opts) {
    return install_file_log(opts, opts.log_dir + "/" + opts.program + ".log", opts.verbose ? LogLevel::debug : LogLevel::info);
}

Log& install_file_log(const DaemonOptions& opts, const std::string& file, LogLevel foreground) {
    LogOptions lo;
    lo.program = opts.program;
    lo.node = opts.node;
    lo.debug = opts.verbose;
    add_shared_log(lo, opts.shared_log);
    lo.sinks.push_back({file, opts.verbose ? LogLevel::debug : LogLevel::info});
    if (opts.foreground && file != "-") lo.sinks.push_back({"-", foreground});
    install_process_log(std::make_unique<FileLog>(std::move(lo)));
    return process_log();
}

void limit_thread_stacks(std::size_t bytes) {
    pthread_attr_t attr;
    if (::pthread_attr_init(&attr) != 0) return;
    // Best effort: on failure threads keep glibc's default, which only costs memory.
    if (::pthread_attr_setstacksize(&attr, bytes) == 0) (void)::pthread_setattr_default_np(&attr);
    ::pthread_attr_destroy(&attr);
}

bool realtime_setup(bool on, Log& log) {
    if (!on) return false;
    std::string failed;
    sched_param param{};
    param.sched_priority = ::sched_get_priority_min(SCHED_RR);
    if (::sched_setscheduler(0, SCHED_RR, &param) != 0)
        failed = fmt::format("SCHED_RR priority {}: {}", param.sched_priority, std::strerror(errno));
    if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        if (!failed.empty()) failed += "; ";
        failed += fmt::format("mlockall: {}", std::strerror(errno));
    }
    if (!failed.empty()) {
        log.warn("Realtime not available, running without it ({}).", failed);
        return false;
    }
    log.info("Realtime: SCHED_RR priority {}, memory locked.", param.sched_priority);
    return true;
}

Result<bool> drop_capabilities(std::initializer_list<int> keep, Log& log) {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return make_error("caps", fmt::format("capget: {}", std::strerror(errno)));
    if (data[0].permitted == 0 && data[1].permitted == 0 && data[0].effective == 0 && data[1].effective == 0) return false;
    auto kept = [&](int cap) { return std::find(keep.begin(), keep.end(), cap) != keep.end(); };
    // The bounding set first: dropping from it needs CAP_SETPCAP, which the capset below removes.
    int last = CAP_LAST_CAP;
    if (FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "r")) {
        if (std::fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
        std::fclose(f);
    }
    for (int cap = 0; cap <= last; ++cap) {
        if (kept(cap)) continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            return make_error("caps", fmt::format("cannot drop capability {} from the bounding set: {}", cap, std::strerror(errno)));
    }
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_data_struct next[2]{};
    std::string names;
    for (int cap : keep) {
        if (cap < 0 || cap >= 64) continue;
        const auto bit = 1U << (cap % 32);
        if ((data[cap / 32].permitted & bit) == 0) continue;  // we never had it: nothing to keep
        next[cap / 32].permitted |= bit;
        next[cap / 32].effective |= bit;
        names += fmt::format("{}{}", names.empty() ? "" : ",", cap);
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return make_error("caps", fmt::format("PR_SET_NO_NEW_PRIVS: {}", std::strerror(errno)));
    if (::syscall(SYS_capset, &header, next) != 0)
        return make_error("caps", fmt::format("capset: {}", std::strerror(errno)));
    log.info("Dropped capabilities (kept: {}).", names.empty() ? "none" : names);
    return true;
}

// ---- DaemonLoop -----------------------------------------------------------------------------

DaemonLoop::DaemonLoop(Log& log, std::chrono::milliseconds liveness_interval)
    : log_(log),
      stop_signals_(io_, SIGTERM, SIGINT),
      hup_signal_(io_, SIGHUP),
      beat_timer_(io_),
      liveness_interval_(liveness_interval) {
    wait_stop();
    wait_hup();
}

DaemonLoop::~DaemonLoop() {
    boost::system::error_code ec;
    stop_signals_.cancel(ec);
    hup_signal_.cancel(ec);
    beat_timer_.cancel();
}

void DaemonLoop::wait_stop() {
    stop_signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        log_.info("{} stopping on signal {} ({}).", program_invocation_short_name, signo, ::strsignal(signo));
        if (stop_handler_) {
            try {
                stop_handler_(signo);
            } catch (const std::exception& e) {
                log_.crit("stop handler failed: {}", e.what());
                stop(1);
            }
            wait_stop();  // a second signal while the daemon winds down is logged too
        } else {
            stop(kExitOk);
        }
    });
}

void DaemonLoop::wait_hup() {
    hup_signal_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (auto* file = dynamic_cast<FileLog*>(&process_log())) file->reopen();
        log_.info("SIGHUP: log files reopened.");
        if (hup_handler_) {
            try {
                hup_handler_();
            } catch (const std::exception& e) {
                log_.error("SIGHUP handler failed: {}", e.what());
            }
        }
        wait_hup();
    });
}

void DaemonLoop::attach_bus(BusClient* bus) {
    bus_ = bus;
    beat_timer_.cancel();
    if (bus_ == nullptr) return;
    beat_timer_.expires_after(std::chrono::milliseconds(0));
    beat_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) beat();
    });
}

void DaemonLoop::beat() {
    if (bus_ == nullptr) return;
    if (bus_->send(bus::Liveness{std::to_string(::getpid())}.encode())) ++beats_sent_;
    else log_.debug("liveness beat not sent (bus queue full or master away)");
    beat_timer_.expires_after(liveness_interval_);
    beat_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) beat();
    });
}

int DaemonLoop::run() {
    io_.run();
    return exit_code_;
}

void DaemonLoop::stop(int exit_code) {
    exit_code_ = exit_code;
    boost::system::error_code ec;
    stop_signals_.cancel(ec);
    hup_signal_.cancel(ec);
    beat_timer_.cancel();
    io_.stop();
}

}  // namespace ha::ipc
