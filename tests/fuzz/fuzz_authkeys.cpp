// libFuzzer target: authkeys text → parse_authkeys, render diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ipc/config/authkeys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ha::conf::Diagnostics diagnostics;
    const ha::ipc::AuthKeys keys = ha::conf::parse_authkeys("authkeys", text, diagnostics);
    (void)keys.active_key();
    for (const auto& d : diagnostics.items()) (void)ha::conf::render(d);
    return 0;
}
