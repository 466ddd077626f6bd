// ProcessLauncher — see process_launcher.hpp.
#include "rscd/process_launcher.hpp"

#include "ipc/config/script_security.hpp"
#include "ipc/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cerrno>
#include <cstring>


namespace ha::rsc {

namespace asio = boost::asio;

struct ProcessLauncher::Child {
    Child(asio::io_context& io, int out_fd, int err_fd) : out(io, out_fd), err(io, err_fd), timer(io) {}
    pid_t pid = -1;
    std::string path;
    asio::posix::stream_descriptor out;
    asio::posix::stream_descriptor err;
    asio::steady_timer timer;
    std::string out_text;
    std::string err_text;
    bool timed_out = false;
    bool finished = false;
    Done done;
};

namespace {

void append_capped(std::string& to, const char* data, std::size_t n) {
    const std::size_t room = ProcessLauncher::kMaxOutputBytes - std::min(to.size(), ProcessLauncher::kMaxOutputBytes);
    to.append(data, std::min(n, room));
}

// Reads one pipe on the loop until EOF or until the child is finished.
void read_pipe(const std::shared_ptr<ProcessLauncher::Child>& child, asio::posix::stream_descriptor& pipe, std::string& to) {
    auto buf = std::make_shared<std::array<char, 4096>>();
    pipe.async_read_some(asio::buffer(*buf), [child, &pipe, &to, buf](const boost::system::error_code& ec, std::size_t n) {
        if (child->finished) return;
        append_capped(to, buf->data(), n);
        if (!ec) read_pipe(child, pipe, to);
    });
}

// After the child is reaped: take what is already in the pipe, without waiting for EOF.
void drain(asio::posix::stream_descriptor& pipe, std::string& to) {
    if (!pipe.is_open()) return;
    std::array<char, 4096> buf{};
    for (int i = 0; i < 64; ++i) {
        const ssize_t n = ::read(pipe.native_handle(), buf.data(), buf.size());
        if (n <= 0) break;
        append_capped(to, buf.data(), static_cast<std::size_t>(n));
    }
    boost::system::error_code ignored;
    pipe.close(ignored);
}

}  // namespace

std::vector<std::string> ProcessLauncher::minimal_environment() { return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}; }

ProcessLauncher::ProcessLauncher(asio::io_context& io, ipc::Log& log, std::chrono::milliseconds kill_grace,
                                 std::vector<std::string> environment)
    : io_(io), log_(log), kill_grace_(kill_grace), environment_(std::move(environment)), sigchld_(io, SIGCHLD) {
    wait_sigchld();
}

ProcessLauncher::~ProcessLauncher() {
    // Children still running are left alone here; the executor stops resources, not processes.
    for (auto& [pid, child] : children_) child->finished = true;
}

void ProcessLauncher::wait_sigchld() {
    sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        reap();
        wait_sigchld();
    });
}

void ProcessLauncher::reap() {
    while (true) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;  // 0: none left that exited; -1: no children (ECHILD)
        auto it = children_.find(pid);
        if (it == children_.end()) continue;  // not ours (cannot happen in rscd; harmless)
        auto child = it->second;
        children_.erase(it);
        finish(child, status);
    }
}

void ProcessLauncher::finish(const std::shared_ptr<Child>& child, int wait_status) {
    drain(child->out, child->out_text);
    drain(child->err, child->err_text);
    child->finished = true;
    child->timer.cancel();
    AgentResult r;
    r.out = std::move(child->out_text);
    r.err = std::move(child->err_text);
    if (child->timed_out) {
        r.kind = AgentResult::Kind::timed_out;
    } else if (WIFEXITED(wait_status)) {
        r.kind = AgentResult::Kind::exited;
        r.code = WEXITSTATUS(wait_status);
    } else {
        r.kind = AgentResult::Kind::signaled;
        r.code = WTERMSIG(wait_status);
    }
    r.pid = child->pid;
    Done done = std::move(child->done);
    done(std::move(r));
}

void ProcessLauncher::launch(const AgentCommand& command, std::chrono::milliseconds timeout, Done done) {
    auto fail = [&](const char* what, std::string why = {}) {
        if (why.empty()) why = std::strerror(errno);
        log_.error("cannot run {}: {}: {}", command.argv.empty() ? "?" : command.argv[0], what, why);
        AgentResult r;
        r.kind = AgentResult::Kind::spawn_failed;
        asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
    };
    if (command.argv.empty() || command.argv[0].empty()) {
        errno = EINVAL;
        return fail("empty command");
    }
    // A missing agent goes on to fail exec (127), as before; only an unsafe one is refused here.
    if (auto safe = conf::check_script_security(command.argv[0]); !safe && safe.error().code != "missing") {
        log_.error("refusing to run {}: {} (scripts run as root must be root's and not group/world-writable)",
                   command.argv[0], safe.error().message);
        AgentResult r;
        r.kind = AgentResult::Kind::spawn_failed;
        asio::post(io_, [done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
        return;
    }
    // Everything the child needs, built before fork: our fixed environment, `command.env` on top.
    ipc::SpawnRequest request;
    request.argv = command.argv;
    for (const auto& kv : environment_) {
        const auto name = kv.substr(0, kv.find('='));
        bool overridden = false;
        for (const auto& add : command.env) overridden |= add.compare(0, name.size() + 1, name + "=") == 0;
        if (!overridden) request.env.push_back(kv);
    }
    for (const auto& add : command.env) request.env.push_back(add);
    request.new_session = true;  // the timeout signals the whole process group
    request.exec_failed_note = "rscd: exec failed\n";

    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail("pipe");
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return fail("pipe");
    }
    request.stdout_fd = out_pipe[1];
    request.stderr_fd = err_pipe[1];
    const auto spawned = ipc::spawn(request);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (!spawned) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        return fail(spawned.error().code.c_str(), spawned.error().message);
    }
    const pid_t pid = *spawned;

    auto child = std::make_shared<Child>(io_, out_pipe[0], err_pipe[0]);
    child->pid = pid;
    child->path = command.argv[0];
    child->done = std::move(done);
    child->out.non_blocking(true);
    child->err.non_blocking(true);
    children_[pid] = child;
    read_pipe(child, child->out, child->out_text);
    read_pipe(child, child->err, child->err_text);

    child->timer.expires_after(timeout);
    child->timer.async_wait([this, child](const boost::system::error_code& ec) {
        if (ec || child->finished) return;
        child->timed_out = true;
        ::kill(-child->pid, SIGTERM);
        child->timer.expires_after(kill_grace_);
        child->timer.async_wait([this, child](const boost::system::error_code& ec2) {
            if (ec2 || child->finished) return;
            log_.warn("{} [{}] did not exit on SIGTERM; sending SIGKILL", child->path, child->pid);
            ::kill(-child->pid, SIGKILL);
        });
    });
}

}  // namespace ha::rsc
