// Lexer — turns the text of a config file into logical lines, with the limits that keep hostile
// input cheap.
//
// Shared by ha.cf and haresources (compat spec §1.1 and §2): `#` starts a comment anywhere on a
// line, CR before LF is dropped, leading/trailing blanks are trimmed, blank lines vanish, and a
// line that ends in `\` (after its comment is removed) is joined with the next one by one blank.
// authkeys uses whole-line comments only (a `#` inside a secret is part of the secret), so it asks
// for CommentStyle::whole_line and no continuation.
//
// Limits: a file over kMaxFileSize is refused as a whole; a physical or logical line over
// kMaxLineLength, or one containing a NUL or another control byte (tab excepted), is reported and
// skipped. Bytes ≥ 0x80 are passed through (paths may use them); names are checked by their parser.
//
// Time and blocking: none (pure). Diagnostics: errors into the given Diagnostics, with file:line.
// See also: ipc/config/ha_cf.cpp, haresources.cpp, authkeys.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/config/diagnostics.hpp"

namespace ha::conf {

inline constexpr std::size_t kMaxFileSize = 1024 * 1024;  // 1 MiB: real files are < 10 KiB
inline constexpr std::size_t kMaxLineLength = 4096;

enum class CommentStyle { anywhere, whole_line };

struct LexOptions {
    CommentStyle comments = CommentStyle::anywhere;
    bool continuation = true;
};

struct ConfigLine {
    int line = 0;       // number of the first physical line
    std::string text;   // trimmed, never empty, blanks inside kept as written
};

// Never throws; on a file over kMaxFileSize reports one error and returns nothing.
std::vector<ConfigLine> split_lines(std::string_view file, std::string_view text, const LexOptions& options,
                                    Diagnostics& diagnostics);

// Splits on runs of blanks (space, tab).
std::vector<std::string_view> split_words(std::string_view text);

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
std::string_view trim(std::string_view text);
// Dotted-quad IPv4 (each part 1–3 digits, ≤ 255); nullopt otherwise. Never resolves names.
std::optional<std::array<int, 4>> parse_ipv4(std::string_view text);
// A network interface name: 1–15 printable ASCII bytes, no '/' or blank.
bool valid_ifname(std::string_view text);
std::string to_lower(std::string_view text);

}  // namespace ha::conf
