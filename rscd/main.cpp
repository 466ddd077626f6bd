// rscd — runs resource agents (start/stop/status) for the master, one group at a time.
//
// main only parses the flags, loads the config, sets up the log and hands over: to the bus mode
// (the master's child) or, with --oneshot, to one operation run from the command line. Exit codes
// (docs/conventions.md §3, the names are ipc/daemon.hpp's): 0 done, 1 the operation failed, 78 (kExitConfig)
// bad flags or config, 70 (kExitSoftware) an unexpected exception.
#include <exception>
#include <iostream>

#include "ipc/config/config.hpp"
#include "ipc/log.hpp"
#include "ipc/daemon.hpp"
#include "ipc/version.hpp"
#include "rscd/bus_mode.hpp"
#include "rscd/oneshot.hpp"
#include "rscd/rscd_options.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    ipc::limit_thread_stacks();
    try {
        auto options = rsc::parse_rscd_options(std::vector<std::string>(argv + 1, argv + argc));
        if (!options) {
            std::cerr << options.error().message << "\n" << rsc::rscd_usage();  // names rscd already
            return ipc::kExitConfig;
        }
        if (options->help) return std::cout << rsc::rscd_usage(), 0;
        if (options->version) return std::cout << ipc::version_text("rscd"), 0;
        auto loaded = conf::load_config(options->config_dir, options->node, rsc::rscd_load_options(*options));
        for (const auto& d : loaded.diagnostics) std::cerr << "rscd: " << conf::render(d) << "\n";
        if (!loaded.ok()) return ipc::kExitConfig;
        ipc::LogOptions log_options;
        log_options.program = "rscd";
        log_options.node = loaded.config->local_node;
        if (options->parent_pid > 0) {
            ipc::DaemonOptions parent;
            parent.parent_pid = options->parent_pid;
            ipc::child_setup(parent);  // PR_SET_PDEATHSIG: no resource outlives the master
        }
        const std::string logfile = options->log_dir.empty() ? options->logfile : options->log_dir + "/rscd.log";
        log_options.sinks = {{logfile, options->verbose ? ipc::LogLevel::debug : ipc::LogLevel::info}};
        if (options->foreground && logfile != "-") log_options.sinks.push_back({"-", ipc::LogLevel::info});
        log_options.debug = options->verbose;
        ipc::add_shared_log(log_options, options->shared_log);
        ipc::install_process_log(std::make_unique<ipc::FileLog>(std::move(log_options)));
        ipc::Log& log = ipc::process_log();
        if (!options->oneshot) return rsc::run_bus_mode(*loaded.config, *options, log);
        return rsc::run_oneshot(*loaded.config, *options, log);
    } catch (const std::exception& e) {
        std::cerr << "rscd: CRIT: " << e.what() << "\n";
        return ipc::kExitSoftware;
    }
}
