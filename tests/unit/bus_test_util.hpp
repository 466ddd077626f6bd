// Helpers shared by the bus tests (bus_test.cpp over zmq, bus_lane_test.cpp over the media lane).
#pragma once

#include <string>
#include <string_view>

#include "ipc/message.hpp"

namespace ha::ipc::testing {

// `t=<type>` with an optional `n=<n>` (a sequence number or a tag).
inline Message msg(std::string_view type, std::string_view n = "") {
    Message m;
    m.add("t", type);
    if (!n.empty()) m.add("n", n);
    return m;
}

// What a router's handler got.
struct Received {
    std::string identity;
    Message message;
};

}  // namespace ha::ipc::testing
