#include "master/spawn.hpp"

#include <fmt/format.h>

#include "master/systemd_notify.hpp"

namespace ha::master {

Result<pid_t> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
    if (argv.empty()) return make_error("usage", "empty command line");
    ipc::SpawnRequest request;
    request.argv = argv;
    // The master's environment, without systemd's notify variables: the master keeps
    // NOTIFY_SOCKET for libsystemd (master/systemd_notify.hpp); a child must not notify in its name.
    for (auto& entry : ipc::current_environment())
        if (!is_notify_variable(entry)) request.env.push_back(std::move(entry));
    request.env.insert(request.env.end(), options.env.begin(), options.env.end());
    request.extra_fd = options.lane_fd;
    request.uid = options.uid;
    request.gid = options.gid;
    auto pid = ipc::spawn(request);
    if (!pid) return make_error(pid.error().code, fmt::format("cannot fork for {}: {}", argv[0], pid.error().message));
    return pid;
}

}  // namespace ha::master
