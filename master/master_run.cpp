#include "master/master_run.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <iostream>
#include <chrono>
#include <ctime>
#include <map>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/bus/control.hpp"
#include "ipc/bus/ipfail.hpp"
#include "ipc/bus/rsc.hpp"
#include "ipc/bus/supervision.hpp"
#include "ipc/clock.hpp"
#include "ipc/config/config.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"
#include "ipc/status_table.hpp"
#include "master/metrics_textfile.hpp"
#include "master/prometheus_metrics.hpp"
#include "master/status_publisher.hpp"
#include "master/systemd_notify.hpp"
#include "master/child_specs.hpp"
#include "master/recent_events.hpp"
#include "master/bus_dispatch.hpp"
#include "master/child_supervisor.hpp"
#include "master/config_test.hpp"
#include "master/cluster_shell.hpp"
#include "master/control_service.hpp"
#include "master/media_flush.hpp"
#include "master/core/generation_file.hpp"
#include "master/node_uuid.hpp"
#include "master/pid_file.hpp"
#include "master/reload_plan.hpp"
#include "master/watchdog.hpp"
#include "master/resource_shell.hpp"

namespace ha::master {
namespace {

constexpr int kExConfig = 78;
constexpr const char* kVersion = "0.1.0";

// Creates `path` if missing. With `private_dir`, never following a symlink, it must then be a
// directory of our own user (root in production): a run dir that is a symlink or belongs to
// somebody else would let that somebody swap the pid file, the sockets or the status table under
// us (issue 20). The log dir is not held to that (operators symlink /var/log subdirectories): each
// log file is checked when it is opened (ipc/log.cpp).
Result<void> make_dir(const std::string& path, mode_t mode, bool private_dir = true) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return make_error("mkdir", fmt::format("cannot create {}: {}", path, ec.message()));
    if (!private_dir) return {};
    struct ::stat st {};
    if (::lstat(path.c_str(), &st) != 0) return make_error("stat", fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
    if (S_ISLNK(st.st_mode)) return make_error("unsafe", fmt::format("refusing {}: it is a symlink", path));
    if (!S_ISDIR(st.st_mode)) return make_error("unsafe", fmt::format("refusing {}: not a directory", path));
    if (st.st_uid != ::geteuid())
        return make_error("unsafe", fmt::format("refusing {}: owned by uid {}, not by uid {}", path, st.st_uid, ::geteuid()));
    if (mode != 0 && ::chmod(path.c_str(), mode) != 0)
        return make_error("chmod", fmt::format("cannot chmod {}: {}", path, std::strerror(errno)));
    return {};
}

// The launcher's side of the start-up (issue 20: a failed start must not exit 0). daemonize()
// forks twice; the launcher waits on a pipe until the daemon reports one line, "ready" once its
// bus and control socket are up, or why it failed, and exits 0 or 1 accordingly. If the daemon
// dies without a word, the launcher sees EOF and exits 1 too.
class StartReport {
public:
    explicit StartReport(int fd) : fd_(fd) {}
    StartReport(const StartReport&) = delete;
    StartReport& operator=(const StartReport&) = delete;
    ~StartReport() { close(); }

    void ready() {
        send("ready\n");
        close();
    }
    // The descriptor stays open (it closes when the process exits): the launcher reads until EOF,
    // so it returns only after this process has removed its pid file and status table.
    void failed(std::string_view why) {
        send(fmt::format("failed: {}\n", why));
        fd_ = -1;
    }

private:
    // A launcher that is gone (killed, its terminal closed) must not take the daemon with it: the
    // write's SIGPIPE is blocked for this thread and discarded, EPIPE is ignored.
    void send(const std::string& line) {
        if (fd_ < 0) return;
        sigset_t pipe_only, old;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
        const ssize_t n = ::write(fd_, line.data(), line.size());
        if (n < 0 && errno == EPIPE) {
            const timespec now{0, 0};
            (void)::sigtimedwait(&pipe_only, nullptr, &now);
        }
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd_ = -1;
};

// Classic double fork. Returns (in the daemon) the write end of the report pipe; the launcher
// never returns: it exits with the daemon's verdict.
int daemonize() {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) {
        ::close(report[1]);
        std::string line;
        char buf[512];
        ssize_t n;
        while ((n = ::read(report[0], buf, sizeof buf)) != 0) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            line.append(buf, static_cast<std::size_t>(n));
        }
        int status = 0;
        ::waitpid(pid, &status, 0);  // the middle process exits at once
        if (line == "ready\n") ::_exit(0);
        if (line.rfind("failed: ", 0) == 0) line.erase(0, 8);
        if (line.empty()) line = "the daemon exited before it was ready\n";
        std::cerr << "hamaster: not started: " << line;
        ::_exit(1);
    }
    ::close(report[0]);
    ::setsid();
    pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) ::_exit(0);
    if (::chdir("/") != 0) {}
    int fd = ::open("/dev/null", O_RDWR);
    if (fd >= 0) {
        ::dup2(fd, STDIN_FILENO);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        if (fd > 2) ::close(fd);
    }
    return report[1];
}

