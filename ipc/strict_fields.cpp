// strict_fields — see strict_fields.hpp.
#include "ipc/strict_fields.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ha::ipc {

Result<void> check_fields(const Message& m, std::string_view type, std::span<const std::string_view> allowed) {
    for (const auto& f : m.fields()) {
        if (std::find(allowed.begin(), allowed.end(), f.name) == allowed.end())
            return make_error("unexpected_field", fmt::format("{}: unexpected field \"{}\"", type, f.name));
        if (std::count_if(m.fields().begin(), m.fields().end(), [&](const Field& g) { return g.name == f.name; }) > 1)
            return make_error("duplicate_field", fmt::format("{}: duplicate field \"{}\"", type, f.name));
    }
    return {};
}

}  // namespace ha::ipc
