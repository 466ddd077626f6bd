#include "master/master_run.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <iostream>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/clock.hpp"
#include "ipc/config/config.hpp"
#include "ipc/daemon.hpp"
#include "ipc/log.hpp"
#include "ipc/status_table.hpp"
#include "master/status_publisher.hpp"
#include "master/child_specs.hpp"
#include "master/child_supervisor.hpp"
#include "master/config_test.hpp"
#include "master/cluster_shell.hpp"
#include "master/control_service.hpp"
#include "master/core/generation_file.hpp"
#include "master/node_uuid.hpp"
#include "master/pid_file.hpp"
#include "master/reload_plan.hpp"
#include "master/resource_shell.hpp"

namespace ha::master {
namespace {

constexpr int kExConfig = 78;
constexpr const char* kVersion = "0.1.0";

Result<void> make_dir(const std::string& path, mode_t mode) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return make_error("mkdir", fmt::format("cannot create {}: {}", path, ec.message()));
    if (mode != 0 && ::chmod(path.c_str(), mode) != 0)
        return make_error("chmod", fmt::format("cannot chmod {}: {}", path, std::strerror(errno)));
    return {};
}

// Classic double fork; the first parent exits 0 once the daemon is on its way.
void daemonize() {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) ::_exit(0);
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
}

std::unique_ptr<ipc::Log> make_log(const conf::Config& config, const Options& o) {
    const auto& cf = config.ha_cf;
    ipc::LogOptions lo;
    lo.program = "hamaster";
    lo.node = config.local_node;
    lo.syslogmsgfmt = cf.syslogmsgfmt;
    lo.debug = o.verbose || cf.debug > 0;
    lo.syslog_facility = cf.logfacility;
    lo.sinks.push_back({o.log_dir + "/hamaster.log", ipc::LogLevel::info});
    if (!cf.logfile.empty()) lo.sinks.push_back({cf.logfile, ipc::LogLevel::info});
    if (!cf.debugfile.empty()) lo.sinks.push_back({cf.debugfile, ipc::LogLevel::debug});
    if (o.foreground) lo.sinks.push_back({"-", ipc::LogLevel::info});
    return std::make_unique<ipc::FileLog>(std::move(lo));
}

}  // namespace