// ha.cf `coredumps` (default on, as in Heartbeat): no core size limit and dumpable, for the master
// and, through fork+exec, every child, so a crash leaves a core for the post-mortem. Without
// privilege to raise the hard limit, the soft one goes as high as the hard one allows.
// `coreroot DIR`: made if missing (0700, ours, no symlink) and the master's working directory, where
// the kernel's default core_pattern ("core") puts its core.
void setup_coredumps(bool on, const std::string& coreroot, ipc::Log& log) {
    if (!on) return;
    if (!coreroot.empty()) {
        if (auto r = make_dir(coreroot, 0700); !r) log.warn("coreroot: {}", r.error().message);
        else if (::chdir(coreroot.c_str()) != 0) log.warn("coreroot: cannot chdir to {}: {}", coreroot, std::strerror(errno));
    }
    rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    if (::setrlimit(RLIMIT_CORE, &limit) != 0) {
        const int err = errno;
        if (::getrlimit(RLIMIT_CORE, &limit) == 0) {
            limit.rlim_cur = limit.rlim_max;
            (void)::setrlimit(RLIMIT_CORE, &limit);
        }
        log.warn("coredumps: cannot lift the core size limit ({}); soft limit now {}", std::strerror(err),
                 limit.rlim_cur == RLIM_INFINITY ? std::string("unlimited") : std::to_string(limit.rlim_cur));
    }
    if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) log.warn("coredumps: PR_SET_DUMPABLE: {}", std::strerror(errno));
    log.info("coredumps on: core size unlimited, dumpable.");
}

std::unique_ptr<ipc::Log> make_log(const conf::Config& config, const Options& o) {
    const auto& cf = config.ha_cf;
    ipc::LogOptions lo;
    lo.program = "hamaster";
    lo.node = config.local_node;
    lo.debug = o.verbose || cf.debug > 0;
    lo.sinks.push_back({o.log_dir + "/hamaster.log", ipc::LogLevel::info});
    ipc::add_shared_log(lo, shared_log_config(cf));
    if (o.foreground) lo.sinks.push_back({"-", ipc::LogLevel::info});
    return std::make_unique<RecentEvents>(std::make_unique<ipc::FileLog>(std::move(lo)));
}

// At start and on reload alike: this host's addresses, so `ucast eth1 <own address>` is skipped.
conf::LoadResult load_master_config(const Options& o) {
    conf::LoadOptions load;
    load.local_addresses = local_ipv4_addresses();
    return conf::load_config(o.config_dir, o.node, load);
}

