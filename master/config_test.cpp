// run_config_test — see config_test.hpp.
#include "master/config_test.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <iostream>

#include "ipc/config/config.hpp"
#include "master/child_specs.hpp"
#include "master/config_summary.hpp"

namespace ha::master {

std::vector<std::pair<std::string, std::string>> interface_ipv4_addresses() {
    std::vector<std::pair<std::string, std::string>> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
        char text[INET_ADDRSTRLEN] = {};
        const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        if (::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text)) out.emplace_back(i->ifa_name ? i->ifa_name : "", text);
    }
    ::freeifaddrs(list);
    return out;
}

std::vector<std::string> local_ipv4_addresses() {
    std::vector<std::string> out;
    for (auto& [iface, address] : interface_ipv4_addresses()) out.push_back(std::move(address));
    return out;
}

int run_config_test(const Options& options) { return run_config_test(options, std::cout, std::cerr); }

int run_config_test(const Options& options, std::ostream& out, std::ostream& err) {
    conf::LoadOptions load;
    load.local_addresses = local_ipv4_addresses();
    const conf::LoadResult result = conf::load_config(options.config_dir, options.node, load);
    std::size_t errors = 0;
    for (const auto& d : result.diagnostics) {
        err << conf::render(d) << '\n';
        if (d.severity == conf::Severity::error) ++errors;
    }
    if (!result.ok()) {
        err << "hamaster: configuration test failed: " << errors << (errors == 1 ? " error" : " errors") << " in "
            << options.config_dir << '\n';
        return 1;
    }
    // The same list the master starts, so the summary names exactly the processes that will log.
    std::vector<std::string> processes;
    for (const auto& spec : child_specs(*result.config, options)) processes.push_back(spec.name);
    out << format_summary(*result.config, processes, options.log_dir);
    return 0;
}

}  // namespace ha::master
