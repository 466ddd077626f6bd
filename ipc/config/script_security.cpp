// check_script_security — see script_security.hpp.
#include "ipc/config/script_security.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

namespace ha::conf {

namespace {

Error unsafe(const std::string& path, std::string_view why) {
    return make_error("unsafe_script", fmt::format("{} {}", path, why));
}

bool trusted_owner(uid_t uid) { return uid == 0 || uid == ::geteuid(); }

// `path` itself (stat: follows a final symlink) and then each directory above it, lexically.
Result<void> check_chain(const std::filesystem::path& path, bool is_file) {
    std::filesystem::path p = path.lexically_normal();
    bool file = is_file;
    while (true) {
        struct ::stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            if (errno == ENOENT) return make_error("missing", fmt::format("{} does not exist", p.string()));
            return unsafe(p.string(), fmt::format("cannot be checked: {}", std::strerror(errno)));
        }
        if (file && !S_ISREG(st.st_mode)) return unsafe(p.string(), "is not a regular file");
        if (!trusted_owner(st.st_uid)) return unsafe(p.string(), fmt::format("is owned by uid {}, not by root", st.st_uid));
        const bool writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
        const bool sticky_dir = !file && (st.st_mode & S_ISVTX) != 0;
        if (writable && !sticky_dir)
            return unsafe(p.string(), fmt::format("is writable by group/others (mode {:04o})", st.st_mode & 07777));
        if (!p.has_relative_path()) return {};  // reached "/"
        p = p.parent_path();
        file = false;
    }
}

}  // namespace

Result<void> check_script_security(const std::string& path) {
    const std::filesystem::path given(path);
    if (!given.is_absolute()) return unsafe(path, "is not an absolute path");
    if (auto r = check_chain(given, true); !r) return r;
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr)
        return unsafe(path, fmt::format("cannot be resolved: {}", std::strerror(errno)));
    if (path != resolved) return check_chain(resolved, true);
    return {};
}

}  // namespace ha::conf
