// Lexer — see lexer.hpp.
#include "ipc/config/lexer.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ha::conf {

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_blank(text[i])) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_blank(text[i])) ++i;
        if (i > start) words.push_back(text.substr(start, i - start));
    }
    return words;
}

std::vector<ConfigLine> split_lines(std::string_view file, std::string_view text, const LexOptions& options,
                                    Diagnostics& diagnostics) {
    std::vector<ConfigLine> lines;
    if (text.size() > kMaxFileSize) {
        diagnostics.error(file, 0, fmt::format("file too large ({} bytes, limit {}); nothing read", text.size(), kMaxFileSize));
        return lines;
    }
    std::string pending;     // logical line being joined
    int pending_line = 0;    // its first physical line; 0 = none
    bool pending_bad = false;
    int number = 0;
    std::size_t pos = 0;
    auto flush = [&] {
        if (pending_line != 0 && !pending_bad) {
            std::string_view t = trim(pending);
            if (!t.empty()) lines.push_back({pending_line, std::string(t)});
        }
        pending.clear();
        pending_line = 0;
        pending_bad = false;
    };
    while (pos < text.size()) {
        ++number;
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view physical = text.substr(pos, end - pos);
        pos = end + 1;
        while (!physical.empty() && physical.back() == '\r') physical.remove_suffix(1);

        bool bad = false;
        if (physical.size() > kMaxLineLength) {
            diagnostics.error(file, number, fmt::format("line too long ({} bytes, limit {})", physical.size(), kMaxLineLength));
            bad = true;
        } else {
            for (unsigned char c : physical) {
                if (c == '\t' || c >= 0x20) continue;
                if (c == 0x7f) continue;
                diagnostics.error(file, number, c == 0 ? std::string("NUL byte in line")
                                                      : fmt::format("control character \\x{:02x} in line", c));
                bad = true;
                break;
            }
        }
        if (!bad) {
            if (options.comments == CommentStyle::anywhere) {
                const std::size_t hash = physical.find('#');
                if (hash != std::string_view::npos) physical = physical.substr(0, hash);
            } else if (std::string_view t = trim(physical); !t.empty() && t.front() == '#') {
                physical = {};
            }
        }
        bool continues = false;
        std::string_view content = bad ? std::string_view{} : trim(physical);
        if (options.continuation && !bad && !content.empty() && content.back() == '\\') {
            continues = true;
            content.remove_suffix(1);
        }
        if (pending_line == 0) pending_line = number;
        if (bad) pending_bad = true;
        if (!pending.empty() && !content.empty()) pending += ' ';
        pending += content;
        if (!pending_bad && pending.size() > kMaxLineLength) {
            diagnostics.error(file, pending_line,
                              fmt::format("continued line too long (more than {} bytes)", kMaxLineLength));
            pending_bad = true;
        }
        if (pending_bad) pending.clear();
        if (!continues) flush();
    }
    flush();
    return lines;
}

std::optional<std::array<int, 4>> parse_ipv4(std::string_view text) {
    std::array<int, 4> out{};
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t start = i;
        int v = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + (text[i++] - '0');
        if (i == start || v > 255) return std::nullopt;
        out[part++] = v;
        if (part < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return out;
}

bool valid_ifname(std::string_view text) {
    if (text.empty() || text.size() > 15 || text == "." || text == "..") return false;
    // Printable ASCII without '/' (the kernel's rule, minus blanks); ':' marks an alias.
    return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '/'; });
}

}  // namespace ha::conf
