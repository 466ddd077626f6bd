// Options — see options.hpp.
#include "master/options.hpp"

#include <sys/utsname.h>

#include <boost/program_options.hpp>
#include <sstream>

namespace ha::master {
namespace po = boost::program_options;
namespace {

po::options_description describe(Options& o) {
    po::options_description d("hamaster options");
    d.add_options()
        ("help,h", po::bool_switch(&o.help), "show this help")
        ("version", po::bool_switch(&o.version), "print the version and exit")
        ("test,t", po::bool_switch(&o.test), "check ha.cf, haresources and authkeys, print a summary, exit")
        ("config", po::value(&o.config_dir), "configuration directory (default /etc/ha.d)")
        ("node", po::value(&o.node), "this node's name (default: uname -n)")
        ("run-dir", po::value(&o.run_dir), "runtime directory for sockets and pid file")
        ("log-dir", po::value(&o.log_dir), "directory of the log files")
        ("state-dir", po::value(&o.state_dir), "directory of persistent state (generation, uuid)")
        ("heartbeat-state-dir", po::value(&o.heartbeat_state_dir),
         "Heartbeat 3.0.6's state directory, continued and kept current (default /var/lib/heartbeat; none with --state-dir; \"\": none)")
        ("foreground,f", po::bool_switch(&o.foreground), "do not detach")
        ("verbose,v", po::bool_switch(&o.verbose), "debug logging")
        ("bind", po::value(&o.bind_address), "local IPv4 address of the UDP media (several nodes on one host)")
        ("json", po::bool_switch(&o.json), "status: print JSON (docs/status-json.md)")
        ("watch", po::bool_switch(&o.watch), "status: a live view, redrawn in place (like crm_mon)")
        ("count", po::value(&o.count), "status --watch: stop after N screens")
        ("interval", po::value(&o.interval_ms), "status --watch: milliseconds between screens (default 1000)");
    return d;
}

}  // namespace

std::string usage() {
    Options o;
    std::ostringstream out;
    out << "usage: hamaster [-t] [--config DIR] [--node NAME] [options]\n       hamaster status [--run-dir DIR] [--json | --watch [--count N] [--interval MS]]\n" << describe(o);
    return out.str();
}

Result<Options> parse_options(int argc, const char* const* argv) {
    Options o;
    try {
        po::variables_map vm;
        auto desc = describe(o);
        std::vector<std::string> words;
        desc.add_options()("command", po::value(&words), "command");
        po::positional_options_description pos;
        pos.add("command", -1);
        po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
        po::notify(vm);
        if (vm.count("state-dir") && !vm.count("heartbeat-state-dir")) o.heartbeat_state_dir.clear();
        for (const auto& w : words) {
            if (w == "status") o.status = true;
            else return make_error("usage", "unknown command [" + w + "] (known: status)");
        }
    } catch (const std::exception& e) {
        return make_error("usage", e.what());
    }
    if (o.node.empty()) {
        struct utsname u {};
        if (::uname(&u) != 0) return make_error("uname", "cannot read the node name (uname); use --node NAME");
        o.node = u.nodename;
    }
    if (o.config_dir.empty()) return make_error("usage", "--config needs a directory");
    if ((o.json || o.watch) && !o.status) return make_error("usage", "--json and --watch go with the status command");
    if (o.json && o.watch) return make_error("usage", "--json and --watch exclude each other");
    if (o.count < 0 || o.interval_ms < 100 || o.interval_ms > 3600000)
        return make_error("usage", "--count must be >= 0 and --interval 100..3600000 ms");
    return o;
}

}  // namespace ha::master