// Everything the running master owns, wired together once; the io_context runs the rest.
// Construction order matters: the shells keep references to `config_`, `bus_` and each other.
class Master {
public:
    Master(const Options& o, conf::Config config, ipc::Log& log, ipc::StatusTableWriter table, NodeUuid uuid,
           std::uint64_t generation, std::optional<Watchdog> watchdog)
        : o_(o),
          config_(std::move(config)),
          log_(log),
          table_(std::move(table)),
          watchdog_(std::move(watchdog)),
          specs_(child_specs(config_, o_)),
          media_(media_names(specs_)),
          bus_(io_, zmq_context_, ipc::bus_endpoint(o_.run_dir), log_),
          cluster_(io_, config_, clock_, log_,
                   HeartbeatSourceParams{config_.local_node, uuid, generation,
                                         default_ttl(config_.ha_cf.hopfudge, config_.ha_cf.nodes.size()),
                                         cached_provider(read_proc_loadavg, clock_, std::chrono::seconds(1))},
                   media_,
                   [this](const std::string& child, const ipc::Message& m) { to_media(child, m); }),
          children_(io_, clock_, log_, RespawnParams{}),
          peer_(config_.peers().empty() ? std::string() : config_.peers().front()),
          resources_(io_, resource_params(), clock_, log_,
                     ResourceShell::Outputs{
                         [this](ipc::Message m) { cluster_.send_cluster(std::move(m)); },
                         [this](const ipc::Message& m) { return connected("rscd") && bus_.send("rscd", m); },
                         [this] {
                             if (stopping_) finish();
                         },
                         [this] {
                             publish();
                             tell_ipfaild(false);
                         },
                         [this] { bus_.read_pending(); }}),
          control_(io_, zmq_context_, ipc::control_endpoint(o_.run_dir), log_,
                   [this](const ipc::Message& request) { return on_control(request); }) {
        for (auto& spec : specs_) {
            if (spec.lane) bus_.reserve_lane(spec.name);  // never claimable on zmq, even before its lane
            children_.add(spec);
        }
        // The media daemons' bus is their lane (ipc/bus.hpp): each start brings a new socketpair.
        children_.on_lane = [this](const std::string& name, int fd) {
            if (auto ok = bus_.attach_lane(name, fd); !ok)
                log_.error("Cannot attach the bus lane of {}: {}", name, ok.error().message);
        };
        // A (re)started child is not connected until it speaks: what is meant for it waits.
        children_.on_child_started = [this](const std::string& name) { child_pids_.erase(name); };
        // rscd exits 0 on its own only after releasing every group (the master was silent past
        // its limit): what we believed held is gone and is acquired again under the one rule.
        children_.on_child_exited = [this](const std::string& name, const ChildExit& exit) {
            if (name == "rscd" && exit.kind == ChildExit::Kind::exited && exit.value == 0 && !stopping_)
                resources_.on_rscd_released();
        };
        // Read what waits on the bus before any silence verdict (hang, deadtime, no reply).
        children_.read_pending = [this] { bus_.read_pending(); };
        cluster_.read_pending = [this] { bus_.read_pending(); };
        cluster_.read_media_counters(o_.run_dir, [this](const std::string& child) { return static_cast<int>(children_.pid_of(child)); });
        wire_cluster();
        route_bus();
        bus_.on_message([this](std::string_view identity, ipc::Message m) { on_bus_message(std::string(identity), std::move(m)); });
    }

    // `report`: told "ready" once everything is set up (the bus and control socket exist since
    // construction), so `service hamaster start` returns only for a master that really runs.
    int run(StartReport& report) {
        if (!config_.haresources.groups.empty()) beat_rscd();
        if (watchdog_) feed_watchdog();
        wait_stop();
        wait_chld();
        wait_hup();
        children_.start_all();
        cluster_.start();
        publish();
        if (!config_.ha_cf.metrics_textfile_dir.empty()) {
            metrics_.emplace(io_, log_, config_.ha_cf.metrics_textfile_dir, config_.ha_cf.metrics_interval,
                             [this] { return render_prometheus(cluster_.view()); });
            metrics_->start();
        }
        notify_.ready(notify_status_text(cluster_.view()));  // before the launcher may exit
        if (notify_.feed_interval()) feed_systemd_watchdog();
        report.ready();
        io_.run();
        return 0;
    }

private:
    static std::vector<std::string> media_names(const std::vector<ChildSpec>& specs) {
        std::vector<std::string> media;
        for (const auto& s : specs)
            if (s.name.rfind("heartbeatd-", 0) == 0) media.push_back(s.name);
        return media;
    }

    ResourceOwnerParams resource_params() const {
        ResourceOwnerParams rp;
        rp.local_node = config_.local_node;
        rp.peer_node = peer_;
        rp.groups = config_.haresources.groups;
        rp.auto_failback = config_.ha_cf.auto_failback;
        rp.require_acquire_clearance = true;  // the split-brain guard: rscd probes the VIPs first
        return rp;
    }

    // A child counts as connected once it has said anything on the bus (zmq drops, and logs, what
    // goes to a peer it has not seen).
    bool connected(const std::string& child) const { return child_pids_.count(child) > 0; }
    std::map<std::string, std::string> peer_clients_;  // the peer's API clients: from_id → online/offline

