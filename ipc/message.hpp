// Message — the one message type of hamaster: ordered `name=value` fields.
//
// The same type travels on the wire (Heartbeat 3 classic and netstring forms, ipc/codec.hpp) and on
// the internal bus. Field order is kept exactly as built or received (the auth digest covers it).
// Values are raw bytes in a std::string; the field type says how the codec renders them.
//
// Time and blocking: none. Diagnostics: none (the codec reports errors).
// See also: ipc/codec.hpp, compat spec §4 and §6.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ha::ipc {

// Heartbeat's field type codes (compat spec §4.1).
enum class FieldType : std::uint8_t {
    string = 0,
    binary = 1,
    structure = 2,  // value holds a complete nested message in netstring form
    list = 3,       // value holds `len:elem,` repeated
    compressed = 4,
    uncompressed = 5,
};

struct Field {
    std::string name;
    std::string value;
    FieldType type = FieldType::string;
    bool operator==(const Field&) const = default;
};

class Message {
public:
    Message() = default;

    // Appends a field (duplicates are allowed, as on the wire).
    Message& add(std::string_view name, std::string_view value, FieldType type = FieldType::string);
    // Replaces the value of the first field called `name`, or appends it.
    Message& set(std::string_view name, std::string_view value, FieldType type = FieldType::string);
    // Removes every field called `name`; returns how many were removed.
    std::size_t remove(std::string_view name);

    // The value of the first field called `name`.
    std::optional<std::string_view> get(std::string_view name) const;
    std::string get_or(std::string_view name, std::string_view fallback) const;
    const Field* find(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }

    // Convenience: the message type (`t`) and source (`src`), empty when absent.
    std::string_view type() const;
    std::string_view src() const;

    const std::vector<Field>& fields() const { return fields_; }
    std::vector<Field>& fields() { return fields_; }
    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }

    bool operator==(const Message&) const = default;

private:
    std::vector<Field> fields_;
};

}  // namespace ha::ipc
