// bench_codec — throughput of the message codec and auth, and worst-case time on hostile input.
//
// Prints one table: messages/s for sign+encode and verify+decode of a typical `status` heartbeat
// with each auth method, and the slowest single decode of a maximum-size hostile message (many
// tiny fields, deep structs) and of a 100 MB blob that must be refused by size alone.
// Not a test: numbers depend on the machine. Time: std::chrono::steady_clock only.
// See also: ipc/codec.hpp, ipc/auth.hpp.
#include <chrono>
#include <cstdio>
#include <string>

#include "ipc/auth.hpp"
#include "ipc/codec.hpp"

using namespace ha::ipc;
using Clock = std::chrono::steady_clock;

namespace {

Message status_message() {
    std::string uuid;
    for (int i = 0; i < 16; ++i) uuid += static_cast<char>(i);
    Message m;
    m.add("t", "status").add("st", "active").add("dt", "7530").add("protocol", "1").add("src", "web1");
    m.add("srcuuid", uuid, FieldType::binary);
    m.add("seq", "2a").add("hg", "5").add("ts", "692a1c00").add("ld", "0.08 0.03 0.01 1/187 2301").add("ttl", "3");
    return m;
}

AuthKeys keys_for(AuthMethod method) {
    AuthKeys keys;
    keys.active = 1;
    keys.keys[1] = AuthKey{method, method == AuthMethod::crc ? "" : "web-secret"};
    return keys;
}

volatile std::size_t g_sink = 0;  // keeps the optimizer from dropping the work

// Runs `op` repeatedly for about `budget` and returns operations per second.
template <class Op>
double rate(Op&& op, std::chrono::milliseconds budget = std::chrono::milliseconds(400)) {
    std::size_t n = 0;
    auto start = Clock::now();
    auto end = start + budget;
    Clock::time_point now;
    do {
        for (int i = 0; i < 256; ++i) g_sink = g_sink + op();
        n += 256;
        now = Clock::now();
    } while (now < end);
    return static_cast<double>(n) / std::chrono::duration<double>(now - start).count();
}

// The slowest of `runs` single calls, in microseconds.
template <class Op>
double worst_us(Op&& op, int runs = 20) {
    double worst = 0;
    for (int i = 0; i < runs; ++i) {
        auto start = Clock::now();
        g_sink = g_sink + op();
        double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (us > worst) worst = us;
    }
    return worst;
}

std::string tiny_fields_message(std::size_t max_bytes) {
    // `5:(0)a=,` repeated, then one padding field so the whole message is exactly max_bytes.
    std::string s = "###\n";
    s.reserve(max_bytes);
    while (s.size() + 64 < max_bytes) s += "5:(0)a=,";
    std::size_t len = max_bytes - s.size() - 4 - 2 - 2;  // two length digits, ':' and ','
    s += std::to_string(len) + ":(0)b=" + std::string(len - 5, 'v') + ",%%%\n";
    return s;
}

std::string deep_struct(int levels) {
    Message leaf;
    leaf.add("t", "leaf");
    std::string v = encode_netstring(leaf);
    for (int i = 0; i < levels; ++i) {
        Message m;
        m.add("s", v, FieldType::structure);
        v = encode_netstring(m);
    }
    return v;
}

void row(const char* what, double value, const char* unit) { std::printf("| %-72s | %14.0f %-6s |\n", what, value, unit); }
void row_f(const char* what, double value, const char* unit) { std::printf("| %-72s | %14.1f %-6s |\n", what, value, unit); }

}  // namespace

int main() {
    const Message status = status_message();
    std::printf("| %-72s | %21s |\n", "case", "result");
    std::printf("|%s|%s|\n", std::string(74, '-').c_str(), std::string(23, '-').c_str());

    for (AuthMethod method : {AuthMethod::crc, AuthMethod::md5, AuthMethod::sha1}) {
        const AuthKeys keys = keys_for(method);
        Message probe = status;
        const std::string wire = sign_netstring(probe, keys);
        std::string label = "sign+encode status, netstring, " + std::string(method_name(method));
        row(label.c_str(), rate([&] {
                Message m = status;
                return sign_netstring(m, keys).size();
            }),
            "msg/s");
        label = "verify+decode status, netstring, " + std::string(method_name(method)) + " (" + std::to_string(wire.size()) + " B)";
        row(label.c_str(), rate([&] { return verify_and_decode(wire, keys)->size(); }), "msg/s");
    }
    {
        const AuthKeys keys = keys_for(AuthMethod::md5);
        Message probe = status;
        const std::string serial = sign_classic(probe, keys);
        row("verify+decode status, classic (serial), md5", rate([&] { return verify_and_decode(serial, keys)->size(); }), "msg/s");
    }

    CodecLimits roomy;
    roomy.max_fields = 1u << 20;
    const std::string tiny = tiny_fields_message(kMaxMessageBytes);
    auto tiny_default = decode(tiny);
    std::string label = "worst decode, 256 KiB of tiny fields, default limits (" +
                        (tiny_default ? std::string("ok") : tiny_default.error().code) + ")";
    row_f(label.c_str(), worst_us([&] { return decode(tiny).has_value() ? 1u : 0u; }), "us");
    auto tiny_roomy = decode(tiny, roomy);
    label = "worst decode, 256 KiB of tiny fields, no field cap (" +
            (tiny_roomy ? std::to_string(tiny_roomy->size()) + " fields" : tiny_roomy.error().code) + ")";
    row_f(label.c_str(), worst_us([&] { return decode(tiny, roomy).has_value() ? 1u : 0u; }), "us");
    {
        const AuthKeys keys = keys_for(AuthMethod::sha1);
        label = "worst verify, 256 KiB of tiny fields, sha1 (" + (verify_and_decode(tiny, keys) ? std::string("ok") : verify_and_decode(tiny, keys).error().code) + ")";
        row_f(label.c_str(), worst_us([&] { return verify_and_decode(tiny, keys).has_value() ? 1u : 0u; }), "us");
    }
    const std::string deep = deep_struct(5000);
    label = "worst decode, structs nested 5000 deep, " + std::to_string(deep.size() / 1024) + " KiB (" + decode(deep).error().code + ")";
    row_f(label.c_str(), worst_us([&] { return decode(deep).has_value() ? 1u : 0u; }), "us");
    const std::string blob = "###\n" + std::string(100u * 1024 * 1024, 'x');
    label = "worst decode, 100 MB blob (" + decode(blob).error().code + ")";
    row_f(label.c_str(), worst_us([&] { return decode(blob).has_value() ? 1u : 0u; }), "us");
    return 0;
}