    // Before a media daemon has first spoken, cluster messages for the peer (ipfail's join, the
    // start-up exchange) wait for it, the newest kPendingMax; heartbeats are not kept: a fresh
    // one goes out when it connects.
    static constexpr std::size_t kPendingMax = 64;
    void to_media(const std::string& child, const ipc::Message& m) {
        if (connected(child)) {
            bus_.send(child, m);
            return;
        }
        if (m.type() == "status") return;
        auto& queue = pending_[child];
        if (queue.size() == kPendingMax) queue.erase(queue.begin());
        queue.push_back(m);
    }
    void flush_pending(const std::string& child) {
        auto it = pending_.find(child);
        if (it == pending_.end()) return;
        for (const auto& m : it->second) bus_.send(child, m);
        pending_.erase(it);
    }
    void publish() {
        const auto view = cluster_.view();
        table_.publish(to_snapshot(view));
        notify_.status(notify_status_text(view));
    }

    void wire_cluster() {
        cluster_.on_change = [this] {
            publish();
            tell_ipfaild(false);
        };
        cluster_.on_events = [this](const std::vector<ClusterEvent>& events) {
            for (const auto& e : events) {
                const auto* changed = std::get_if<NodeStatusChanged>(&e);
                if (changed && changed->node == peer_ && changed->new_status == "dead") peer_clients_.clear();
                if (changed && changed->node == peer_ && children_.pid_of("ipfaild") > 0)
                    bus_.send("ipfaild", ipc::bus::NodeStatus{peer_, changed->new_status}.encode());
            }
            resources_.on_cluster_events(events);
        };
        cluster_.on_peer_message = [this](const ipc::Message& m) {
            if (const std::string client = m.get_or("from_id", ""); !client.empty()) {
                // The peer's API clients, for cl_status clientstatus: a join or any word of theirs.
                const bool left = m.type() == "hbapi-clstat" && m.get_or("st", "") == "leave";
                peer_clients_[client] = left ? "offline" : "online";
            }
            // Heartbeat 3.0.6's ipfail gives up by sending `ask_resources` itself, as an API
            // client (from_id=ipfail): like hb_standby's, it is a standby request for the
            // resource protocol, not for our ipfaild (ours asks its own master instead).
            const bool ipfail_client = m.get_or("from_id", "") == "ipfail" || m.get_or("to_id", "") == "ipfail";
            if (ipfail_client && m.type() != "ask_resources") {
                bus_.send("ipfaild", m);
                return;
            }
            resources_.on_peer_message(m);
        };
        cluster_.decorate_view = [this](ClusterView& v) {
            v.rsc_hold = resources_.rsc_hold_word();
            v.groups = resources_.group_views();
            if (auto* recent = dynamic_cast<RecentEvents*>(&log_)) v.events = recent->events();
            // ipfaild registered: running, and this incarnation has spoken on the bus.
            if (children_.pid_of("ipfaild") > 0 && connected("ipfaild"))
                v.clients.push_back({config_.local_node, "ipfail", "online"});
            for (const auto& [client, status] : peer_clients_) v.clients.push_back({peer_, client, status});
            v.guard_verdicts = resources_.guard_verdicts();
            v.respawns = children_.respawns();
        };
    }

    // ipfaild: ping-node verdicts in, the peer's status and our rsc_hold out, its messages to the
    // peer's ipfail stamped as an API client's. `force`: a new ipfaild, tell it everything.
    void tell_ipfaild(bool force) {
        if (children_.pid_of("ipfaild") <= 0) return;
        if (force) {  // changes of the peer's status follow from on_events
            const auto nodes = cluster_.view().nodes;
            bus_.send("ipfaild", ipc::bus::NodeStatus{peer_, nodes.size() > 1 ? nodes[1].status : "init"}.encode());
        }
        const std::string hold = resources_.rsc_hold_word();
        if (hold != "transition" && (force || hold != last_rsc_hold_told_)) {
            bus_.send("ipfaild", ipc::bus::RscHold{hold}.encode());
            last_rsc_hold_told_ = hold;
        }
    }

