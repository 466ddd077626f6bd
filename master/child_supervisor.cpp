#include "master/child_supervisor.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "master/spawn.hpp"

#include <algorithm>

namespace ha::master {

ChildSupervisor::ChildSupervisor(boost::asio::io_context& io, const ipc::Clock& clock, ipc::Log& log, RespawnParams params)
    : clock_(clock), log_(log), policy_(params, log), timer_(io), stop_timer_(io) {}

void ChildSupervisor::add(ChildSpec spec) {
    std::string name = spec.name;
    policy_.set_beats(name, spec.beats);
    if (spec.urgent) policy_.set_initial_delay(name, std::chrono::milliseconds(0));
    children_[name] = Child{std::move(spec), 0};
}

void ChildSupervisor::start_all() {
    for (auto& [name, child] : children_) start(child);
    arm_timer();
}

void ChildSupervisor::start(Child& child) {
    std::vector<std::string> argv = child.spec.argv;
    SpawnOptions options = child.spec.spawn;
    int lane[2] = {-1, -1};  // [0] ours, [1] the child's fd 3
    if (child.spec.lane) {
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, lane) != 0) {
            failed_start(child, fmt::format("cannot make its bus lane: socketpair: {}", std::strerror(errno)));
            return;
        }
        argv.insert(argv.end(), {"--bus-fd", "3"});
        options.lane_fd = lane[1];
    }
    auto pid = spawn_child(argv, options);
    if (lane[1] >= 0) ::close(lane[1]);
    if (!pid) {
        if (lane[0] >= 0) ::close(lane[0]);
        failed_start(child, pid.error().message);
        return;
    }
    child.pid = *pid;
    if (lane[0] >= 0) {
        if (on_lane) on_lane(child.spec.name, lane[0]);
        else ::close(lane[0]);
    }
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    log_.info("Starting child {} (pid {}): {}", child.spec.name, child.pid, cmd);
    policy_.on_started(child.spec.name, child.pid, clock_.now());
    if (on_child_started) on_child_started(child.spec.name);
}

void ChildSupervisor::failed_start(Child& child, const std::string& why) {
    log_.error("Cannot start child {}: {}", child.spec.name, why);
    // Treat like a crash at once so the policy backs off.
    policy_.on_started(child.spec.name, 0, clock_.now());
    policy_.on_exit(child.spec.name, ChildExit::exited(1), clock_.now());
}

void ChildSupervisor::reap() {
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) break;
        for (auto& [name, child] : children_) {
            if (child.pid != pid) continue;
            child.pid = 0;
            if (child.retired) {
                log_.info("Child {} (pid {}) stopped after reload: {}", name, pid, describe_wait_status(status));
                policy_.forget(name);
            } else if (child.restart && !stopping_) {
                child.restart = false;
                log_.info("Child {} (pid {}) stopped for its new command line: {}", name, pid, describe_wait_status(status));
                policy_.forget(name);
                policy_.set_beats(name, child.spec.beats);
                if (child.spec.urgent) policy_.set_initial_delay(name, std::chrono::milliseconds(0));
                start(child);
            } else if (stopping_) {
                log_.info("Child {} (pid {}) stopped: {}", name, pid, describe_wait_status(status));
            } else {
                const ChildExit exit = ChildExit::from_wait_status(status);
                if (on_child_exited) on_child_exited(name, exit);
                policy_.on_exit(name, exit, clock_.now());
            }
        }
    }
    if (stopping_) check_stopped();
    else arm_timer();
}

void ChildSupervisor::reconcile(std::vector<ChildSpec> wanted) {
    for (auto& [child_name, child] : children_) {
        const std::string& name = child_name;
        bool still = std::any_of(wanted.begin(), wanted.end(), [&name](const ChildSpec& w) { return w.name == name; });
        if (!still && !child.retired) {
            child.retired = true;
            if (child.pid > 0) ::kill(child.pid, SIGTERM);
        }
    }
    for (auto& w : wanted) {
        auto it = children_.find(w.name);
        if (it == children_.end()) {
            std::string name = w.name;
            add(std::move(w));
            start(children_[name]);
            continue;
        }
        Child& child = it->second;
        if (child.spec.argv == w.argv && !child.retired) continue;
        child.spec = std::move(w);
        child.retired = false;
        if (child.pid > 0) {
            child.restart = true;
            ::kill(child.pid, SIGTERM);
        } else {
            start(child);
        }
    }
    std::erase_if(children_, [](const auto& kv) { return kv.second.retired && kv.second.pid == 0; });
    arm_timer();
}

void ChildSupervisor::on_liveness(const std::string& name) {
    if (children_.count(name)) policy_.on_liveness(name, clock_.now());
}

void ChildSupervisor::arm_timer() {
    if (stopping_) return;
    timer_.arm(policy_.next_deadline(), [this] { on_timer(); });
}

void ChildSupervisor::on_timer() {
    if (read_pending) read_pending();  // beats already waiting count before a hang verdict
    if (stopping_) return;
    for (const auto& action : policy_.on_tick(clock_.now())) {
        auto it = children_.find(action.child);
        if (it == children_.end()) continue;
        if (action.kind == RespawnActionKind::kill_hung) {
            if (it->second.pid > 0) ::kill(it->second.pid, SIGKILL);
        } else if (it->second.pid == 0) {
            ++it->second.respawns;
            start(it->second);
        }
    }
    arm_timer();
}

std::map<std::string, std::uint64_t> ChildSupervisor::respawns() const {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [name, child] : children_) out[name] = child.respawns;
    return out;
}

pid_t ChildSupervisor::pid_of(const std::string& name) const {
    auto it = children_.find(name);
    return it == children_.end() ? 0 : it->second.pid;
}

void ChildSupervisor::stop_all(std::chrono::milliseconds grace, std::function<void()> done) {
    stopping_ = true;
    stopped_ = std::move(done);
    timer_.cancel();
    for (auto& [name, child] : children_) {
        if (child.pid > 0) ::kill(child.pid, SIGTERM);
    }
    stop_timer_.expires_after(grace);
    stop_timer_.async_wait([this, grace](const boost::system::error_code& ec) {
        if (ec) return;
        for (auto& [name, child] : children_) {
            if (child.pid <= 0) continue;
            log_.warn("Child {} (pid {}) did not stop in {} ms; killing it", name, child.pid, grace.count());
            ::kill(child.pid, SIGKILL);
        }
    });
    check_stopped();
}

void ChildSupervisor::check_stopped() {
    for (const auto& [name, child] : children_)
        if (child.pid > 0) return;
    stop_timer_.cancel();
    if (stopped_) {
        auto cb = std::move(stopped_);
        stopped_ = nullptr;
        cb();
    }
}

}  // namespace ha::master
