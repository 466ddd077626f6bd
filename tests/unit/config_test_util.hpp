// Helpers for the config tests: a temporary directory and diagnostic matchers.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "ipc/config/diagnostics.hpp"

namespace ha::conf::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "ha-config-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }
    std::string file(std::string_view name) const { return (path_ / name).string(); }

    void write(std::string_view name, std::string_view text, ::mode_t mode = 0644) const {
        const auto p = path_ / name;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
        ::chmod(p.c_str(), mode);
    }

private:
    std::filesystem::path path_;
};

inline std::size_t count(const std::vector<Diagnostic>& ds, Severity sev) {
    return static_cast<std::size_t>(std::count_if(ds.begin(), ds.end(), [&](const Diagnostic& d) { return d.severity == sev; }));
}

// True when some diagnostic has this severity, line, and text containing `needle`.
inline bool has(const std::vector<Diagnostic>& ds, Severity sev, int line, std::string_view needle) {
    return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) {
        return d.severity == sev && d.line == line && d.text.find(needle) != std::string::npos;
    });
}
inline bool has(const Diagnostics& d, Severity sev, int line, std::string_view needle) { return has(d.items(), sev, line, needle); }

inline std::string dump(const std::vector<Diagnostic>& ds) {
    std::string out;
    for (const auto& d : ds) out += render(d) + "\n";
    return out;
}
inline std::string dump(const Diagnostics& d) { return dump(d.items()); }

}  // namespace ha::conf::test
