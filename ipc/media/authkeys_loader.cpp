// authkeys for the media daemons. See authkeys_loader.hpp.
#include "ipc/media/authkeys_loader.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "ipc/config/authkeys.hpp"
#include "ipc/config/config.hpp"
#include "ipc/config/diagnostics.hpp"

namespace ha::media {

Result<ipc::AuthKeys> load_authkeys(const std::string& config_dir, ipc::Log& log) {
    const std::string path = config_dir + "/authkeys";
    struct ::stat opened {};
    auto text = conf::read_config_file(path, &opened);
    if (!text) return make_error("config", text.error().message);
    conf::Diagnostics diagnostics;
    conf::check_authkeys_permissions(path, opened, diagnostics);
    ipc::AuthKeys keys = conf::parse_authkeys(path, *text, diagnostics);
    std::string errors;
    for (const auto& d : diagnostics.items()) {
        if (d.severity == conf::Severity::error) {
            errors += (errors.empty() ? "" : "; ") + conf::render(d);
        } else {
            log.warn("{}", conf::render(d));
        }
    }
    if (!errors.empty()) return make_error("config", errors);
    if (keys.active_key() == nullptr) return make_error("config", fmt::format("{}: no usable `auth` line", path));
    return keys;
}

void reload_authkeys(const std::string& config_dir, const std::function<void(const ipc::AuthKeys&)>& apply, ipc::Log& log) {
    auto keys = load_authkeys(config_dir, log);
    if (!keys) {
        log.error("authkeys not re-read, keeping the old keys: {}", keys.error().message);
        return;
    }
    apply(*keys);
    log.info("authkeys re-read: signing with key {}", keys->active);
}

}  // namespace ha::media
