// RscdOptions — see rscd_options.hpp.
#include "rscd/rscd_options.hpp"

#include <iostream>

#include <fmt/format.h>

#include "ipc/config/lexer.hpp"

#include "ipc/daemon.hpp"

namespace ha::rsc {

namespace po = boost::program_options;

std::string rscd_usage() {
    return "usage: rscd --node NAME [--config DIR] [--run-dir DIR] [--log-dir DIR | --logfile FILE] [--parent-pid PID] [-v]\n            [--init-dir DIR]\n"
           "            [--ha-logfile FILE] [--ha-debugfile FILE] [--logfacility NAME] [--syslogmsgfmt on|off] [--journal SOCKET]\n"
           "            [--ocf-root DIR] [--arp-probe-interval MS] [--arp-probe-count N]\n"
           "            [--oneshot start|stop|status|announce|probe GROUPKEY [--preferred]]\n"
           "       rscd -h|--help | --version\n";
}

// rscd's own flags, beside the common ones of ipc::DaemonOptionParser. --oneshot takes the
// operation; its group key is the one positional argument.
void add_rscd_options(ipc::DaemonOptionParser& parser) {
    const RscdOptions defaults;
    parser.add_options()
        ("logfile", po::value<std::string>()->default_value(defaults.logfile), "log here without --log-dir (- : stderr)")
        ("init-dir", po::value<std::string>()->default_value(defaults.init_dir), "LSB init scripts")
        ("ocf-root", po::value<std::string>()->default_value(defaults.ocf_root), "OCF resource agents")
        ("arp-probe-interval", po::value<std::string>(), "ms between ARP probes (1-10000)")
        ("arp-probe-count", po::value<std::string>(), "ARP probes per window (1-100)")
        ("oneshot", po::value<std::string>(), "start|stop|status|announce|probe: one operation on the group GROUPKEY, then exit")
        ("preferred", po::bool_switch(), "--oneshot probe as the preferred node");
    parser.set_usage(rscd_usage());
}

namespace {

// A whole positive number in [1, max], or 0.
int bounded(const std::string& text, int max) {
    int n = 0;
    try {
        std::size_t used = 0;
        n = std::stoi(text, &used);
        if (used != text.size()) n = 0;
    } catch (const std::exception&) {
        n = 0;
    }
    return n < 1 || n > max ? 0 : n;
}

}  // namespace

Result<RscdOptions> parse_rscd_options(const std::vector<std::string>& args) {
    ipc::DaemonOptionParser parser("rscd");
    add_rscd_options(parser);
    auto common = parser.parse(args);
    if (!common) return common.error();  // names rscd already
    auto o = rscd_options_from(*common, parser);
    if (!o) return make_error("usage", fmt::format("rscd: {}", o.error().message));
    return o;
}

Result<RscdOptions> rscd_options_from(const ipc::DaemonOptions& common, const ipc::DaemonOptionParser& parser) {
    auto bad = [](std::string msg) { return make_error("usage", std::move(msg)); };
    const auto& v = parser.values();
    RscdOptions o;
    o.node = common.node;
    o.config_dir = common.config_dir;
    o.run_dir = common.run_dir;
    o.log_dir = parser.given("log-dir") ? common.log_dir : "";  // none: --logfile
    o.shared_log = common.shared_log;
    o.parent_pid = common.parent_pid;
    o.foreground = common.foreground;
    o.verbose = common.verbose;
    o.help = common.help;
    o.version = common.version;
    o.logfile = v["logfile"].as<std::string>();
    o.init_dir = v["init-dir"].as<std::string>();
    o.ocf_root = v["ocf-root"].as<std::string>();
    if (v.count("arp-probe-interval")) {
        const auto& text = v["arp-probe-interval"].as<std::string>();
        const int n = bounded(text, 10000);
        if (n == 0) return bad(fmt::format("--arp-probe-interval: bad value \"{}\" (1-10000 ms)", text));
        o.arp_probe_interval = std::chrono::milliseconds(n);
    }
    if (v.count("arp-probe-count")) {
        const auto& text = v["arp-probe-count"].as<std::string>();
        const int n = bounded(text, 100);
        if (n == 0) return bad(fmt::format("--arp-probe-count: bad value \"{}\" (1-100)", text));
        o.arp_probe_count = n;
    }
    if (v.count("oneshot")) {
        const auto& op = v["oneshot"].as<std::string>();
        if (common.extra.size() != 1) return bad("--oneshot needs an operation and a group key");
        RscdOptions::Oneshot one;
        one.probe = op == "probe";
        if (!one.probe && !parse_group_op(op, one.op))
            return bad(fmt::format("--oneshot: unknown operation \"{}\" (start, stop, status, announce or probe)", op));
        one.group_key = common.extra[0];
        o.oneshot = one;
    } else if (!common.extra.empty()) {
        return bad(fmt::format("unknown argument \"{}\"", common.extra[0]));
    }
    const bool preferred = v["preferred"].as<bool>();
    if (preferred && !(o.oneshot && o.oneshot->probe)) return bad("--preferred goes with --oneshot probe");
    if (preferred) o.oneshot->preferred = true;
    return o;
}

conf::LoadOptions rscd_load_options(const RscdOptions& options) {
    conf::LoadOptions load;
    load.init_dir = options.init_dir;
    load.ocf_root = options.ocf_root;
    return load;
}

Result<conf::Config> load_rscd_config(const RscdOptions& options) {
    auto loaded = conf::load_config(options.config_dir, options.node, rscd_load_options(options));
    for (const auto& d : loaded.diagnostics) std::cerr << "rscd: " << conf::render(d) << "\n";
    if (!loaded.ok()) return make_error("config", "");  // the diagnostics said why
    return std::move(*loaded.config);
}

ipc::Log& setup_rscd(const ipc::DaemonOptions& opts, const ipc::DaemonOptionParser& parser) {
    if (opts.parent_pid > 0) ipc::child_setup(opts);  // PR_SET_PDEATHSIG: no resource outlives the master
    ipc::DaemonOptions named = opts;
    named.node = conf::to_lower(opts.node);  // as the config names this node (conf::Config::local_node)
    const std::string file = parser.given("log-dir") ? opts.log_dir + "/rscd.log" : parser.values()["logfile"].as<std::string>();
    return ipc::install_file_log(named, file, ipc::LogLevel::info);
}

}  // namespace ha::rsc
