#include "ipc/media/media_loop.hpp"

#include "ipc/media/authkeys_loader.hpp"

namespace ha::media {

int run_media_loop(ipc::DaemonLoop& loop, BusPort& bus, const std::string& config_dir, const MediaHooks& hooks, ipc::Log& log) {
    loop.on_hup([&] { reload_authkeys(config_dir, hooks.set_keys, log); });
    bus.start(hooks.on_bus_message, [&] { loop.stop(); });
    loop.attach_bus(bus.client());
    loop.on_stop_signal([&](int) {
        if (auto* client = bus.client()) client->read_pending();
        hooks.when_sent([&] { loop.stop(); });
    });
    hooks.start();
    const int rc = loop.run();
    loop.attach_bus(nullptr);
    return rc;
}

}  // namespace ha::media
