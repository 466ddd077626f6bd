// version — see version.hpp.
#include "ipc/version.hpp"

#include <fmt/format.h>

#ifndef HA_VERSION
#error "HA_VERSION is set for this file by ipc/CMakeLists.txt"
#endif

namespace ha::ipc {

std::string_view hamaster_version() { return HA_VERSION; }

std::string version_text(std::string_view program) {
    return fmt::format("{} (hamaster) {}\nHeartbeat 3.0.6 compatible (R1, haresources mode).\n", program, HA_VERSION);
}

}  // namespace ha::ipc
