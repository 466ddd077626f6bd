#include "ipc/media/media_loop.hpp"

#include <utility>

#include "ipc/media/authkeys_loader.hpp"

namespace ha::media {

int run_media_loop(ipc::DaemonLoop& loop, BusPort& bus, const std::string& config_dir, const MediaHooks& hooks, ipc::Log& log) {
    loop.on_hup([&] { reload_authkeys(config_dir, hooks.set_keys, log); });
    // SIGTERM, the master's end of the lane closing and the end of stdin stop the same way: what
    // the master sent is read and handed on, what is queued on the medium leaves it (the serial
    // port drains for at most its limit), then the loop stops.
    bool stopping = false;
    auto stop_after_sending = [&] {
        if (std::exchange(stopping, true)) return;
        if (auto* client = bus.client()) client->read_pending();
        hooks.when_sent([&] { loop.stop(); });
    };
    bus.start(hooks.on_bus_message, stop_after_sending);
    loop.attach_bus(bus.client());
    loop.on_stop_signal([&](int) { stop_after_sending(); });
    hooks.start();
    const int rc = loop.run();
    loop.attach_bus(nullptr);
    return rc;
}

}  // namespace ha::media