int run_master(const Options& o) {
    conf::LoadOptions load;
    load.local_addresses = local_ipv4_addresses();  // so `ucast eth1 <own address>` is skipped
    auto loaded = conf::load_config(o.config_dir, o.node, load);
    for (const auto& d : loaded.diagnostics) std::cerr << conf::render(d) << "\n";
    if (!loaded.ok()) {
        std::cerr << "hamaster: not started: configuration error.\n";
        return kExConfig;
    }
    conf::Config config = std::move(*loaded.config);  // reload updates the parts it can apply live

    for (auto [dir, mode] : {std::pair{o.run_dir, mode_t{0700}}, {o.log_dir, mode_t{0}}, {o.state_dir, mode_t{0}}}) {
        if (auto r = make_dir(dir, mode); !r) {
            std::cerr << "hamaster: " << r.error().message << "\n";
            return 1;
        }
    }
    auto pid_file = PidFile::acquire(o.run_dir + "/hamaster.pid");
    if (!pid_file) {
        std::cerr << "hamaster: " << pid_file.error().message << "\n";
        return 1;
    }
    if (!o.foreground) {
        daemonize();
        (void)pid_file->write_pid();
    }

    ipc::install_process_log(make_log(config, o));
    ipc::Log& log = ipc::process_log();
    log.info("Configuration validated. Starting hamaster {} on {}", kVersion, config.local_node);
    ipc::realtime_setup(config.ha_cf.realtime, log);

    GenerationFile generations(log);
    auto generation = generations.load_and_bump(o.state_dir + "/hb_generation");
    if (!generation) {
        log.crit("Cannot read the generation: {}", generation.error().message);
        return 1;
    }
    auto uuid = load_or_create_uuid(o.state_dir + "/hb_uuid");
    if (!uuid) {
        log.crit("Cannot read the node uuid: {}", uuid.error().message);
        return 1;
    }

    ipc::SystemClock clock;
    boost::asio::io_context io;
    zmq::context_t zmq_context;

    auto table = ipc::StatusTableWriter::create(o.run_dir);
    if (!table) {
        log.crit("Cannot create the status table: {}", table.error().message);
        return 1;
    }

    auto specs = child_specs(config, o);
    std::vector<std::string> media;
    for (const auto& s : specs)
        if (s.name.rfind("heartbeatd-", 0) == 0) media.push_back(s.name);

    ipc::BusRouter bus(io, zmq_context, ipc::bus_endpoint(o.run_dir), log);
    // The incarnation (pid) of each child that last spoke on the bus: nothing is sent to a child
    // before it has connected (zmq would drop it and log), and a new one gets a heartbeat at once.
    std::map<std::string, std::string> child_pids;
    auto connected = [&child_pids](const std::string& child) { return child_pids.count(child) > 0; };
    HeartbeatSourceParams source{config.local_node, *uuid, *generation,
                                 default_ttl(config.ha_cf.hopfudge, config.ha_cf.nodes.size()), read_proc_loadavg};
    ClusterShell cluster(io, config, clock, log, source, media,
                         [&bus, &connected](const std::string& child, const ipc::Message& m) {
                             if (connected(child)) bus.send(child, m);
                         });
    ChildSupervisor children(io, clock, log, RespawnParams{});
    for (auto& s : specs) children.add(std::move(s));

    auto publish = [&] { table->publish(to_snapshot(cluster.view())); };
    bool stopping = false;
    boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    boost::asio::signal_set hup(io, SIGHUP);
    boost::asio::signal_set chld(io, SIGCHLD);
    boost::asio::steady_timer shutdown_timer(io);
    boost::asio::steady_timer rscd_beat(io);
    auto finish = [&] {
        shutdown_timer.cancel();
        cluster.announce_shutdown();
        cluster.stop();
        children.stop_all(std::chrono::seconds(10), [&] {
            log.info("{} hamaster shutdown complete.", config.local_node);
            hup.cancel();
            chld.cancel();
            stop_signals.cancel();
            rscd_beat.cancel();
            io.stop();
        });
    };

    std::function<void()> after_rsc_change;
    ResourceOwnerParams rp;
    rp.local_node = config.local_node;
    rp.peer_node = config.peers().empty() ? std::string() : config.peers().front();
    rp.groups = config.haresources.groups;
    rp.auto_failback = config.ha_cf.auto_failback;
    ResourceShell resources(io, rp, clock, log,
                            ResourceShell::Outputs{
                                [&](ipc::Message m) { cluster.send_cluster(std::move(m)); },
                                [&](const ipc::Message& m) { return connected("rscd") && bus.send("rscd", m); },
                                [&] {
                                    if (stopping) finish();
                                },
                                [&] {
                                    publish();
                                    if (after_rsc_change) after_rsc_change();
                                }});
    // ipfaild: ping-node verdicts in, the peer's status and our rsc_hold out, its messages to the
    // peer's ipfail stamped as an API client's.
    const std::string peer = rp.peer_node;
    std::string last_rsc_hold_told;
    auto tell_ipfaild = [&](bool force) {
        if (children.pid_of("ipfaild") <= 0) return;
        if (force) {  // a new ipfaild: tell it the peer's status (changes follow from on_events)
            const auto nodes = cluster.view().nodes;
            ipc::Message ns;
            ns.add("t", "node_status");
            ns.add("node", peer);
            ns.add("st", nodes.size() > 1 ? nodes[1].status : "init");
            bus.send("ipfaild", ns);
        }
        const std::string hold = resources.rsc_hold_word();
        if (hold != "transition" && (force || hold != last_rsc_hold_told)) {
            ipc::Message rh;
            rh.add("t", "rsc_hold");
            rh.add("word", hold);
            bus.send("ipfaild", rh);
            last_rsc_hold_told = hold;
        }
    };
    cluster.on_change = [&] {
        publish();
        tell_ipfaild(false);
    };
    after_rsc_change = [&] { tell_ipfaild(false); };
    cluster.on_events = [&](const std::vector<ClusterEvent>& events) {
        for (const auto& e : events) {
            const auto* changed = std::get_if<NodeStatusChanged>(&e);
            if (changed && changed->node == peer && children.pid_of("ipfaild") > 0) {
                ipc::Message ns;
                ns.add("t", "node_status");
                ns.add("node", peer);
                ns.add("st", changed->new_status);
                bus.send("ipfaild", ns);
            }
        }
        resources.on_cluster_events(events);
    };
    cluster.on_peer_message = [&](const ipc::Message& m) {
        if (m.get_or("from_id", "") == "ipfail" || m.get_or("to_id", "") == "ipfail") {
            bus.send("ipfaild", m);
            return;
        }
        resources.on_peer_message(m);
    };
    auto on_ipfaild = [&](ipc::Message m) {
        const auto type = m.type();
        if (m.get_or("_to_peer", "") == "1") {
            m.remove("_to_peer");
            cluster.send_cluster(std::move(m), Origin::api_client);
        } else if (type == "ping_status") {
            cluster.set_ping_status(m.get_or("node", ""), m.get_or("st", "") == "up");
        } else if (type == "standby") {
            resources.standby(m.get_or("rsc_hold", "all"));
        } else if (type == "ipfail_release") {
            resources.set_isolated(true);
        } else if (type == "ipfail_ok") {
            resources.set_isolated(false);
        } else {
            log.error("dropped message from ipfaild: unexpected type [{}]", type);
        }
    };
    cluster.decorate_view = [&](ClusterView& v) { v.rsc_hold = resources.rsc_hold_word(); };

    // rscd releases everything when the master falls silent: tell it we live, every keepalive.
    std::function<void()> beat_rscd = [&] {
        ipc::Message alive;
        alive.add("t", "master_alive");
        if (connected("rscd")) bus.send("rscd", alive);
        rscd_beat.expires_after(config.ha_cf.keepalive);
        rscd_beat.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) beat_rscd();
        });
    };
    if (!config.haresources.groups.empty()) beat_rscd();
    bus.on_message([&](std::string_view identity, ipc::Message m) {
        std::string child(identity);
        children.on_liveness(child);
        bool fresh = false;  // a new incarnation of this child said hello (its liveness beat)
        auto it = child_pids.try_emplace(child).first;  // any message: it is connected
        if (m.type() == "liveness") {
            const std::string pid = m.get_or("pid", "");
            fresh = pid != it->second;
            it->second = pid;
        }
        if (child == "ipfaild") {
            if (m.type() == "liveness") {
                if (fresh) {
                    resources.set_isolated(false);  // a new ipfaild starts with no verdict
                    tell_ipfaild(true);
                }
                return;
            }
            on_ipfaild(std::move(m));
            return;
        }
        if (child == "rscd") {
            if (m.type() == "liveness") {
                if (fresh) {
                    ipc::Message ready;
                    ready.add("t", "rscd_ready");
                    resources.on_rscd_message(ready);
                }
                return;
            }
            resources.on_rscd_message(m);
            return;
        }
        if (fresh) cluster.heartbeat_now();  // the peer hears us without waiting a keepalive
        if (m.type() == "liveness") return;
        cluster.on_media_message(child, std::move(m));
    });
    ipc::ControlServer control(io, zmq_context, ipc::control_endpoint(o.run_dir), log, [&](const ipc::Message& request) {
        const auto type = request.type();
        if (type == "standby" || type == "takeover") {
            ipc::Message reply;
            reply.add("t", "control_reply");
            const std::string kind = request.get_or("rsc_hold", "all");
            reply.add("out", type == "standby" ? resources.standby(kind) : resources.takeover(kind));
            reply.add("rc", "0");
            return reply;
        }
        return handle_control(request, cluster.view());
    });

    std::function<void()> wait_chld = [&] {
        chld.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec) return;
            children.reap();
            wait_chld();
        });
    };
    auto reload = [&] {
        load.local_addresses = local_ipv4_addresses();  // as at start: skip `ucast eth1 <own address>`
        auto next = conf::load_config(o.config_dir, o.node, load);
        bool errors = false;
        for (const auto& d : next.diagnostics) {
            if (d.severity == conf::Severity::error) {
                errors = true;
                log.error("{}", conf::render(d));
            } else if (d.severity == conf::Severity::warning) {
                log.warn("{}", conf::render(d));
            }
        }
        if (errors || !next.ok()) {
            log.error("New configuration failed validation; keeping the running configuration.");
            return;
        }
        const ReloadPlan plan = plan_reload(config, *next.config, resources.busy_groups(next.config->haresources.groups));
        for (const auto& note : plan.notes) log.info("{}", note);
        for (const auto& warning : plan.warnings) log.warn("{}", warning);
        if (plan.groups) {
            // rscd swaps first; `config` follows once the resource owner has the new groups too.
            resources.reload_groups(next.config->haresources.groups,
                                    [&config, haresources = next.config->haresources] { config.haresources = haresources; });
        }
        const auto& n = next.config->ha_cf;
        if (plan.timings) {
            config.ha_cf.keepalive = n.keepalive;
            config.ha_cf.deadtime = n.deadtime;
            config.ha_cf.warntime = n.warntime;
            config.ha_cf.initdead = n.initdead;
            config.ha_cf.deadping = n.deadping;
            for (const char* key : {"keepalive", "deadtime", "warntime", "initdead", "deadping"}) {
                if (auto it = n.raw_.find(key); it != n.raw_.end()) config.ha_cf.raw_[key] = it->second;
                else config.ha_cf.raw_.erase(std::string(key));
            }
            cluster.set_timings(n);
        }
        if (plan.children) {
            config.ha_cf.media = n.media;
            config.ha_cf.udpport = n.udpport;
            config.ha_cf.baud = n.baud;
            config.ha_cf.ping_nodes = n.ping_nodes;
            config.ha_cf.respawns = n.respawns;
            config.ha_cf.env = n.env;
            config.ha_cf.realtime = n.realtime;
            config.ha_cf.debug = n.debug;
            children.reconcile(child_specs(config, o));
        }
        config.authkeys = next.config->authkeys;  // the media daemons re-read authkeys on SIGHUP
        for (const auto& media_child : media) {
            if (pid_t pid = children.pid_of(media_child); pid > 0) ::kill(pid, SIGHUP);
        }
        publish();
    };
    std::function<void()> wait_hup = [&] {
        hup.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec) return;
            log.info("SIGHUP: reopening log files and reloading the configuration");
            if (auto* f = dynamic_cast<ipc::FileLog*>(&log)) f->reopen();
            reload();
            wait_hup();
        });
    };
    std::function<void()> wait_stop = [&] {
        stop_signals.async_wait([&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (stopping) {
                log.warn("Signal {} again: stopping now without waiting for the resources", signo);
                finish();
                return;
            }
            stopping = true;
            log.info("Heartbeat shutdown in progress. ({})", ::getpid());
            shutdown_timer.expires_after(std::chrono::minutes(5));
            shutdown_timer.async_wait([&](const boost::system::error_code& e) {
                if (e) return;
                log.error("Resources not released after 5 minutes; stopping anyway");
                finish();
            });
            resources.shutdown();
            wait_stop();
        });
    };
    wait_stop();
    wait_chld();
    wait_hup();

    children.start_all();
    cluster.start();
    publish();
    io.run();
    return 0;
}

int run_status(const Options& o) {
    ipc::Message req;
    req.add("t", "cl_status");
    req.add("cmd", "status");
    auto reply = ipc::control_request(o.run_dir, req, std::chrono::seconds(5));
    if (!reply) {
        std::cout << "hamaster is stopped on this machine (" << reply.error().message << ").\n";
        return 3;  // LSB: not running
    }
    std::cout << reply->get_or("out", "");
    return 0;
}

}  // namespace ha::master
