// Codec — implementation of the Heartbeat 3 classic and netstring wire forms (see codec.hpp).
//
// Parsing walks a string_view with explicit offsets; every length is compared with what is left
// before any byte is copied, so a hostile length can never make us allocate or read past the end.
// Nested structs are validated recursively (depth capped by CodecLimits::max_depth, so the stack
// stays small) and stored as their raw netstring bytes.
//
// Time and blocking: none. Diagnostics: none (errors are returned).
// See also: ipc/codec.hpp, compat spec §4.
#include "ipc/codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace ha::ipc {
namespace {

constexpr std::string_view kNetHead = "###\n";
constexpr std::string_view kNetTail = "%%%\n";
constexpr std::string_view kClassicHead = ">>>";
constexpr std::string_view kClassicTail = "<<<";
constexpr char kClassicLfEscape = '\x13';  // an LF inside a classic string value
constexpr std::size_t kMaxLenDigits = 9;   // 999'999'999 is far above any limit

Error err(std::string_view code, std::string message) { return Error{std::string(code), std::move(message)}; }

std::string at(std::size_t offset) { return "at byte " + std::to_string(offset); }

std::string quoted_name(std::string_view name) {
    // Names in error text are cut and made printable: they come from the wire.
    std::string out = "\"";
    for (char c : name.substr(0, 64)) {
        auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    if (name.size() > 64) out += "...";
    return out + "\"";
}

// The byte that stands for LF inside a struct rendered in classic form, per nesting level
// (level 1 = a struct directly inside the top-level message): 20..31, then 15..18 (compat §4.1).
char struct_lf_marker(int level) {
    int i = level - 1;
    return static_cast<char>(i < 12 ? 20 + i : 15 + (i - 12));
}

bool is_type_code(char c) { return c >= '0' && c <= '5'; }

// --- netstring -------------------------------------------------------------------------------

struct Cursor {
    std::string_view data;
    std::size_t pos = 0;
    std::size_t base = 0;  // offset of data[0] in the whole frame, for error text
    std::size_t left() const { return data.size() - pos; }
    std::size_t where() const { return base + pos; }
};

// Reads `LEN:` and returns LEN, checking it fits with its `,` in what is left.
Result<std::size_t> read_netstring_len(Cursor& c) {
    std::size_t start = c.pos;
    std::size_t n = 0;
    std::size_t digits = 0;
    while (c.pos < c.data.size() && c.data[c.pos] >= '0' && c.data[c.pos] <= '9') {
        if (++digits > kMaxLenDigits) return err("bad_length", "netstring length too long " + at(c.base + start));
        n = n * 10 + static_cast<std::size_t>(c.data[c.pos] - '0');
        ++c.pos;
    }
    if (digits == 0) {
        if (c.pos >= c.data.size()) return err("truncated", "message ends " + at(c.where()) + " (expected a netstring or %%%)");
        return err("bad_framing", "expected a netstring length " + at(c.where()));
    }
    if (digits > 1 && c.data[start] == '0') return err("bad_length", "netstring length with leading zero " + at(c.base + start));
    if (c.pos >= c.data.size()) return err("truncated", "message ends inside a netstring length " + at(c.where()));
    if (c.data[c.pos] != ':') return err("bad_framing", "expected ':' after netstring length " + at(c.where()));
    ++c.pos;
    if (n >= c.left()) return err("truncated", "netstring of " + std::to_string(n) + " bytes " + at(c.base + start) + " runs past the end");
    if (c.data[c.pos + n] != ',') return err("bad_length", "netstring " + at(c.base + start) + " not closed by ',' after " + std::to_string(n) + " bytes");
    return n;
}

Result<void> validate_list(std::string_view value, std::size_t base, std::string_view name) {
    Cursor c{value, 0, base};
    while (c.left() > 0) {
        auto n = read_netstring_len(c);
        if (!n) return err(n.error().code, "list field " + quoted_name(name) + ": " + n.error().message);
        c.pos += *n + 1;
    }
    return {};
}

// Parses the fields of one netstring message body starting right after `###\n`, up to and
// including `%%%\n`. Returns the offset just past `%%%\n`. When `out` is null it only validates.
Result<std::size_t> parse_netstring_fields(Cursor c, int depth, const CodecLimits& limits, Message* out);

Result<void> validate_struct(std::string_view value, std::size_t base, int depth, const CodecLimits& limits,
                             std::string_view name) {
    if (depth > limits.max_depth)
        return err("too_deep", "struct field " + quoted_name(name) + " nests deeper than " + std::to_string(limits.max_depth) + " levels");
    if (!value.starts_with(kNetHead))
        return err("bad_framing", "struct field " + quoted_name(name) + " is not a netstring message " + at(base));
    auto end = parse_netstring_fields(Cursor{value, kNetHead.size(), base}, depth, limits, nullptr);
    if (!end) return end.error();
    if (*end != value.size())
        return err("bad_framing", "struct field " + quoted_name(name) + " has bytes after %%% " + at(base + *end));
    return {};
}

Result<std::size_t> parse_netstring_fields(Cursor c, int depth, const CodecLimits& limits, Message* out) {
    std::size_t count = 0;
    for (;;) {
        if (c.data.substr(c.pos).starts_with(kNetTail)) return c.pos + kNetTail.size();
        std::size_t field_at = c.where();
        auto len = read_netstring_len(c);
        if (!len) return len.error();
        std::string_view payload = c.data.substr(c.pos, *len);
        std::size_t payload_at = c.where();
        c.pos += *len + 1;

        if (++count > limits.max_fields)
            return err("too_many_fields", "more than " + std::to_string(limits.max_fields) + " fields, field " + at(field_at));
        if (payload.size() < 4 || payload[0] != '(' || payload[2] != ')')
            return err("bad_type", "field " + at(field_at) + " has no (T) type prefix");
        if (!is_type_code(payload[1]))
            return err("bad_type", "field " + at(field_at) + " has unknown type code '" + std::string(1, payload[1]) + "'");
        auto type = static_cast<FieldType>(payload[1] - '0');
        std::string_view rest = payload.substr(3);
        std::size_t eq = rest.find('=');
        if (eq == std::string_view::npos) return err("bad_framing", "field " + at(field_at) + " has no '='");
        std::string_view name = rest.substr(0, eq);
        std::string_view value = rest.substr(eq + 1);
        if (name.size() > limits.max_name)
            return err("too_long", "field name " + at(field_at) + " is " + std::to_string(name.size()) + " bytes (limit " + std::to_string(limits.max_name) + ")");
        if (!valid_field_name(name)) return err("bad_name", "invalid field name " + quoted_name(name) + " " + at(field_at));
        if (value.size() > limits.max_value)
            return err("too_long", "field " + quoted_name(name) + " value is " + std::to_string(value.size()) + " bytes (limit " + std::to_string(limits.max_value) + ")");
        std::size_t value_at = payload_at + 3 + eq + 1;
        switch (type) {
            case FieldType::string:
            case FieldType::binary:
                break;
            case FieldType::structure: {
                auto ok = validate_struct(value, value_at, depth + 1, limits, name);
                if (!ok) return ok.error();
                break;
            }
            case FieldType::list: {
                auto ok = validate_list(value, value_at, name);
                if (!ok) return ok.error();
                break;
            }
            case FieldType::compressed:
            case FieldType::uncompressed:
                return err("unsupported", "field " + quoted_name(name) + ": compressed fields not supported");
        }
        if (out) out->add(name, value, type);
    }
}

Result<DecodedFrame> decode_netstring(std::string_view bytes, const CodecLimits& limits) {
    DecodedFrame frame;
    frame.form = WireForm::netstring;
    // A typical field is about 16 bytes on the wire (a heartbeat has about 12): reserving that guess
    // once spares the vector its regrowths (and moves) on most messages; it still grows if short.
    // Capped, so that a large garbled datagram costs no large allocation before it is refused.
    frame.message.fields().reserve(std::min<std::size_t>({limits.max_fields, bytes.size() / 16 + 4, 32}));
    auto end = parse_netstring_fields(Cursor{bytes, kNetHead.size(), 0}, 0, limits, &frame.message);
    if (!end) return end.error();
    frame.signed_length = *end;
    Cursor c{bytes, *end, 0};
    if (c.left() == 1 && bytes[c.pos] == '\0') return frame;  // tolerate one trailing NUL
    if (c.left() == 0) return frame;
    std::size_t auth_at = c.pos;
    auto len = read_netstring_len(c);
    if (!len) return err(len.error().code, "trailing auth: " + len.error().message);
    frame.outer_auth = std::string(bytes.substr(c.pos, *len));
    c.pos += *len + 1;
    if (c.left() == 1 && bytes[c.pos] == '\0') ++c.pos;
    if (c.left() != 0) return err("bad_framing", "bytes after the trailing auth netstring " + at(c.pos) + " (auth " + at(auth_at) + ")");
    return frame;
}

// --- classic ---------------------------------------------------------------------------------

bool is_eol(char c) { return c == '\n' || c == '\r'; }

// Parses a classic message starting at `>>>`; `lf` is the byte that stands for a line break (LF at
// the top level, a struct marker inside a struct). Returns the offset just past `<<<`.
Result<std::size_t> parse_classic(std::string_view text, std::size_t base, int depth, char lf,
                                  const CodecLimits& limits, Message& out) {
    auto eol = [&](char ch) { return lf == '\n' ? is_eol(ch) : ch == lf; };
    std::size_t pos = 0;
    auto skip_eols = [&] {
        while (pos < text.size() && eol(text[pos])) ++pos;
    };
    skip_eols();
    if (!text.substr(pos).starts_with(kClassicHead)) return err("bad_framing", "expected >>> " + at(base + pos));
    pos += kClassicHead.size();
    if (pos >= text.size() || !eol(text[pos])) return err("bad_framing", "expected a line break after >>> " + at(base + pos));
    std::size_t count = 0;
    for (;;) {
        skip_eols();
        if (pos >= text.size()) return err("truncated", "message ends before <<< " + at(base + pos));
        if (text[pos] == '\0') return err("truncated", "NUL before <<< " + at(base + pos));
        std::size_t line_at = pos;
        std::size_t line_end = pos;
        while (line_end < text.size() && !eol(text[line_end]) && text[line_end] != '\0') ++line_end;
        std::string_view line = text.substr(pos, line_end - pos);
        pos = line_end;
        if (line == kClassicTail) return pos;

        if (++count > limits.max_fields)
            return err("too_many_fields", "more than " + std::to_string(limits.max_fields) + " fields, line " + at(base + line_at));
        FieldType type = FieldType::string;
        std::size_t prefix = 0;
        if (!line.empty() && line[0] == '(') {
            if (line.size() < 3 || line[2] != ')' || !is_type_code(line[1]))
                return err("bad_type", "bad (T) type prefix " + at(base + line_at));
            type = static_cast<FieldType>(line[1] - '0');
            line.remove_prefix(3);
            prefix = 3;
        }
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) return err("bad_framing", "line without '=' " + at(base + line_at));
        std::string_view name = line.substr(0, eq);
        std::string_view value = line.substr(eq + 1);
        if (name.size() > limits.max_name)
            return err("too_long", "field name " + at(base + line_at) + " is " + std::to_string(name.size()) + " bytes (limit " + std::to_string(limits.max_name) + ")");
        if (!valid_field_name(name)) return err("bad_name", "invalid field name " + quoted_name(name) + " " + at(base + line_at));
        if (value.size() > limits.max_value)
            return err("too_long", "field " + quoted_name(name) + " value is " + std::to_string(value.size()) + " bytes (limit " + std::to_string(limits.max_value) + ")");
        std::size_t value_at = base + line_at + prefix + eq + 1;
        switch (type) {
            case FieldType::string: {
                std::string v(value);
                for (char& ch : v)
                    if (ch == kClassicLfEscape) ch = '\n';
                out.add(name, v, type);
                break;
            }
            case FieldType::binary: {
                auto v = base64_decode(value);
                if (!v) return err("bad_base64", "field " + quoted_name(name) + ": " + v.error().message + " (value " + at(value_at) + ")");
                out.add(name, *v, type);
                break;
            }
            case FieldType::structure: {
                if (depth + 1 > limits.max_depth)
                    return err("too_deep", "struct field " + quoted_name(name) + " nests deeper than " + std::to_string(limits.max_depth) + " levels");
                Message nested;
                auto end = parse_classic(value, value_at, depth + 1, struct_lf_marker(depth + 1), limits, nested);
                if (!end) return end.error();
                for (std::size_t i = *end; i < value.size(); ++i)
                    if (value[i] != struct_lf_marker(depth + 1))
                        return err("bad_framing", "struct field " + quoted_name(name) + " has bytes after <<< " + at(value_at + i));
                out.add(name, encode_netstring(nested), type);
                break;
            }
            case FieldType::list: {
                auto ok = validate_list(value, value_at, name);
                if (!ok) return ok.error();
                out.add(name, value, type);
                break;
            }
            case FieldType::compressed:
            case FieldType::uncompressed:
                return err("unsupported", "field " + quoted_name(name) + ": compressed fields not supported");
        }
    }
}

Result<DecodedFrame> decode_classic(std::string_view bytes, const CodecLimits& limits) {
    DecodedFrame frame;
    frame.form = WireForm::classic;
    auto end = parse_classic(bytes, 0, 0, '\n', limits, frame.message);
    if (!end) return end.error();
    std::size_t pos = *end;
    while (pos < bytes.size() && is_eol(bytes[pos])) ++pos;
    if (pos < bytes.size() && bytes[pos] == '\0') ++pos;  // the datagram form's NUL
    if (pos != bytes.size()) return err("bad_framing", "bytes after <<< " + at(pos));
    return frame;
}

// --- encoding --------------------------------------------------------------------------------

void append_classic_fields(std::string& out, const Message& m, int depth, bool skip_auth);

// A struct value (netstring bytes) rendered as a classic message whose LFs are the level's marker.
void append_classic_struct(std::string& out, std::string_view netstring_value, int level) {
    Message nested;
    CodecLimits lim;
    lim.max_bytes = netstring_value.size();
    lim.max_value = netstring_value.size();
    lim.max_fields = netstring_value.size();
    auto dec = decode(netstring_value, lim);
    if (!dec || level > lim.max_depth) {
        out += netstring_value;  // not a valid struct: garbage in, garbage out (documented)
        return;
    }
    std::string text = ">>>\n";
    append_classic_fields(text, *dec, level, false);
    text += "<<<\n";
    const char marker = struct_lf_marker(level);
    for (char& ch : text)
        if (ch == '\n') ch = marker;
    out += text;
}

void append_classic_fields(std::string& out, const Message& m, int depth, bool skip_auth) {
    for (const Field& f : m.fields()) {
        if (skip_auth && f.name == "auth") continue;
        if (f.type != FieldType::string) {
            out += '(';
            out += static_cast<char>('0' + static_cast<int>(f.type));
            out += ')';
        }
        out += f.name;
        out += '=';
        switch (f.type) {
            case FieldType::string:
                for (char ch : f.value) out += ch == '\n' ? kClassicLfEscape : ch;
                break;
            case FieldType::binary:
                out += base64_encode(f.value);
                break;
            case FieldType::structure:
                append_classic_struct(out, f.value, depth + 1);
                break;
            default:
                out += f.value;
                break;
        }
        out += '\n';
    }
}

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

bool valid_field_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '=' || c == '(' || c == ')') return false;
    }
    return true;
}

