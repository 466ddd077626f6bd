// Authkeys — see authkeys.hpp.
#include "ipc/config/authkeys.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "ipc/auth.hpp"
#include "ipc/config/lexer.hpp"

namespace ha::conf {
namespace {

std::optional<int> parse_index(std::string_view t) {
    if (t.empty() || t.size() > 2 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const int v = t.size() == 1 ? t[0] - '0' : (t[0] - '0') * 10 + (t[1] - '0');
    if (v > ipc::AuthKeys::kMaxIndex) return std::nullopt;
    return v;
}

// Listed keys that never verify anything (ipc::AuthKeys::verify_key): say so, naming their lines.
void warn_unused_keys(std::string_view file, const ipc::AuthKeys& keys,
                      const std::array<int, ipc::AuthKeys::kMaxIndex + 1>& defined_at, Diagnostics& diagnostics) {
    const ipc::AuthKey* active = keys.active_key();
    std::vector<int> spare;
    for (int i = 0; i <= ipc::AuthKeys::kMaxIndex; ++i) {
        const ipc::AuthKey* k = keys.key(i);
        if (i == keys.active || k == nullptr) continue;
        if (k->method == ipc::AuthMethod::crc && active->method != ipc::AuthMethod::crc) {
            diagnostics.warning(file, defined_at[static_cast<std::size_t>(i)],
                                fmt::format("key {} (crc) is ignored: crc is a checksum, not a signature, so it never verifies "
                                            "a message beside the {} key {}; remove the line",
                                            i, ipc::method_name(active->method), keys.active));
            continue;
        }
        spare.push_back(i);
    }
    if (spare.size() < 2) return;
    for (int i : spare)
        diagnostics.warning(file, defined_at[static_cast<std::size_t>(i)],
                            fmt::format("key {} is ignored: {} spare keys are listed besides the active key {}, and only one "
                                        "rollover key may verify; keep at most one",
                                        i, spare.size(), keys.active));
}

}  // namespace

ipc::AuthKeys parse_authkeys(std::string_view file, std::string_view text, Diagnostics& diagnostics) {
    ipc::AuthKeys keys;
    std::array<int, ipc::AuthKeys::kMaxIndex + 1> defined_at{};  // line of the key's definition, 0 = none
    int auth_line = 0;
    int requested = -1;  // the `auth N` index
    const LexOptions lex{.comments = CommentStyle::whole_line, .continuation = false};
    for (const ConfigLine& cl : split_lines(file, text, lex, diagnostics)) {
        auto err = [&](std::string msg) { diagnostics.error(file, cl.line, std::move(msg)); };
        const auto words = split_words(cl.text);
        if (words[0] == "auth") {
            if (words.size() != 2) {
                err("auth: expected \"auth N\" with N in 0–15");
                continue;
            }
            auto n = parse_index(words[1]);
            if (!n) {
                err(fmt::format("auth: key index \"{}\" is not in 0–15", quote(words[1])));
                continue;
            }
            if (auth_line) diagnostics.warning(file, cl.line, fmt::format("auth given twice (first at line {}); this one wins", auth_line));
            auth_line = cl.line;
            requested = *n;
            if (defined_at[static_cast<std::size_t>(*n)] != 0) {
                err(fmt::format("Auth Key [{}] not found: \"auth {}\" must come before the line defining key {} (line {})", *n, *n,
                                *n, defined_at[static_cast<std::size_t>(*n)]));
                requested = -2;  // reported; do not report "not found" again at the end
            }
            continue;
        }
        auto n = parse_index(words[0]);
        if (!n) {
            err(fmt::format("expected \"auth N\" or \"N METHOD [SECRET]\" with N in 0–15, got \"{}\"", quote(words[0])));
            continue;
        }
        if (words.size() < 2) {
            err(fmt::format("key {}: missing method (crc, md5 or sha1)", *n));
            continue;
        }
        ipc::AuthKey key;
        const std::string_view method = words[1];
        if (method == "crc") key.method = ipc::AuthMethod::crc;
        else if (method == "md5") key.method = ipc::AuthMethod::md5;
        else if (method == "sha1") key.method = ipc::AuthMethod::sha1;
        else {
            err(fmt::format("Invalid authtype [{}] for key {} (use crc, md5 or sha1)", quote(method), *n));
            continue;
        }
        if (key.method == ipc::AuthMethod::crc) {
            if (words.size() > 2) {
                err(fmt::format("key {}: crc takes no secret", *n));
                continue;
            }
        } else {
            if (words.size() < 3) {
                err(fmt::format("key {}: {} needs a secret", *n, method));
                continue;
            }
            if (words.size() > 3) {
                err(fmt::format("key {}: the secret must be a single word (no blanks)", *n));
                continue;
            }
            key.secret = std::string(words[2]);
        }
        const auto slot = static_cast<std::size_t>(*n);
        if (defined_at[slot] != 0)
            diagnostics.warning(file, cl.line, fmt::format("key {} defined twice (first at line {}); this one wins", *n, defined_at[slot]));
        defined_at[slot] = cl.line;
        keys.keys[slot] = std::move(key);
    }
    if (!auth_line) {
        diagnostics.error(file, 0, "no \"auth N\" line: the key to sign with is not chosen");
    } else if (requested >= 0) {
        if (!keys.keys[static_cast<std::size_t>(requested)]) {
            diagnostics.error(file, auth_line, fmt::format("Auth Key [{}] not found", requested));
        } else {
            keys.active = requested;
            warn_unused_keys(file, keys, defined_at, diagnostics);
        }
    }
    return keys;
}

void check_authkeys_permissions(const std::string& path, const struct ::stat& st, Diagnostics& diagnostics) {
    if ((st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH)) != 0)
        diagnostics.error(path, 0, fmt::format("Bad permissions on keyfile [{}], 600 recommended.", path));
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        diagnostics.error(path, 0, fmt::format("Bad owner of keyfile [{}]: uid {}, must be root", path, st.st_uid));
}

}  // namespace ha::conf
