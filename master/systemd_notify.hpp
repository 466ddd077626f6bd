// SystemdNotify — systemd's readiness protocol (sd_notify(3)) for `Type=notify` and `WatchdogSec=`.
//
// Implemented by hand rather than linking libsystemd: the protocol is one datagram of
// "KEY=VALUE\n" lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for
// the abstract namespace), systemd documents it as a stable interface, and this is all of it the
// master needs (READY, STATUS, WATCHDOG, STOPPING, MAINPID). Without $NOTIFY_SOCKET (started by
// the init script, a terminal or the tests) every call does nothing.
//
// The variables are read once and then removed from the environment, so no child (rscd, resource
// agents, the daemons those start) inherits them and notifies in the master's name.
// Sending never blocks the event loop (MSG_DONTWAIT); a failed send is logged once per failure
// streak (WARN "systemd notify: cannot send to SOCKET: ...") and the master runs on.
// Watchdog: feed_interval() is half of $WATCHDOG_USEC (as sd_watchdog_enabled(3) advises), and
// only when $WATCHDOG_PID is unset or names this process.
// See also: master/master_run.cpp (when each message goes), packaging/hamaster.service.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ipc/log.hpp"
#include "master/cluster_view.hpp"

namespace ha::master {

// The STATUS= text for the cluster state, one line: "web1 active, web2 dead; resources: all"
// plus "waiting for the peer (initdead)" while that lasts. Pure, for the unit tests.
std::string notify_status_text(const ClusterView& view);

class SystemdNotify {
public:
    // Reads (and unsets) NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID.
    explicit SystemdNotify(ipc::Log& log);
    ~SystemdNotify();
    SystemdNotify(const SystemdNotify&) = delete;
    SystemdNotify& operator=(const SystemdNotify&) = delete;

    bool enabled() const { return fd_ >= 0; }
    // How often to send WATCHDOG=1; empty when systemd asked for no watchdog (or not for us).
    std::optional<std::chrono::microseconds> feed_interval() const { return feed_interval_; }

    // READY=1 with MAINPID (this process: right even when a daemonizing launcher was the one
    // systemd started) and the first STATUS.
    void ready(const std::string& status);
    // STATUS=, only when the text changed since the last one sent.
    void status(const std::string& status);
    void watchdog() { send("WATCHDOG=1\n"); }
    void stopping() { send("STOPPING=1\nSTATUS=stopping: handing over resources\n"); }

private:
    void send(const std::string& message);

    ipc::Log& log_;
    std::string socket_;
    int fd_ = -1;
    std::optional<std::chrono::microseconds> feed_interval_;
    std::string last_status_;
    bool failing_ = false;
};

}  // namespace ha::master