    // The one table for what the children say (BusDispatch): every bus message the master takes,
    // who may send it, and the cluster traffic each child relays. Built once, at construction.
    void route_bus() {
        using ipc::bus::Liveness;
        bus_table_.route<Liveness>(ipc::bus::kLiveness, kAnyChild, [this](const std::string& child, Liveness beat) {
            on_liveness(child, beat);
        });
        // media daemons: the last-words handshake; the rest is the peer's traffic (their counters
        // are read from their segments, ClusterShell::read_media_counters).
        bus_table_.route<ipc::bus::Flushed>(ipc::bus::kFlushed, only(ChildKind::media),
                                            [this](const std::string& child, ipc::bus::Flushed done) {
                                                flush_.on_flushed(child, done.seq);
                                            });
        bus_table_.relay(
            ChildKind::media, [](const ipc::Message& m) { return !m.type().starts_with('_') && m.type() != ipc::bus::kLiveness; },
            [this](const std::string& child, ipc::Message m) { cluster_.on_media_message(child, std::move(m)); });
        // ipfaild: ping-node verdicts and its giveup; what it says to the peer's ipfail is relayed,
        // stamped as an API client's message.
        const auto ipfaild = only(ChildKind::ipfaild);
        bus_table_.route<ipc::bus::PingStatus>(ipc::bus::kPingStatus, ipfaild, [this](const std::string&, ipc::bus::PingStatus p) {
            cluster_.set_ping_status(p.node, p.up());
        });
        bus_table_.route<ipc::bus::StandbyRequest>(ipc::bus::kStandby, ipfaild, [this](const std::string&, ipc::bus::StandbyRequest r) {
            resources_.standby(r.kind);
        });
        bus_table_.route<ipc::bus::IpfailRelease>(ipc::bus::kIpfailRelease, ipfaild,
                                                  [this](const std::string&, ipc::bus::IpfailRelease) { resources_.set_isolated(true); });
        bus_table_.route<ipc::bus::IpfailOk>(ipc::bus::kIpfailOk, ipfaild,
                                             [this](const std::string&, ipc::bus::IpfailOk) { resources_.set_isolated(false); });
        bus_table_.relay(
            ChildKind::ipfaild, [](const ipc::Message& m) { return m.get_or(ipc::bus::kToPeerField, "") == "1"; },
            [this](const std::string&, ipc::Message m) {
                m.remove(ipc::bus::kToPeerField);
                cluster_.send_cluster(std::move(m), Origin::api_client);
            });
        // rscd: the results of what we asked.
        const auto rscd = only(ChildKind::rscd);
        bus_table_.route<ipc::bus::RscResult>(ipc::bus::kRscResult, rscd,
                                              [this](const std::string&, ipc::bus::RscResult r) { resources_.on_rsc_result(r); });
        bus_table_.route<ipc::bus::RscClearance>(ipc::bus::kRscClearance, rscd,
                                                 [this](const std::string&, ipc::bus::RscClearance c) { resources_.on_clearance(c); });
        bus_table_.route<ipc::bus::RscReloaded>(ipc::bus::kRscReloaded, rscd,
                                                [this](const std::string&, ipc::bus::RscReloaded r) { resources_.on_reloaded(r); });
    }

    // A new incarnation of a child (a new pid in its liveness beat) said hello: tell it what it
    // must know.
    void on_liveness(const std::string& child, const ipc::bus::Liveness& beat) {
        std::string& pid = child_pids_[child];
        if (beat.pid == pid) return;
        pid = beat.pid;
        switch (child_kind(child)) {
            case ChildKind::ipfaild:
                resources_.set_isolated(false);  // a new ipfaild starts with no verdict
                tell_ipfaild(true);
                break;
            case ChildKind::rscd: resources_.on_rscd_ready(); break;
            case ChildKind::media: cluster_.heartbeat_now(); break;  // the peer hears us without waiting a keepalive
            case ChildKind::none: break;
        }
    }

    void on_bus_message(const std::string& child, ipc::Message m) {
        if (child_kind(child) == ChildKind::none) {
            bus_table_.dispatch(child, std::move(m));  // refused there, logged and counted
            return;
        }
        children_.on_liveness(child);  // every word of a child shows its loop runs
        if (child_pids_.try_emplace(child).second) flush_pending(child);
        bus_table_.dispatch(child, std::move(m));
    }

