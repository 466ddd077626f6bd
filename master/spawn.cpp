#include "master/spawn.hpp"

#include <fmt/format.h>

namespace ha::master {

Result<pid_t> spawn_child(const std::vector<std::string>& argv, const SpawnOptions& options) {
    if (argv.empty()) return make_error("usage", "empty command line");
    ipc::SpawnRequest request;
    request.argv = argv;
    request.env = ipc::current_environment();
    request.env.insert(request.env.end(), options.env.begin(), options.env.end());
    request.uid = options.uid;
    request.gid = options.gid;
    auto pid = ipc::spawn(request);
    if (!pid) return make_error(pid.error().code, fmt::format("cannot fork for {}: {}", argv[0], pid.error().message));
    return pid;
}

}  // namespace ha::master