Result<DecodedFrame> decode_frame(std::string_view bytes, const CodecLimits& limits) {
    if (bytes.size() > limits.max_bytes)
        return err("too_big", "message of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
    if (bytes.empty()) return err("empty", "empty message");
    if (bytes.starts_with(kNetHead)) return decode_netstring(bytes, limits);
    std::size_t pos = 0;
    while (pos < bytes.size() && is_eol(bytes[pos])) ++pos;
    if (bytes.substr(pos).starts_with(kClassicHead)) return decode_classic(bytes, limits);
    if (pos == bytes.size()) return err("empty", "message holds only line breaks");
    if (kNetHead.starts_with(bytes.substr(0, kNetHead.size())) || kClassicHead.starts_with(bytes.substr(pos, kClassicHead.size())))
        return err("truncated", "message ends inside its first line");
    return err("bad_framing", "not a Heartbeat message (expected ### or >>>) at byte 0");
}

Result<Message> decode(std::string_view bytes, const CodecLimits& limits) {
    auto frame = decode_frame(bytes, limits);
    if (!frame) return frame.error();
    return std::move(frame->message);
}

std::string encode_netstring(const Message& message) {
    std::size_t size = kNetHead.size() + kNetTail.size();
    for (const Field& f : message.fields()) size += f.name.size() + f.value.size() + 16;
    std::string out;
    out.reserve(size);
    out += kNetHead;
    for (const Field& f : message.fields()) {
        out += std::to_string(3 + f.name.size() + 1 + f.value.size());
        out += ":(";
        out += static_cast<char>('0' + static_cast<int>(f.type));
        out += ')';
        out += f.name;
        out += '=';
        out += f.value;
        out += ',';
    }
    out += kNetTail;
    return out;
}

std::string encode_classic(const Message& message) {
    std::string out = ">>>\n";
    append_classic_fields(out, message, 0, false);
    out += "<<<\n";
    return out;
}

std::string classic_auth_text(const Message& message) {
    std::string out;
    append_classic_fields(out, message, 0, true);
    return out;
}

namespace {
bool representable_at(const Message& message, int level) {
    // Bytes a classic line cannot carry at this nesting level: CR, NUL, the LF escape, and the LF
    // markers of every enclosing struct level (they are rewritten on receipt).
    auto bad_byte = [&](char ch, bool lf_ok) {
        if (ch == '\r' || ch == '\0') return true;
        if (ch == '\n') return !lf_ok;
        for (int l = 1; l <= level; ++l)
            if (ch == struct_lf_marker(l)) return true;
        return false;
    };
    for (const Field& f : message.fields()) {
        switch (f.type) {
            case FieldType::string:
                for (char ch : f.value)
                    if (ch == kClassicLfEscape || bad_byte(ch, true)) return false;
                break;
            case FieldType::binary:
                break;
            case FieldType::structure: {
                CodecLimits lim;
                lim.max_bytes = lim.max_value = lim.max_fields = f.value.size();
                auto nested = decode(f.value, lim);
                if (!nested || level + 1 > lim.max_depth || !representable_at(*nested, level + 1)) return false;
                break;
            }
            default:
                for (char ch : f.value)
                    if (bad_byte(ch, false)) return false;
                break;
        }
    }
    return true;
}
}  // namespace

bool classic_representable(const Message& message) { return representable_at(message, 0); }

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                          static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                          static_cast<unsigned char>(bytes[i + 2]);
        out += kB64[v >> 18 & 63];
        out += kB64[v >> 12 & 63];
        out += kB64[v >> 6 & 63];
        out += kB64[v & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += kB64[v >> 18 & 63];
        out += kB64[v >> 12 & 63];
        out += rest == 2 ? kB64[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    static constexpr auto table = [] {
        std::array<std::int8_t, 256> t{};
        t.fill(-1);
        for (std::size_t i = 0; i < kB64.size(); ++i) t[static_cast<unsigned char>(kB64[i])] = static_cast<std::int8_t>(i);
        return t;
    }();
    if (text.size() % 4 != 0) return err("bad_base64", "base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t v = 0;
        bool last = i + 4 == text.size();
        for (std::size_t j = 0; j < 4; ++j) {
            char ch = text[i + j];
            if (last && j >= 4 - pad) {
                v <<= 6;
                continue;
            }
            std::int8_t d = table[static_cast<unsigned char>(ch)];
            if (d < 0) return err("bad_base64", "invalid base64 character at offset " + std::to_string(i + j));
            v = v << 6 | static_cast<std::uint32_t>(d);
        }
        // Canonical form only: the bits a padded group drops must be zero, so one byte string has
        // exactly one accepted text (no malleable signed messages).
        if (last && ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)))
            return err("bad_base64", "non-zero padding bits in the last base64 group");
        out += static_cast<char>(v >> 16 & 0xff);
        if (!last || pad < 2) out += static_cast<char>(v >> 8 & 0xff);
        if (!last || pad < 1) out += static_cast<char>(v & 0xff);
    }
    return out;
}

}  // namespace ha::ipc