    // The control socket: one strict parser (ipc/bus/control.hpp), then one answer per request.
    ipc::Message on_control(const ipc::Message& message) {
        auto request = ipc::bus::decode_control_request(message);
        if (!request) {
            log_.warn("control: refused request: {}", request.error().message);
            return ipc::bus::ControlReply{11, "", fmt::format("hamaster: refused request: {}\n", request.error().message),
                                          false, std::nullopt, std::nullopt}
                .encode();
        }
        if (const auto* cl = std::get_if<ipc::bus::ClStatusRequest>(&*request)) return handle_control(*cl, cluster_.view());
        ipc::bus::ControlReply reply;
        // hb_standby / hb_takeover: rc 0 accepted, 3 refused (`refused` code, `reason`), 1 bad kind;
        // `ends` lets `--wait` poll `standby_state` until the handshake it started has ended.
        if (const auto* standby = std::get_if<ipc::bus::StandbyRequest>(&*request)) {
            const auto answer = standby->takeover ? resources_.takeover(standby->kind) : resources_.standby(standby->kind);
            const auto& refusal = answer.refusal;
            reply.rc = !refusal ? 0 : refusal->code == "usage" ? 1 : 3;
            reply.standby = ipc::bus::ControlReply::Standby{refusal ? refusal->code : "", refusal ? refusal->reason : "",
                                                            answer.ends_before,
                                                            resources_.owner().standby_reply_timeout().count()};
            return reply.encode();
        }
        const auto& owner = resources_.owner();
        std::string peer_status = "init";
        for (const auto& n : cluster_.view().nodes)
            if (n.name == peer_) peer_status = n.status;
        reply.state = ipc::bus::ControlReply::State{owner.standby_ends(), std::string(owner.last_standby_end()),
                                                    resources_.rsc_hold_word(), peer_status, peer_,
                                                    owner.standby_state() != ResourceOwner::Standby::idle};
        return reply.encode();
    }

