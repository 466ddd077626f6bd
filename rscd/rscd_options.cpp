// RscdOptions — see rscd_options.hpp.
#include "rscd/rscd_options.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

namespace ha::rsc {

std::string rscd_usage() {
    return "usage: rscd --node NAME [--config DIR] [--run-dir DIR] [--log-dir DIR | --logfile FILE] [--parent-pid PID] [-v]\n            [--init-dir DIR]\n"
           "            [--ha-logfile FILE] [--ha-debugfile FILE] [--logfacility NAME] [--syslogmsgfmt on|off]\n"
           "            [--ocf-root DIR] [--arp-probe-interval MS] [--arp-probe-count N]\n"
           "            [--oneshot start|stop|status|probe GROUPKEY [--preferred]]\n"
           "       rscd -h|--help | --version\n";
}

Result<RscdOptions> parse_rscd_options(const std::vector<std::string>& given) {
    RscdOptions o;
    // Every hamaster binary takes `--name VALUE` and `--name=VALUE` alike (hamaster(8) OPTIONS).
    std::vector<std::string> args;
    for (const auto& a : given) {
        const auto eq = a.find('=');
        if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
            args.push_back(a.substr(0, eq));
            args.push_back(a.substr(eq + 1));
        } else {
            args.push_back(a);
        }
    }
    bool preferred = false;
    auto bad = [](std::string msg) { return make_error("usage", std::move(msg)); };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](std::string& to) -> bool {
            if (i + 1 >= args.size() || args[i + 1].empty()) return false;
            to = args[++i];
            return true;
        };
        if (a == "-h" || a == "--help") {
            o.help = true;
        } else if (a == "--version") {
            o.version = true;
        } else if (a == "-v" || a == "--verbose") {
            o.verbose = true;
        } else if (a == "-f" || a == "--foreground") {
            o.foreground = true;
        } else if (a == "--log-dir" || a == "--state-dir" || a == "--parent-pid") {
            std::string v;
            if (!value(v)) return bad(fmt::format("{} needs a value", a));
            if (a == "--log-dir") o.log_dir = v;
            if (a == "--parent-pid") {
                try {
                    o.parent_pid = std::stoi(v);
                } catch (const std::exception&) {
                    return bad(fmt::format("--parent-pid: bad pid \"{}\"", v));
                }
            }
        } else if (a == "--node" || a == "--config" || a == "--run-dir" || a == "--logfile" || a == "--init-dir" ||
                   a == "--ocf-root") {
            std::string& to = a == "--node" ? o.node : a == "--config" ? o.config_dir : a == "--run-dir" ? o.run_dir
                            : a == "--logfile" ? o.logfile : a == "--init-dir" ? o.init_dir : o.ocf_root;
            if (!value(to)) return bad(fmt::format("{} needs a value", a));
        } else if (a == "--ha-logfile" || a == "--ha-debugfile" || a == "--logfacility") {
            std::string& to = a == "--ha-logfile" ? o.shared_log.logfile : a == "--ha-debugfile" ? o.shared_log.debugfile
                                                                        : o.shared_log.logfacility;
            if (!value(to)) return bad(fmt::format("{} needs a value", a));
        } else if (a == "--syslogmsgfmt") {
            std::string v;
            if (!value(v) || (v != "on" && v != "off")) return bad("--syslogmsgfmt needs on or off");
            o.shared_log.syslogmsgfmt = v == "on";
        } else if (a == "--preferred") {
            preferred = true;
        } else if (a == "--arp-probe-interval" || a == "--arp-probe-count") {
            std::string v;
            if (!value(v)) return bad(fmt::format("{} needs a value", a));
            const bool interval = a == "--arp-probe-interval";
            int n = 0;
            try {
                std::size_t used = 0;
                n = std::stoi(v, &used);
                if (used != v.size()) n = 0;
            } catch (const std::exception&) {
                n = 0;
            }
            if (n < 1 || n > (interval ? 10000 : 100))
                return bad(fmt::format("{}: bad value \"{}\" ({})", a, v, interval ? "1-10000 ms" : "1-100"));
            if (interval) o.arp_probe_interval = std::chrono::milliseconds(n);
            else o.arp_probe_count = n;
        } else if (a == "--oneshot") {
            if (i + 2 >= args.size()) return bad("--oneshot needs an operation and a group key");
            RscdOptions::Oneshot one;
            one.probe = args[i + 1] == "probe";
            if (!one.probe && !parse_group_op(args[i + 1], one.op))
                return bad(fmt::format("--oneshot: unknown operation \"{}\" (start, stop, status or probe)", args[i + 1]));
            one.group_key = args[i + 2];
            i += 2;
            o.oneshot = one;
        } else {
            return bad(fmt::format("unknown argument \"{}\"", a));
        }
    }
    if (preferred && !(o.oneshot && o.oneshot->probe)) return bad("--preferred goes with --oneshot probe");
    if (preferred) o.oneshot->preferred = true;
    if (o.node.empty()) {
        utsname u{};
        if (::uname(&u) != 0) return bad("--node not given and uname failed");
        o.node = u.nodename;
    }
    return o;
}

conf::LoadOptions rscd_load_options(const RscdOptions& options) {
    conf::LoadOptions load;
    load.init_dir = options.init_dir;
    load.ocf_root = options.ocf_root;
    return load;
}

}  // namespace ha::rsc
