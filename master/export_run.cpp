// run_export — see export_run.hpp.
#include "master/export_run.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "ipc/atomic_file.hpp"
#include "ipc/config/config.hpp"
#include "master/config_test.hpp"
#include "master/pacemaker_export.hpp"

namespace ha::master {
namespace {

// The first IPv4 address of each interface.
std::map<std::string, std::string> interface_addresses() {
    std::map<std::string, std::string> out;
    for (auto& [iface, address] : interface_ipv4_addresses()) out.emplace(iface, std::move(address));
    return out;
}

bool executable_file(const std::string& path) {
    struct ::stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// The nodes of ha.cf, read without the checks (the full load follows and reports every error).
std::vector<std::string> ha_cf_nodes(const std::string& dir) {
    auto text = conf::read_config_file(dir + "/ha.cf");
    if (!text) return {};
    conf::Diagnostics ignored;
    return conf::parse_ha_cf(dir + "/ha.cf", *text, ignored).nodes;
}

}  // namespace

int run_export(const Options& options) { return run_export(options, std::cout, std::cerr); }

int run_export(const Options& o, std::ostream& out, std::ostream& err) {
    const auto nodes = ha_cf_nodes(o.config_dir);
    const std::string me = lower(o.node);
    const bool on_node = nodes.empty() || std::find(nodes.begin(), nodes.end(), me) != nodes.end();
    const std::string as = on_node ? me : nodes.front();

    conf::LoadOptions load;
    load.init_dir = o.init_dir;
    load.ocf_root = o.ocf_root;
    if (on_node) load.local_addresses = local_ipv4_addresses();
    const conf::LoadResult loaded = conf::load_config(o.config_dir, as, load);
    std::size_t errors = 0;
    for (const auto& d : loaded.diagnostics) {
        err << conf::render(d) << '\n';
        if (d.severity == conf::Severity::error) ++errors;
    }
    if (!loaded.ok()) {
        err << "hamaster: export failed: " << errors << (errors == 1 ? " error" : " errors") << " in " << o.config_dir
            << "; nothing written\n";
        return 1;
    }
    if (!on_node)
        err << o.config_dir << "/ha.cf: info: this machine (" << me << ") is not a node of ha.cf: exported as " << as
            << ", without this machine's interface addresses\n";

    ExportEnvironment env;
    if (on_node) env.interface_addresses = interface_addresses();
    env.has_init_script = [&](std::string_view name) { return executable_file(o.init_dir + "/" + std::string(name)); };
    if (auto text = conf::read_config_file(o.config_dir + "/authkeys")) env.authkeys_text = std::move(*text);
    const PacemakerExport result = export_pacemaker(*loaded.config, env);
    for (const auto& d : result.notes) err << conf::render(d) << '\n';

    if (::mkdir(o.output_dir.c_str(), 0700) != 0 && errno != EEXIST) {
        err << "hamaster: export failed: cannot create " << o.output_dir << ": " << std::strerror(errno) << '\n';
        return 1;
    }
    struct File {
        std::string name;
        const std::string* text;
        mode_t mode;
    };
    std::vector<File> files = {{"corosync.conf", &result.corosync_conf, 0644}, {"cib.xml", &result.cib_xml, 0644}};
    if (!result.authkey.empty()) files.push_back({"authkey", &result.authkey, 0400});
    for (const auto& f : files) {
        const std::string path = o.output_dir + "/" + f.name;
        if (auto w = ipc::write_file_atomically(path, *f.text, f.mode); !w) {
            err << "hamaster: export failed: " << w.error().message << '\n';
            return 1;
        }
        out << "wrote " << path << '\n';
    }
    const auto warnings = std::count_if(result.notes.begin(), result.notes.end(),
                                        [](const conf::Diagnostic& d) { return d.severity == conf::Severity::warning; });
    out << warnings << (warnings == 1 ? " warning" : " warnings") << " (on stderr): what did not carry over.\n"
        << "next: copy corosync.conf" << (result.authkey.empty() ? "" : " and authkey") << " to /etc/corosync/ on every node, "
        << "start corosync and pacemaker,\n      check with `crm_verify --xml-file cib.xml`, load with `cibadmin --replace --xml-file cib.xml`.\n";
    return 0;
}

}  // namespace ha::master
