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
    ipc::add_common_options(d, o);
    d.add_options()
        ("test,t", po::bool_switch(&o.test), "check ha.cf, haresources and authkeys, print a summary, exit")
        ("heartbeat-state-dir", po::value(&o.heartbeat_state_dir),
         "Heartbeat 3.0.6's state directory, continued and kept current (default /var/lib/heartbeat; none with --state-dir; \"\": none)")
        ("bind", po::value(&o.bind_address), "local IPv4 address of the UDP media (several nodes on one host)")
        ("json", po::bool_switch(&o.json), "status: print JSON (docs/status-json.md)")
        ("watch", po::bool_switch(&o.watch), "status: a live view, redrawn in place (like crm_mon)")
        ("count", po::value(&o.count), "status --watch: stop after N screens")
        ("interval", po::value(&o.interval_ms), "status --watch: milliseconds between screens (default 1000)")
        ("prometheus", po::bool_switch(&o.prometheus), "status: print the metrics in Prometheus' text format")
        ("output", po::value(&o.output_dir), "export: directory for corosync.conf, cib.xml and authkey (default .)")
        ("init-dir", po::value(&o.init_dir), "export: where LSB init scripts are (default /etc/init.d)")
        ("ocf-root", po::value(&o.ocf_root), "export: where OCF agents are (default /usr/lib/ocf)");
    return d;
}

}  // namespace

std::string usage() {
    Options o;
    std::ostringstream out;
    out << "usage: hamaster [-t] [--config DIR] [--node NAME] [options]\n       hamaster status [--run-dir DIR] [--json | --prometheus | --watch [--count N] [--interval MS]]\n"
           "       hamaster export pacemaker [--config DIR] [--node NAME] [--output DIR]\n" << describe(o);
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
        if (!vm["state-dir"].defaulted() && !vm.count("heartbeat-state-dir")) o.heartbeat_state_dir.clear();
        for (std::size_t i = 0; i < words.size(); ++i) {
            const auto& w = words[i];
            if (w == "status" && words.size() == 1) {
                o.status = true;
            } else if (w == "export" && i == 0) {
                if (words.size() != 2 || words[1] != "pacemaker") return make_error("usage", "export needs its target: export pacemaker");
                o.export_target = words[1];
                break;
            } else {
                return make_error("usage", "unknown command [" + w + "] (known: status, export pacemaker)");
            }
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
    if ((o.json || o.watch || o.prometheus) && !o.status) return make_error("usage", "--json, --prometheus and --watch go with the status command");
    if (int(o.json) + int(o.watch) + int(o.prometheus) > 1) return make_error("usage", "--json, --prometheus and --watch exclude each other");
    if (o.output_dir.empty()) return make_error("usage", "--output needs a directory");
    if (o.count < 0 || o.interval_ms < 100 || o.interval_ms > 3600000)
        return make_error("usage", "--count must be >= 0 and --interval 100..3600000 ms");
    return o;
}

}  // namespace ha::master
