#include "ipc/message.hpp"

#include <algorithm>

namespace ha::ipc {

Message& Message::add(std::string_view name, std::string_view value, FieldType type) {
    fields_.push_back(Field{std::string(name), std::string(value), type});
    return *this;
}

Message& Message::set(std::string_view name, std::string_view value, FieldType type) {
    for (auto& f : fields_) {
        if (f.name == name) {
            f.value.assign(value);
            f.type = type;
            return *this;
        }
    }
    return add(name, value, type);
}

std::size_t Message::remove(std::string_view name) {
    return std::erase_if(fields_, [&](const Field& f) { return f.name == name; });
}

const Field* Message::find(std::string_view name) const {
    for (const auto& f : fields_) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

std::optional<std::string_view> Message::get(std::string_view name) const {
    if (const Field* f = find(name)) return std::string_view(f->value);
    return std::nullopt;
}

std::string Message::get_or(std::string_view name, std::string_view fallback) const {
    auto v = get(name);
    return std::string(v ? *v : fallback);
}

std::string_view Message::type() const { return get("t").value_or(std::string_view{}); }
std::string_view Message::src() const { return get("src").value_or(std::string_view{}); }

}  // namespace ha::ipc
