// XmlWriter — see xml_writer.hpp.
#include "master/xml_writer.hpp"

#include <cassert>

namespace ha::master {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF are not valid).
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t n = 0;
    unsigned min = 0, cp = 0;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000, cp = c & 0x07u;
    else return 0;
    if (i + n > text.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}

// Valid XML character data: control bytes and broken UTF-8 replaced; `quote` escapes markup too.
std::string clean(std::string_view text, bool quote) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_length(text, i);
            if (n == 0) {
                out += kReplacement;
                ++i;
            } else {
                out.append(text.substr(i, n));
                i += n;
            }
            continue;
        }
        ++i;
        if (c == '\t' || c == '\n' || c == '\r') {
            if (quote) out += c == '\t' ? "&#9;" : c == '\n' ? "&#10;" : "&#13;";
            else out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7F) {
            out += kReplacement;
        } else if (quote && c == '&') {
            out += "&amp;";
        } else if (quote && c == '<') {
            out += "&lt;";
        } else if (quote && c == '>') {
            out += "&gt;";
        } else if (quote && c == '"') {
            out += "&quot;";
        } else if (quote && c == '\'') {
            out += "&apos;";
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

std::string XmlWriter::escape(std::string_view text) { return clean(text, true); }

void XmlWriter::start_tag(std::string_view tag, const Attributes& attributes) {
    out_.append(2 * open_.size(), ' ');
    out_ += '<';
    out_ += tag;
    for (const auto& [name, value] : attributes) {
        out_ += ' ';
        out_ += name;
        out_ += "=\"";
        out_ += escape(value);
        out_ += '"';
    }
}

void XmlWriter::open(std::string_view tag, const Attributes& attributes) {
    start_tag(tag, attributes);
    out_ += ">\n";
    open_.emplace_back(tag);
}

void XmlWriter::empty(std::string_view tag, const Attributes& attributes) {
    start_tag(tag, attributes);
    out_ += "/>\n";
}

void XmlWriter::close() {
    assert(!open_.empty() && "XmlWriter::close without an open element");
    const std::string tag = std::move(open_.back());
    open_.pop_back();
    out_.append(2 * open_.size(), ' ');
    out_ += "</" + tag + ">\n";
}

void XmlWriter::comment(std::string_view text) {
    // "--" may not appear inside a comment, nor may it end with "-".
    std::string body = clean(text, false);
    for (std::size_t at = body.find("--"); at != std::string::npos; at = body.find("--", at)) body.insert(at + 1, " ");
    for (char& c : body)
        if (c == '\n' || c == '\r') c = ' ';
    out_.append(2 * open_.size(), ' ');
    out_ += "<!-- " + body + " -->\n";
}

const std::string& XmlWriter::text() const {
    assert(open_.empty() && "XmlWriter::text with an element still open");
    return out_;
}

}  // namespace ha::master