    // rscd releases everything when the master falls silent: tell it we live, every keepalive.
    void beat_rscd() {
        if (connected("rscd")) bus_.send("rscd", ipc::bus::MasterAlive{}.encode());
        rscd_beat_.expires_after(config_.ha_cf.keepalive);
        rscd_beat_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) beat_rscd();
        });
    }

    // ha.cf `watchdog`: fed from this loop every keepalive, so only a loop that runs keeps the
    // node up (a hung master lets the kernel reboot it).
    void feed_watchdog() {
        watchdog_->feed();
        watchdog_timer_.expires_after(config_.ha_cf.keepalive);
        watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) feed_watchdog();
        });
    }

    // systemd's WatchdogSec=: fed from this loop too, so systemd restarts a master whose loop hangs.
    void feed_systemd_watchdog() {
        notify_.watchdog();
        sd_watchdog_timer_.expires_after(*notify_.feed_interval());
        sd_watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) feed_systemd_watchdog();
        });
    }

    // SIGHUP: validate first (a broken config changes nothing), then apply what plan_reload allows.
    void reload() {
        auto next = load_master_config(o_);
        bool errors = false;
        for (const auto& d : next.diagnostics) {
            if (d.severity == conf::Severity::error) {
                errors = true;
                log_.error("{}", conf::render(d));
            } else if (d.severity == conf::Severity::warning) {
                log_.warn("{}", conf::render(d));
            }
        }
        if (errors || !next.ok()) {
            log_.error("New configuration failed validation; keeping the running configuration.");
            return;
        }
        const ReloadPlan plan = plan_reload(config_, *next.config, resources_.busy_groups(next.config->haresources.groups));
        for (const auto& note : plan.notes) log_.info("{}", note);
        for (const auto& warning : plan.warnings) log_.warn("{}", warning);
        if (plan.groups) {
            // rscd swaps first; `config_` follows once the resource owner has the new groups too.
            resources_.reload_groups(next.config->haresources.groups,
                                     [this, haresources = next.config->haresources] { config_.haresources = haresources; });
        }
        const auto& n = next.config->ha_cf;
        if (plan.timings) {
            config_.ha_cf.adopt_timings(n);
        }
        if (plan.children) {
            config_.ha_cf.adopt_children(n);
            children_.reconcile(child_specs(config_, o_));
        }
        config_.authkeys = next.config->authkeys;  // the media daemons re-read authkeys on SIGHUP
        cluster_.set_timings();  // the serial paces follow timings, baud, media and the signature size
        for (const auto& media_child : media_) {
            if (pid_t pid = children_.pid_of(media_child); pid > 0) ::kill(pid, SIGHUP);
        }
        publish();
    }

    // Everything released (or given up on): make sure our last messages (`shutdone`) left on every
    // link, then stop the children and leave the loop. Called again (a second signal) while the
    // media daemons confirm, it stops waiting.
    static constexpr std::chrono::milliseconds kFlushLimit{2000};
    void finish() {
        if (flush_.active()) return flush_.finish_now();
        if (finishing_) return stop_children();
        finishing_ = true;
        shutdown_timer_.cancel();
        cluster_.announce_shutdown();
        cluster_.stop();
        flush_.start(
            media_, [this](const std::string& child, const ipc::Message& m) { return connected(child) && bus_.send(child, m); },
            kFlushLimit, [this] { stop_children(); });
    }

    void stop_children() {
        children_.stop_all(std::chrono::seconds(10), [this] {
            log_.info("{} hamaster shutdown complete.", config_.local_node);
            if (metrics_) {  // the last word of this master: its final counters, status dead
                metrics_->write_now();
                metrics_->stop();
            }
            hup_.cancel();
            chld_.cancel();
            stop_signals_.cancel();
            rscd_beat_.cancel();
            watchdog_timer_.cancel();
            sd_watchdog_timer_.cancel();
            if (watchdog_) watchdog_->close_clean();  // a clean stop must not reboot the node
            io_.stop();
        });
    }

    void wait_chld() {
        chld_.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) return;
            children_.reap();
            wait_chld();
        });
    }

    void wait_hup() {
        hup_.async_wait([this](const boost::system::error_code& ec, int) {
            if (ec) return;
            log_.info("SIGHUP: reopening log files and reloading the configuration");
            log_.reopen();
            reload();
            wait_hup();
        });
    }

    // SIGTERM/SIGINT: release the resources (handing them to the peer), then finish(); a second
    // signal, or 5 minutes, stops without waiting.
    void wait_stop() {
        stop_signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (stopping_) {
                log_.warn("Signal {} again: stopping now without waiting for the resources", signo);
                finish();
                return;
            }
            stopping_ = true;
            log_.info("Heartbeat shutdown in progress. ({})", ::getpid());
            notify_.stopping();
            shutdown_timer_.expires_after(std::chrono::minutes(5));
            shutdown_timer_.async_wait([this](const boost::system::error_code& e) {
                if (e) return;
                log_.error("Resources not released after 5 minutes; stopping anyway");
                finish();
            });
            resources_.shutdown();
            wait_stop();
        });
    }

    const Options& o_;
    conf::Config config_;  // reload updates the parts it can apply live
    ipc::Log& log_;
    ipc::StatusTableWriter table_;
    std::optional<Watchdog> watchdog_;
    SystemdNotify notify_{log_};  // after daemonize (Master lives in the daemon): MAINPID is ours
    ipc::SystemClock clock_;
    boost::asio::io_context io_;
    zmq::context_t zmq_context_;
    std::vector<ChildSpec> specs_;
    std::vector<std::string> media_;
    ipc::BusRouter bus_;
    std::map<std::string, std::string> child_pids_;  // child → pid of the incarnation that spoke last
    std::map<std::string, std::vector<ipc::Message>> pending_;  // for media daemons not yet connected
    ClusterShell cluster_;
    ChildSupervisor children_;
    std::string peer_;
    ResourceShell resources_;
    ipc::ControlServer control_;
    std::string last_rsc_hold_told_;
    MediaFlush flush_{io_, log_};
    BusDispatch bus_table_{log_};
    bool stopping_ = false;
    bool finishing_ = false;
    boost::asio::signal_set stop_signals_{io_, SIGTERM, SIGINT};
    boost::asio::signal_set hup_{io_, SIGHUP};
    boost::asio::signal_set chld_{io_, SIGCHLD};
    boost::asio::steady_timer shutdown_timer_{io_};
    boost::asio::steady_timer rscd_beat_{io_};
    boost::asio::steady_timer watchdog_timer_{io_};
    boost::asio::steady_timer sd_watchdog_timer_{io_};
    std::optional<MetricsTextfile> metrics_;  // ha.cf metrics_textfile_dir
};

}  // namespace

