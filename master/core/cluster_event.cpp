// Words for the enums of cluster_event.hpp.
#include "master/core/cluster_event.hpp"

namespace ha::master {

std::string_view node_type_word(NodeType type) {
    switch (type) {
        case NodeType::normal: return "normal";
        case NodeType::ping: return "ping";
    }
    return "normal";
}

std::string_view link_status_word(LinkStatus status) {
    switch (status) {
        case LinkStatus::up: return "up";
        case LinkStatus::dead: return "dead";
    }
    return "dead";
}

std::string_view drop_reason_word(DropReason reason) {
    switch (reason) {
        case DropReason::unknown_node: return "unknown_node";
        case DropReason::unknown_link: return "unknown_link";
        case DropReason::own_node: return "own_node";
        case DropReason::replay: return "replay";
        case DropReason::duplicate: return "duplicate";
        case DropReason::stale: return "stale";
        case DropReason::seq_jump: return "seq_jump";
    }
    return "unknown";
}

}  // namespace ha::master
