// libFuzzer target: haresources text → parse_haresources (no file lookups), render diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ipc/config/haresources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ha::conf::Diagnostics diagnostics;
    const ha::conf::Haresources h = ha::conf::parse_haresources("haresources", text, diagnostics);
    for (const auto& g : h.groups) (void)g.key();
    for (const auto& d : diagnostics.items()) (void)ha::conf::render(d);
    return 0;
}
