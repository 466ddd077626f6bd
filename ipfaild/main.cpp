// ipfaild — hamaster's ipfail: pings the ping nodes, exchanges counts with the peer's ipfail
// through the master and asks the master for standby (or release) when this node is the one cut off.
//
// main only parses the flags, sets up the process and hands over to run_ipfaild (ipfail_run.hpp);
// the bus contract is in README.md. Exit codes (style.md §3): 0 clean, 78 bad flags or config,
// 77 no ICMP socket or privilege drop failed, 70 an unexpected exception.
#include <exception>
#include <iostream>

#include "ipc/daemon.hpp"
#include "ipc/version.hpp"
#include "ipfaild/ipfail_run.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    namespace po = boost::program_options;
    try {
        ipc::DaemonOptionParser parser("ipfaild");
        parser.add_options()("user", po::value<std::string>()->default_value(""),
                             "drop to this user once the ICMP socket is open (default: the user of "
                             "ha.cf's ipfail respawn line)");
        auto opts = parser.parse(argc, argv);
        if (opts && opts->help) return std::cout << parser.usage(), 0;
        if (opts && opts->version) return std::cout << ipc::version_text("ipfaild"), 0;
        if (!opts || !opts->extra.empty()) {
            std::cerr << (opts ? "ipfaild: unexpected argument " + opts->extra[0] : opts.error().message) << "\n";
            return ipc::kExitConfig;
        }
        ipc::child_setup(*opts);
        ipc::Log& log = ipc::install_file_log(*opts);
        return ipfail::run_ipfaild(*opts, parser.values()["user"].as<std::string>(), log);
    } catch (const std::exception& e) {
        std::cerr << "ipfaild: CRIT: " << e.what() << "\n";
        return 70;
    }
}
