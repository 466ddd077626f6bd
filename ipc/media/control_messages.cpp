// handle_media_control: `_stats` and `_flush` for both media daemons. See control_messages.hpp.
#include "ipc/media/control_messages.hpp"

#include "ipc/bus/media.hpp"
#include "ipc/bus/supervision.hpp"

namespace ha::media {

bool handle_media_control(const ipc::Message& message, const MediaControl& control, ipc::Log& log) {
    const auto type = message.type();
    if (type == ipc::bus::kMediaStats) {
        if (auto ask = ipc::bus::MediaStatsAsk::decode(message); !ask) {
            log.error("bus: refused message from the master: {}", ask.error().message);
            return true;
        }
        for (const auto& m : control.stats()) control.upstream(m);
        return true;
    }
    if (type == ipc::bus::kFlush) {
        auto flush = ipc::bus::Flush::decode(message);
        if (!flush) {
            log.error("bus: refused message from the master: {}", flush.error().message);
            return true;
        }
        control.when_sent([upstream = control.upstream, seq = std::move(flush->seq)] { upstream(ipc::bus::Flushed{seq}.encode()); });
        return true;
    }
    return false;
}

}  // namespace ha::media
