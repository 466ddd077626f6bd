#include "heartbeatd-net/send_pipeline.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ipc/auth.hpp"
#include "ipc/config/diagnostics.hpp"

namespace ha::net {

SendPipeline::SendPipeline(ipc::AuthKeys keys, std::vector<std::string> links)
    : keys_(std::move(keys)), links_(std::move(links)) {}

Result<Outgoing> SendPipeline::prepare(ipc::Message message) const {
    Outgoing out;
    if (auto l = message.get("_link")) out.link = std::string(*l);
    std::erase_if(message.fields(), [](const ipc::Field& f) { return f.name.starts_with('_'); });

    const std::string_view type = message.type();
    if (type.empty()) return make_error("no_type", "message from the master has no field \"t\"");
    if (!out.link.empty() && std::find(links_.begin(), links_.end(), out.link) == links_.end()) {
        return make_error("unknown_link", fmt::format("t={}: field \"_link\" names no link: {}", conf::quote(type), conf::quote(out.link)));
    }
    if (keys_.active_key() == nullptr) return make_error("no_key", "no active authkeys index to sign with");

    out.wire = ipc::sign_netstring(message, keys_);
    if (out.wire.size() > kMaxUdpPayload) {
        return make_error("too_big", fmt::format("t={}: {} bytes signed, a UDP datagram holds at most {}", conf::quote(type),
                                                 out.wire.size(), kMaxUdpPayload));
    }
    return out;
}

}  // namespace ha::net
