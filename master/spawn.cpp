#include "master/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace ha::master {

Result<std::pair<uid_t, gid_t>> lookup_user(const std::string& name) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return make_error("no_user", fmt::format("no such user \"{}\"", name));
    return std::pair{pw.pw_uid, pw.pw_gid};
}

Result<pid_t> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
    if (argv.empty()) return make_error("usage", "empty command line");
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), options.env.begin(), options.env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    sigset_t empty;
    sigemptyset(&empty);

    pid_t pid = ::fork();
    if (pid < 0) return make_error("fork", fmt::format("cannot fork for {}: {}", argv[0], std::strerror(errno)));
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0 && null_fd != STDIN_FILENO) {
            ::dup2(null_fd, STDIN_FILENO);
            ::close(null_fd);
        }
        ::syscall(SYS_close_range, 3U, ~0U, 0U);
        ::sigprocmask(SIG_SETMASK, &empty, nullptr);
        for (int sig : {SIGPIPE, SIGCHLD, SIGHUP, SIGTERM, SIGINT}) ::signal(sig, SIG_DFL);
        if (options.uid) {
            if (::setgroups(0, nullptr) != 0 || ::setgid(options.gid) != 0 || ::setuid(*options.uid) != 0) ::_exit(77);
        }
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    return pid;
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

}  // namespace ha::master
