// Diagnostics — see diagnostics.hpp.
#include "ipc/config/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ha::conf {

std::string_view severity_word(Severity severity) {
    switch (severity) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::info: return "info";
    }
    return "error";
}

std::string render(const Diagnostic& d) {
    if (d.line > 0) return fmt::format("{}:{}: {}: {}", d.file, d.line, severity_word(d.severity), d.text);
    return fmt::format("{}: {}: {}", d.file, severity_word(d.severity), d.text);
}

std::string quote(std::string_view text) {
    std::string out;
    const bool cut = text.size() > kMaxQuoted;
    if (cut) text = text.substr(0, kMaxQuoted);
    out.reserve(text.size() + 8);
    for (unsigned char c : text) {
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    if (cut) out += "...";
    return out;
}

void Diagnostics::add(Severity severity, std::string_view file, int line, std::string text) {
    if (severity == Severity::error) {
        ++errors_;
        auto it = errors_per_file_.find(file);
        if (it == errors_per_file_.end()) it = errors_per_file_.emplace(std::string(file), 0).first;
        const std::size_t n = ++it->second;
        if (n == static_cast<std::size_t>(kMaxErrorsPerFile) + 1) {
            items_.push_back({std::string(file), 0, Severity::info,
                              fmt::format("more than {} errors; further errors in this file are not shown", kMaxErrorsPerFile)});
        }
        if (n > static_cast<std::size_t>(kMaxErrorsPerFile)) return;
    } else {
        // Warnings and notes are capped the same way so a hostile file cannot grow the list.
        const auto same_file = std::count_if(items_.begin(), items_.end(), [&](const Diagnostic& d) {
            return d.severity != Severity::error && d.file == file;
        });
        if (same_file >= kMaxErrorsPerFile) return;
    }
    items_.push_back({std::string(file), line, severity, std::move(text)});
}

std::size_t Diagnostics::warning_count() const {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(),
                                                  [](const Diagnostic& d) { return d.severity == Severity::warning; }));
}

std::size_t Diagnostics::error_count(std::string_view file) const {
    auto it = errors_per_file_.find(file);
    return it == errors_per_file_.end() ? 0 : it->second;
}

}  // namespace ha::conf
