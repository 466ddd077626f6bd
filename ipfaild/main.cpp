// ipfaild — hamaster's ipfail: pings the ping nodes, exchanges counts with the peer's ipfail
// through the master and asks the master for standby (or release) when this node is the one cut off.
//
// main is the daemon's table — its name, its one flag, its body (run_ipfaild, ipfail_run.hpp) —
// handed to the daemon skeleton (ipc/daemon.hpp); the bus contract is in README.md. Exit codes
// (style.md §3): 0 clean, 78 bad flags or config, 77 no ICMP socket or privilege drop failed, 70 an
// unexpected exception.
#include "ipc/daemon.hpp"
#include "ipfaild/ipfail_run.hpp"

int main(int argc, char** argv) {
    using namespace ha;
    namespace po = boost::program_options;
    ipc::DaemonSpec spec;
    spec.program = "ipfaild";
    spec.options = [](ipc::DaemonOptionParser& parser) {
        parser.add_options()("user", po::value<std::string>()->default_value(""),
                             "drop to this user once the ICMP socket is open (default: the user of "
                             "ha.cf's ipfail respawn line)");
    };
    spec.body = [](const ipc::DaemonOptions&, const ipc::DaemonOptionParser& parser) -> Result<ipc::DaemonBody> {
        return ipc::DaemonBody([user = parser.values()["user"].as<std::string>()](const ipc::DaemonOptions& opts, ipc::Log& log) {
            return ipfail::run_ipfaild(opts, user, log);
        });
    };
    return ipc::daemon_main(spec, argc, argv);
}
