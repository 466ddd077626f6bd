// libFuzzer target: ha.cf text → parse_ha_cf, then render every diagnostic.
// Guards: no crash, no UB, no unbounded memory on any input (lexer.hpp limits).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ipc/config/ha_cf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ha::conf::Diagnostics diagnostics;
    const ha::conf::HaCf cf = ha::conf::parse_ha_cf("ha.cf", text, diagnostics);
    for (const auto& d : diagnostics.items()) (void)ha::conf::render(d);
    for (auto name : {"keepalive", "deadtime", "warntime", "initdead", "node", "udpport"}) (void)cf.parameter(name);
    return 0;
}
