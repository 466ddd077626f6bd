// spawn — see spawn.hpp.
#include "ipc/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "ipc/daemon.hpp"

namespace ha::ipc {

namespace {

// The signals hamaster processes catch or ignore; a child starts with them at default.
constexpr int kHandledSignals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2};

}  // namespace

Result<pid_t> spawn(const SpawnRequest& request) {
    if (request.argv.empty() || request.argv[0].empty()) return make_error("usage", "empty command line");
    std::vector<char*> argv;
    argv.reserve(request.argv.size() + 1);
    for (const auto& a : request.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(request.env.size() + 1);
    for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const int devnull = request.stdin_fd < 0 ? ::open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
    if (request.stdin_fd < 0 && devnull < 0) return make_error("fork", fmt::format("/dev/null: {}", std::strerror(errno)));
    const int in = request.stdin_fd < 0 ? devnull : request.stdin_fd;

    // Block every signal across fork, so no handler of ours runs in the child before exec.
    sigset_t all, old;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        for (int sig : kHandledSignals) ::signal(sig, SIG_DFL);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (request.new_session) ::setsid();
        // The extra fd first moves above 3, so neither the dup2s onto 0-2 (whose sources may be
        // 3) nor its own number can clobber it; dup2 onto 3 from another number also clears
        // close-on-exec, which dup2(3, 3) would not.
        const int extra = request.extra_fd >= 0 ? ::fcntl(request.extra_fd, F_DUPFD, 4) : -1;
        // Out of fds (EMFILE) is a passing shortage, not a bad program: an ordinary failure the
        // respawn policy retries, unlike exec's 127.
        if (request.extra_fd >= 0 && extra < 0) ::_exit(1);
        ::dup2(in, STDIN_FILENO);
        if (request.stdout_fd >= 0) ::dup2(request.stdout_fd, STDOUT_FILENO);
        if (request.stderr_fd >= 0) ::dup2(request.stderr_fd, STDERR_FILENO);
        if (extra >= 0) ::dup2(extra, 3);
        ::syscall(SYS_close_range, extra >= 0 ? 4U : 3U, ~0U, 0U);
        if (request.uid) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(request.gid) != 0 || ::setuid(*request.uid) != 0) ::_exit(kExitNoPerm);
        }
        ::execve(argv[0], argv.data(), envp.data());
        if (request.exec_failed_note != nullptr) {
            [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, request.exec_failed_note, std::strlen(request.exec_failed_note));
        }
        ::_exit(kExitExecFailed);
    }
    const int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (devnull >= 0) ::close(devnull);
    if (pid < 0) return make_error("fork", std::strerror(fork_errno));
    return pid;
}

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    return env;
}

Result<std::pair<uid_t, gid_t>> lookup_user(const std::string& name) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return make_error("no_user", fmt::format("no such user \"{}\"", name));
    return std::pair{pw.pw_uid, pw.pw_gid};
}

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::sigabbrev_np(WTERMSIG(status));
        return fmt::format("killed by signal SIG{}{}", name ? name : std::to_string(WTERMSIG(status)).c_str(),
                           WCOREDUMP(status) ? " (core dumped)" : "");
    }
    return fmt::format("wait status {:#x}", status);
}

}  // namespace ha::ipc