int run_master(const Options& o) {
    auto loaded = load_master_config(o);
    for (const auto& d : loaded.diagnostics) std::cerr << conf::render(d) << "\n";
    if (!loaded.ok()) {
        std::cerr << "hamaster: not started: configuration error.\n";
        return kExConfig;
    }
    conf::Config config = std::move(*loaded.config);

    for (auto [dir, mode] : {std::pair{o.run_dir, mode_t{0700}}, {o.log_dir, mode_t{0}}, {o.state_dir, mode_t{0}}}) {
        if (auto r = make_dir(dir, mode, dir != o.log_dir); !r) {
            std::cerr << "hamaster: " << r.error().message << "\n";
            return 1;
        }
    }
    auto pid_file = PidFile::acquire(o.run_dir + "/hamaster.pid");
    if (!pid_file) {
        std::cerr << "hamaster: " << pid_file.error().message << "\n";
        return 1;
    }
    const pid_t launcher = ::getpid();
    StartReport report(o.foreground ? -1 : daemonize());
    if (!o.foreground) {
        (void)pid_file->write_pid();
        SystemdNotify::adopt_watchdog(launcher);  // before Master builds its SystemdNotify
    }

    ipc::install_process_log(make_log(config, o));
    ipc::Log& log = ipc::process_log();
    // Every failure from here on: CRIT in the log, the reason to the launcher, exit 1.
    auto fail = [&](const std::string& why) {
        log.crit("{}", why);
        report.failed(why);
        return 1;
    };
    log.info("Configuration validated. Starting hamaster {} on {}", kVersion, config.local_node);
    setup_coredumps(config.ha_cf.coredumps, config.ha_cf.coreroot, log);
    ipc::realtime_setup(config.ha_cf.realtime, log);

    GenerationFile generations(log);
    // Heartbeat 3.0.6's files of the same names: continued from and kept current (a rolling
    // upgrade and its way back, docs/migrating.md).
    const auto heartbeat_file = [&o](const char* name) {
        return o.heartbeat_state_dir.empty() ? std::string() : o.heartbeat_state_dir + "/" + name;
    };
    auto generation = generations.load_and_bump(o.state_dir + "/hb_generation", heartbeat_file("hb_generation"),
                                                static_cast<std::uint64_t>(::time(nullptr)));
    if (!generation) return fail(fmt::format("Cannot read the generation: {}", generation.error().message));
    auto uuid = load_or_create_uuid(o.state_dir + "/hb_uuid", heartbeat_file("hb_uuid"), log);
    if (!uuid) return fail(fmt::format("Cannot read the node uuid: {}", uuid.error().message));
    auto table = ipc::StatusTableWriter::create(o.run_dir);
    if (!table) return fail(fmt::format("Cannot create the status table: {}", table.error().message));
    std::optional<Watchdog> watchdog;
    if (!config.ha_cf.watchdog.empty()) {
        auto w = Watchdog::open(config.ha_cf.watchdog, log);
        if (!w) return fail(w.error().message);
        watchdog.emplace(std::move(*w));
    }
    Master master(o, std::move(config), log, std::move(*table), *uuid, *generation, std::move(watchdog));
    return master.run(report);
}

int run_status(const Options& o) {
    const ipc::Message req = ipc::bus::ClStatusRequest{o.prometheus ? "metrics" : "status", {}, {}, {}, o.json}.encode();
    if (!o.watch) {
        auto reply = ipc::control_request(o.run_dir, req, std::chrono::seconds(5));
        if (!reply) {
            if (o.json) std::cout << nlohmann::json{{"running", false}, {"error", reply.error().message}}.dump() << "\n";
            else if (o.prometheus) std::cerr << "hamaster is stopped on this machine (" << reply.error().message << ").\n";  // stdout stays metrics only
            else std::cout << "hamaster is stopped on this machine (" << reply.error().message << ").\n";
            return 3;  // LSB: not running
        }
        std::cout << reply->get_or("out", "");
        return 0;
    }
    // --watch: one screen, redrawn in place (home, draw, clear to the end), like crm_mon and top.
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    for (int shown = 0; o.count == 0 || shown < o.count; ++shown) {
        if (shown > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.interval_ms));
        auto reply = ipc::control_request(o.run_dir, req, std::chrono::seconds(5));
        const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        std::tm tm{};
        ::localtime_r(&now, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
        std::string screen = fmt::format("hamaster status --watch   {}   (every {} ms, ^C to quit)\n\n", stamp, o.interval_ms);
        screen += reply ? reply->get_or("out", "") : fmt::format("hamaster is stopped on this machine ({}).\n", reply.error().message);
        if (tty) std::cout << "\x1b[H" << screen << "\x1b[J" << std::flush;
        else std::cout << screen << "\f\n" << std::flush;  // a pipe or a file: one page per screen
    }
    return 0;
}

}  // namespace ha::master
