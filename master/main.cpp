// hamaster — the Heartbeat-compatible cluster master. So far only `hamaster -t` (config test).
//
// main only parses the command line and dispatches; the config test lives in config_test.cpp.
// Exit codes: 0 ok, 1 config test failed, 2 usage error / not implemented yet.
// See also: master/options.hpp, master/config_test.hpp, design.md.
#include <exception>
#include <iostream>

#include "master/config_test.hpp"
#include "master/options.hpp"

int main(int argc, char** argv) {
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
        if (options->test) return ha::master::run_config_test(*options);
        std::cerr << "hamaster: only -t is implemented in this build\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "hamaster: CRIT: " << e.what() << "\n";
        return 70;
    }
}
