// hamaster — the Heartbeat-compatible cluster master: `hamaster -t`, `hamaster status`, `hamaster export
// pacemaker`, or the daemon.
//
// main only parses the command line and dispatches; the config test lives in config_test.cpp.
// Exit codes: 0 ok, 1 config test failed / start refused, 2 usage error, 78 config error at start
// (the table of every binary is in docs/man/hamaster.8).
// See also: master/options.hpp, master/config_test.hpp, docs/architecture.md.
#include <exception>
#include <iostream>

#include "ipc/daemon.hpp"
#include "ipc/version.hpp"
#include "master/config_test.hpp"
#include "master/export_run.hpp"
#include "master/master_run.hpp"
#include "master/options.hpp"

int main(int argc, char** argv) {
    ha::ipc::limit_thread_stacks();
    try {
        const auto options = ha::master::parse_options(argc, argv);
        if (!options) {
            std::cerr << "hamaster: " << options.error().message << "\n" << ha::master::usage();
            return 2;
        }
        if (options->help) {
            std::cout << ha::master::usage();
            return 0;
        }
        if (options->version) {
            std::cout << ha::ipc::version_text("hamaster");
            return 0;
        }
        if (options->test) return ha::master::run_config_test(*options);
        if (options->status) return ha::master::run_status(*options);
        if (!options->export_target.empty()) return ha::master::run_export(*options);
        return ha::master::run_master(*options);
    } catch (const std::exception& e) {
        std::cerr << "hamaster: CRIT: " << e.what() << "\n";
        return ha::ipc::kExitSoftware;
    }
}
