// RespawnPolicy: respawn backoff, permanent exits, hung children. See respawn_policy.hpp.
#include "master/core/respawn_policy.hpp"

#include <sys/wait.h>

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

namespace ha::master {

using std::chrono::milliseconds;

ChildExit ChildExit::from_wait_status(int status) {
    if (WIFSIGNALED(status)) return signaled(WTERMSIG(status));
    return exited(WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

std::string signal_name(int signo) {
    switch (signo) {
        case SIGHUP: return "SIGHUP";
        case SIGINT: return "SIGINT";
        case SIGQUIT: return "SIGQUIT";
        case SIGILL: return "SIGILL";
        case SIGTRAP: return "SIGTRAP";
        case SIGABRT: return "SIGABRT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGKILL: return "SIGKILL";
        case SIGUSR1: return "SIGUSR1";
        case SIGSEGV: return "SIGSEGV";
        case SIGUSR2: return "SIGUSR2";
        case SIGPIPE: return "SIGPIPE";
        case SIGALRM: return "SIGALRM";
        case SIGTERM: return "SIGTERM";
        case SIGCHLD: return "SIGCHLD";
        case SIGCONT: return "SIGCONT";
        case SIGSTOP: return "SIGSTOP";
        case SIGTSTP: return "SIGTSTP";
        case SIGSYS: return "SIGSYS";
        case SIGXCPU: return "SIGXCPU";
        case SIGXFSZ: return "SIGXFSZ";
        default: return fmt::format("signal {}", signo);
    }
}

std::string ChildExit::describe() const {
    if (kind == Kind::signaled) return fmt::format("killed by signal {}", signal_name(value));
    return fmt::format("exit status {}", value);
}

namespace {

std::string_view exit_code_name(int code) {
    switch (code) {
        case 77: return " (EX_NOPERM)";
        case 78: return " (EX_CONFIG)";
        case 127: return " (exec failed)";
        default: return "";
    }
}

}  // namespace

RespawnPolicy::RespawnPolicy(RespawnParams params, ipc::Log& log) : params_(std::move(params)), log_(log) {}

void RespawnPolicy::on_started(std::string_view child, int pid, ipc::SteadyTime now) {
    auto it = children_.find(child);
    if (it == children_.end()) it = children_.emplace(std::string(child), Child{}).first;
    Child& c = it->second;
    c.pid = pid;
    c.running = true;
    c.hung_reported = false;
    c.given_up = false;
    c.started_at = now;
    c.last_beat = now;
    c.respawn_at.reset();
}

void RespawnPolicy::on_liveness(std::string_view child, ipc::SteadyTime now) {
    auto it = children_.find(child);
    if (it == children_.end() || !it->second.running) return;
    it->second.last_beat = now;
}

RespawnDecision RespawnPolicy::on_exit(std::string_view child, ChildExit exit, ipc::SteadyTime now) {
    auto it = children_.find(child);
    if (it == children_.end()) it = children_.emplace(std::string(child), Child{.started_at = now}).first;
    Child& c = it->second;
    const bool was_running = c.running;
    c.running = false;
    RespawnDecision decision;

    const auto& permanent = params_.permanent_exit_codes;
    if (exit.kind == ChildExit::Kind::exited &&
        std::find(permanent.begin(), permanent.end(), exit.value) != permanent.end()) {
        c.given_up = true;
        c.respawn_at.reset();
        log_.error("Child {} (pid {}) exited with status {}{}: not respawning", it->first, c.pid, exit.value,
                   exit_code_name(exit.value));
        return decision;
    }

    const milliseconds lived = std::chrono::duration_cast<milliseconds>(now - c.started_at);
    if (exit.kind == ChildExit::Kind::exited && exit.value == 0 && was_running && lived >= params_.clean_exit_min_life) {
        // A deliberate exit (rscd released everything because the master fell silent): the child
        // did nothing wrong, and every moment it is away costs the cluster. Back at once; the
        // back-off is neither raised nor reset.
        c.respawn_at = now;
        decision.respawn = true;
        decision.at = c.respawn_at;
        log_.warn("Respawning child {} (pid {}) after {} in 0 ms (a clean exit, not a crash)", it->first, c.pid,
                  exit.describe());
        return decision;
    }
    milliseconds delay = c.initial_delay.value_or(params_.initial_delay);
    if (c.last_delay && !(was_running && lived >= params_.stable_after)) {
        delay = std::min(std::max(*c.last_delay * 2, milliseconds(100)), params_.max_delay);
    }
    c.last_delay = delay;
    c.respawn_at = now + delay;
    decision.respawn = true;
    decision.delay = delay;
    decision.at = c.respawn_at;
    if (exit.kind == ChildExit::Kind::signaled) {
        log_.warn("Respawning child {} (pid {}) after it was {} in {} ms", it->first, c.pid, exit.describe(),
                  delay.count());
    } else {
        log_.warn("Respawning child {} (pid {}) after {} in {} ms", it->first, c.pid, exit.describe(), delay.count());
    }
    return decision;
}

void RespawnPolicy::set_initial_delay(std::string_view child, milliseconds delay) {
    auto it = children_.find(child);
    if (it == children_.end()) it = children_.emplace(std::string(child), Child{}).first;
    it->second.initial_delay = delay;
}

void RespawnPolicy::set_beats(std::string_view child, bool required) {
    auto it = children_.find(child);
    if (it == children_.end()) it = children_.emplace(std::string(child), Child{}).first;
    it->second.beats = required;
}

std::vector<RespawnAction> RespawnPolicy::on_tick(ipc::SteadyTime now) {
    std::vector<RespawnAction> actions;
    for (auto& [name, c] : children_) {
        if (!c.running && c.respawn_at && *c.respawn_at <= now) {
            c.respawn_at.reset();
            actions.push_back(RespawnAction{RespawnActionKind::respawn, name, c.pid});
        } else if (c.running && c.beats && !c.hung_reported && now - c.last_beat >= hang_after() &&
                   now - (c.last_beat + hang_after()) > params_.liveness_interval) {
            // The tick came more than a beat interval after the hang deadline: the master itself was
            // not running (frozen, or its loop stalled), so the child's silence is not proven —
            // its beats may still be on their way. Judge again after one more interval, awake.
            c.last_beat = now - hang_after() + params_.liveness_interval;
        } else if (c.running && c.beats && !c.hung_reported && now - c.last_beat >= hang_after()) {
            c.hung_reported = true;
            log_.warn("Child {} (pid {}) hung: no liveness beat for {} ms; killing it", name, c.pid,
                      std::chrono::duration_cast<milliseconds>(now - c.last_beat).count());
            actions.push_back(RespawnAction{RespawnActionKind::kill_hung, name, c.pid});
        }
    }
    return actions;
}

std::optional<ipc::SteadyTime> RespawnPolicy::next_deadline() const {
    std::optional<ipc::SteadyTime> next;
    auto consider = [&next](ipc::SteadyTime t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& [name, c] : children_) {
        if (!c.running && c.respawn_at) consider(*c.respawn_at);
        if (c.running && c.beats && !c.hung_reported) consider(c.last_beat + hang_after());
    }
    return next;
}

void RespawnPolicy::forget(std::string_view child) {
    if (auto it = children_.find(child); it != children_.end()) children_.erase(it);
}

bool RespawnPolicy::given_up(std::string_view child) const {
    auto it = children_.find(child);
    return it != children_.end() && it->second.given_up;
}

}  // namespace ha::master
