// SystemdNotify — see systemd_notify.hpp.
#include "master/systemd_notify.hpp"

#include <pthread.h>
#include <signal.h>

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>

#include <fmt/format.h>

namespace ha::master {

// What the master's thread and the sender thread share. Items are sent in order; `handled` is the
// id of the last one the sender finished with (sent or not), `error` the errno of the last failed
// send (0 once one succeeds again): the caller's thread logs from it, the sender never logs.
struct SystemdNotify::Outbox {
    struct Item {
        Kind kind;
        std::string text;
        std::uint64_t id;
    };
    std::mutex m;
    std::condition_variable work;  // the sender: an item or quit
    std::condition_variable done;  // ready() and the destructor: an item handled, the sender ended
    std::deque<Item> queue;
    std::uint64_t next_id = 1;
    std::uint64_t handled = 0;
    int error = 0;
    bool quit = false;
    bool finished = false;
};

namespace {

// The sender thread: sends until told to quit and the queue is empty. sd_notify() reads
// NOTIFY_SOCKET itself (kept in the environment) and may block: only this thread waits then.
void run_sender(const std::shared_ptr<SystemdNotify::Outbox>& box) {
    std::unique_lock lock(box->m);
    for (;;) {
        box->work.wait(lock, [&] { return box->quit || !box->queue.empty(); });
        if (box->queue.empty()) break;
        auto item = std::move(box->queue.front());
        box->queue.pop_front();
        lock.unlock();
        const int r = ::sd_notify(0, item.text.c_str());
        lock.lock();
        box->error = r < 0 ? -r : 0;
        box->handled = item.id;
        box->done.notify_all();
    }
    box->finished = true;
    box->done.notify_all();
}

}  // namespace

bool is_notify_variable(std::string_view env_entry) {
    for (std::string_view name : {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID="})
        if (env_entry.substr(0, name.size()) == name) return true;
    return false;
}

std::string notify_status_text(const ClusterView& view) {
    std::string text;
    for (const auto& n : view.nodes) {
        if (n.type == "ping") continue;
        if (!text.empty()) text += ", ";
        text += fmt::format("{} {}", n.name, n.status);
    }
    if (text.empty()) text = fmt::format("{} {}", view.local_node, view.local_status);
    text += fmt::format("; resources: {}", view.rsc_hold);
    if (view.initdead_left) text += "; waiting for the peer (initdead)";
    return text;
}

SystemdNotify::SystemdNotify(ipc::Log& log) : log_(log) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    socket_ = socket != nullptr ? socket : "";
    std::uint64_t usec = 0;
    // Also when there is no socket: the variables go either way (unset_environment = 1), and
    // the WATCHDOG_PID check is libsystemd's.
    const int watchdog = ::sd_watchdog_enabled(1, &usec);
    if (socket_.empty()) return;
    if (watchdog > 0 && usec > 0) {
        feed_interval_ = std::chrono::microseconds(usec / 2);
        log_.info("systemd watchdog: {} ms, fed every {} ms", usec / 1000, usec / 2000);
    } else if (watchdog < 0) {
        log_.warn("systemd watchdog: ignoring WATCHDOG_USEC/WATCHDOG_PID: {}", std::strerror(-watchdog));
    }
    outbox_ = std::make_shared<Outbox>();
    // The sender starts with every signal blocked (as the log writer does): a SIGCHLD or SIGHUP
    // delivered to it would interrupt its send (EINTR) and lose that message.
    sigset_t all{}, old{};
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);
    sender_ = std::thread(run_sender, outbox_);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void SystemdNotify::adopt_watchdog(pid_t launcher) {
    const char* pid = std::getenv("WATCHDOG_PID");
    if (pid != nullptr && std::to_string(launcher) == pid) ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
}

SystemdNotify::~SystemdNotify() {
    if (!outbox_) return;
    std::unique_lock lock(outbox_->m);
    outbox_->quit = true;
    outbox_->work.notify_all();
    // STOPPING=1 was queued when the stop began: normally long sent. A sender stuck in a send
    // keeps its share of the outbox and ends with the process.
    if (outbox_->done.wait_for(lock, std::chrono::seconds(1), [&] { return outbox_->finished; })) {
        lock.unlock();
        sender_.join();
    } else {
        lock.unlock();
        sender_.detach();
    }
}

void SystemdNotify::ready(const std::string& status) {
    last_status_ = status;
    post(Kind::ready, fmt::format("READY=1\nMAINPID={}\nSTATUS={}", ::getpid(), status), true);
}

void SystemdNotify::status(const std::string& status) {
    if (status == last_status_) return;
    last_status_ = status;
    post(Kind::status, "STATUS=" + status);
}

void SystemdNotify::watchdog() { post(Kind::watchdog, "WATCHDOG=1"); }

void SystemdNotify::stopping() { post(Kind::stopping, "STOPPING=1\nSTATUS=stopping: handing over resources"); }

void SystemdNotify::post(Kind kind, std::string message, bool wait) {
    if (!outbox_) return;
    {
        std::unique_lock lock(outbox_->m);
        auto& q = outbox_->queue;
        std::uint64_t id = 0;
        // Coalesce: a newer STATUS= replaces a waiting one (in its place), one waiting
        // WATCHDOG=1 is as good as two. READY and STOPPING are queued as they come.
        for (auto& item : q) {
            if (item.kind == kind && kind == Kind::status) {
                item.text = std::move(message);
                id = item.id;
            } else if (item.kind == kind && kind == Kind::watchdog) {
                id = item.id;
            }
        }
        if (id == 0) {
            id = outbox_->next_id++;
            q.push_back({kind, std::move(message), id});
            outbox_->work.notify_one();
        }
        if (wait) outbox_->done.wait_for(lock, kReadyWait, [&] { return outbox_->handled >= id || outbox_->finished; });
    }
    report_failures();
}

// Logs what the sender found since the last look: the first failure of a streak, and the recovery.
void SystemdNotify::report_failures() {
    int error = 0;
    {
        std::lock_guard lock(outbox_->m);
        error = outbox_->error;
    }
    if (error != 0 && !failing_) {
        failing_ = true;
        log_.warn("systemd notify: cannot send to {}: {}", socket_, std::strerror(error));
    } else if (error == 0 && failing_) {
        failing_ = false;
        log_.info("systemd notify: sending to {} again", socket_);
    }
}

}  // namespace ha::master
