#include "master/core/membership_replies.hpp"

#include "master/core/heartbeat_info.hpp"

namespace ha::master {

std::optional<ipc::Message> repnodes_for(const ipc::Message& request, const std::string& local_node,
                                         const std::vector<std::string>& nodes) {
    if (request.type() != "reqnodes" || request.get_or("dest", "") != local_node || request.src().empty()) return std::nullopt;
    std::string list;
    for (const auto& n : nodes) list += n + " ";
    ipc::Message rep;
    rep.add("dest", request.src()).add("t", "repnodes").add("nodelist", list).add("delnodelist", " ");
    if (const auto* uuid = request.find("srcuuid")) rep.add("destuuid", uuid->value, ipc::FieldType::binary);
    return rep;
}

std::optional<ipc::Message> ack_for(const ipc::Message& message, const std::string& local_node, unsigned ack_pick) {
    const auto type = message.type();
    if (type.starts_with("NS_") || message.src().empty() || message.src() == local_node) return std::nullopt;
    auto seq_text = message.get("seq");
    if (!seq_text) return std::nullopt;
    auto seq = parse_hex(*seq_text);
    if (!seq || *seq % 10 != ack_pick % 10) return std::nullopt;
    ipc::Message ack;
    ack.add("t", "NS_ackmsg").add("dest", message.src()).add("ackseq", *seq_text);
    if (const auto* uuid = message.find("srcuuid")) ack.add("destuuid", uuid->value, ipc::FieldType::binary);
    return ack;
}

}  // namespace ha::master
