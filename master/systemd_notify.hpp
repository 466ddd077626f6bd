// SystemdNotify — systemd's readiness protocol for `Type=notify` and `WatchdogSec=`, through
// libsystemd's sd_pid_notify(3) and sd_watchdog_enabled(3).
//
// libsystemd rather than a hand-written datagram: it is the reference client of the protocol, so
// hamaster gets what systemd adds to it without tracking it here — $NOTIFY_SOCKET as a path, an
// "@abstract" name or (newer systemd) a vsock address, the sender credentials systemd checks
// against NotifyAccess=, and the $WATCHDOG_PID check (a watchdog meant for another process is
// not ours to feed). Without $NOTIFY_SOCKET (started by the init script, a terminal or the tests)
// every call does nothing.
//
// Never blocks the event loop: libsystemd's send is a blocking sendmsg(), and a receiver that
// does not read (systemd stuck, a full datagram queue: net.unix.max_dgram_qlen) would stop the
// caller for as long. So the messages go to one sender thread through a small queue that keeps
// order and coalesces: a newer STATUS= replaces one not yet sent, a WATCHDOG=1 already waiting is
// enough. Only ready() waits for its message to be sent (at most kReadyWait), because the
// launcher exits right after it and systemd must have READY=1 and MAINPID= by then.
// A failed send is logged once per failure streak (WARN "systemd notify: cannot send to SOCKET:
// ...", from the thread that calls this class, never from the sender) and the master runs on.
//
// Environment: WATCHDOG_USEC and WATCHDOG_PID are read and removed at construction
// (sd_watchdog_enabled); NOTIFY_SOCKET must stay in the master's environment, as libsystemd reads
// it at every send, and spawn_child() removes it from every child's (is_notify_variable), so that
// no child (rscd, resource agents, the daemons those start) notifies in the master's name.
// Watchdog: feed_interval() is half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises.
// See also: master/master_run.cpp (when each message goes), packaging/hamaster.service.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "ipc/log.hpp"
#include "master/cluster_view.hpp"

namespace ha::master {

// The STATUS= text for the cluster state, one line: "web1 active, web2 dead; resources: all"
// plus "waiting for the peer (initdead)" while that lasts. Pure, for the unit tests.
std::string notify_status_text(const ClusterView& view);

// True for an environment entry ("NAME=value") of systemd's notify protocol, which a child of the
// master must not inherit: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID.
bool is_notify_variable(std::string_view env_entry);

class SystemdNotify {
public:
    static constexpr std::chrono::milliseconds kReadyWait{5000};

    // The unit's ExecStart daemonizes: systemd set WATCHDOG_PID to the launcher it started, and
    // the daemon's MAINPID= makes the daemon the process whose watchdog systemd checks. Called in
    // the daemon before SystemdNotify is built: a WATCHDOG_PID naming `launcher` is pointed at
    // this process, so that sd_watchdog_enabled() hands the watchdog to the daemon (otherwise it
    // would never be fed and systemd would abort the service every WatchdogSec).
    static void adopt_watchdog(pid_t launcher);

    // Reads NOTIFY_SOCKET (kept) and the watchdog variables (removed); starts the sender thread
    // (all signals blocked in it: they belong to the event loop) when there is a socket to notify.
    explicit SystemdNotify(ipc::Log& log);
    // Lets the sender send what is queued (STOPPING=1 at the latest) for a moment, then leaves it:
    // a sender stuck in a send does not keep the master from exiting.
    ~SystemdNotify();
    SystemdNotify(const SystemdNotify&) = delete;
    SystemdNotify& operator=(const SystemdNotify&) = delete;

    bool enabled() const { return outbox_ != nullptr; }
    // How often to send WATCHDOG=1; empty when systemd asked for no watchdog (or not for us).
    std::optional<std::chrono::microseconds> feed_interval() const { return feed_interval_; }

    // READY=1 with MAINPID (this process: right even when a daemonizing launcher was the one
    // systemd started) and the first STATUS; returns once it was sent (or failed, or kReadyWait).
    void ready(const std::string& status);
    // STATUS=, only when the text changed since the last one queued.
    void status(const std::string& status);
    void watchdog();
    void stopping();

    struct Outbox;  // shared with the sender thread (systemd_notify.cpp)

private:
    enum class Kind { ready, status, watchdog, stopping };
    void post(Kind kind, std::string message, bool wait = false);
    void report_failures();

    ipc::Log& log_;
    std::string socket_;
    std::optional<std::chrono::microseconds> feed_interval_;
    std::string last_status_;
    bool failing_ = false;
    std::shared_ptr<Outbox> outbox_;
    std::thread sender_;
};

}  // namespace ha::master
