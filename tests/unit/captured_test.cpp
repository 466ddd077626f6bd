// Captured tests: real Heartbeat 3.0.6 traffic (tests/data/captured, made by scripts/capture-heartbeat
// from two Debian 12 `heartbeat` 1:3.0.6-13+b2 nodes) must verify with the right key, fail with a
// wrong one, and be reproduced byte for byte when we decode and sign it again: UDP datagrams with
// sign_netstring (both digests), serial frames with sign_classic. Any difference is a wire
// incompatibility with a real peer, not a test to adjust.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "ipc/auth.hpp"
#include "ipc/codec.hpp"
#include "pcap_reader.hpp"

using namespace ha::ipc;

namespace {

const std::filesystem::path kDir = std::filesystem::path(HA_TEST_DATA) / "captured";

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The authkeys each capture ran with (scripts/capture-heartbeat).
struct Method {
    const char* prefix;
    int index;
    AuthMethod method;
    const char* secret;
};
const Method kMethods[] = {
    {"crc_", 1, AuthMethod::crc, ""},
    {"md5_", 4, AuthMethod::md5, "web-secret"},
    {"sha1_", 7, AuthMethod::sha1, "cluster-key"},
    {"serial_md5_", 4, AuthMethod::md5, "web-secret"},
};

const Method& method_of(const std::string& file) {
    // serial_md5_ before md5_: the longest matching prefix wins.
    const Method* best = nullptr;
    for (const Method& m : kMethods)
        if (file.rfind(m.prefix, 0) == 0 && (best == nullptr || std::string(m.prefix).size() > std::string(best->prefix).size()))
            best = &m;
    if (best == nullptr) ADD_FAILURE() << "no authkeys known for " << file;
    return best != nullptr ? *best : kMethods[0];
}

AuthKeys keys_for(const Method& m) {
    AuthKeys keys;
    keys.active = m.index;
    keys.keys[static_cast<std::size_t>(m.index)] = AuthKey{m.method, m.secret};
    return keys;
}

// Same index, wrong secret (crc has none: a different method under the same index).
AuthKeys wrong_keys_for(const Method& m) {
    AuthKeys keys;
    keys.active = m.index;
    keys.keys[static_cast<std::size_t>(m.index)] =
        m.method == AuthMethod::crc ? AuthKey{AuthMethod::md5, "not-the-key"} : AuthKey{m.method, std::string(m.secret) + "x"};
    return keys;
}

std::vector<std::string> captured(const std::string& ext) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(kDir, ec))
        if (e.path().extension() == ext) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
    std::string s = info.param.substr(0, info.param.rfind('.'));
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

std::string code_of(std::string_view wire, const AuthKeys& keys) {
    auto r = verify_and_decode(wire, keys);
    return r ? std::string("ok") : r.error().code;
}

// Where two byte strings first differ, with some context, for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
    std::size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
    if (i == want.size() && i == got.size()) return "identical";
    std::size_t from = i > 40 ? i - 40 : 0;
    return "first difference at byte " + std::to_string(i) + " (captured " + std::to_string(want.size()) + " bytes, ours " +
           std::to_string(got.size()) + ")\n  captured: ..." + want.substr(from, 80) + "\n  ours:     ..." + got.substr(from, 80);
}

}  // namespace

// ---- UDP datagrams ---------------------------------------------------------------------------

class CapturedDatagram : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        wire_ = read_file(kDir / GetParam());
        ASSERT_FALSE(wire_.empty()) << GetParam();
        method_ = &method_of(GetParam());
    }
    std::string wire_;
    const Method* method_ = nullptr;
};

TEST_P(CapturedDatagram, IsNetstringWithTrailingAuthAndNoNul) {
    auto frame = decode_frame(wire_);
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->form, WireForm::netstring);
    ASSERT_TRUE(frame->outer_auth.has_value());
    EXPECT_EQ(frame->outer_auth->substr(0, frame->outer_auth->find(' ')), std::to_string(method_->index));
    EXPECT_NE(wire_.back(), '\0');
    ASSERT_FALSE(frame->message.fields().empty());
    EXPECT_EQ(frame->message.fields().back().name, "auth") << "the inner auth field is the last field";
}

TEST_P(CapturedDatagram, VerifiesWithTheRightKey) {
    auto m = verify_and_decode(wire_, keys_for(*method_));
    ASSERT_TRUE(m) << m.error().code << ": " << m.error().message;
    EXPECT_FALSE(m->type().empty());
    EXPECT_FALSE(m->src().empty());
    EXPECT_FALSE(m->has("auth"));
}

TEST_P(CapturedDatagram, RejectedWithAWrongKey) {
    EXPECT_EQ(code_of(wire_, wrong_keys_for(*method_)), "bad_auth");
    AuthKeys other_index;
    other_index.active = (method_->index + 1) % 16;
    other_index.keys[static_cast<std::size_t>(other_index.active)] = AuthKey{method_->method, method_->secret};
    EXPECT_EQ(code_of(wire_, other_index), "unknown_key");
}

TEST_P(CapturedDatagram, RejectedWhenAValueByteChanges) {
    // Change the last byte of the `src` value (inside the signed part).
    std::string tampered = wire_;
    std::size_t at = tampered.find("(0)src=");
    ASSERT_NE(at, std::string::npos);
    at = tampered.find(',', at) - 1;
    tampered[at] = tampered[at] == '1' ? '3' : '1';
    EXPECT_EQ(code_of(tampered, keys_for(*method_)), "bad_auth");
}

TEST_P(CapturedDatagram, InnerDigestCoversTheClassicTextOfTheOtherFields) {
    // verify_and_decode only checks the trailing digest when there is one; check the inner one too,
    // as a peer that only reads the inner field would.
    auto frame = decode_frame(wire_);
    ASSERT_TRUE(frame) << frame.error().message;
    Message m = frame->message;
    std::string inner = std::string(m.get_or("auth", ""));
    m.remove("auth");
    EXPECT_EQ(inner, std::to_string(method_->index) + " " + digest_hex(method_->method, method_->secret, classic_auth_text(m)));
}

TEST_P(CapturedDatagram, ReSigningReproducesTheCapturedBytes) {
    auto m = verify_and_decode(wire_, keys_for(*method_));
    ASSERT_TRUE(m) << m.error().code << ": " << m.error().message;
    std::string ours = sign_netstring(*m, keys_for(*method_));
    EXPECT_EQ(ours, wire_) << first_difference(wire_, ours);
}

TEST_P(CapturedDatagram, ClassicFormOfTheSameMessageVerifies) {
    // What we would put on a serial cable for this message: accepted by our own decoder.
    auto m = verify_and_decode(wire_, keys_for(*method_));
    ASSERT_TRUE(m);
    std::string classic = sign_classic(*m, keys_for(*method_));
    auto back = verify_and_decode(classic, keys_for(*method_));
    ASSERT_TRUE(back) << back.error().code << ": " << back.error().message;
    EXPECT_EQ(back->fields(), verify_and_decode(wire_, keys_for(*method_))->fields());
}

INSTANTIATE_TEST_SUITE_P(Heartbeat306, CapturedDatagram, testing::ValuesIn(captured(".bin")), test_name);

// ---- serial frames ---------------------------------------------------------------------------

class CapturedSerialFrame : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        wire_ = read_file(kDir / GetParam());
        ASSERT_FALSE(wire_.empty()) << GetParam();
        method_ = &method_of(GetParam());
    }
    std::string wire_;
    const Method* method_ = nullptr;
};

TEST_P(CapturedSerialFrame, IsClassicWithInnerAuthOnly) {
    EXPECT_EQ(wire_.rfind(">>>\n", 0), 0u);
    ASSERT_GE(wire_.size(), 4u);
    EXPECT_EQ(wire_.substr(wire_.size() - 4), "<<<\n");
    auto frame = decode_frame(wire_);
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->form, WireForm::classic);
    EXPECT_FALSE(frame->outer_auth.has_value());
    EXPECT_EQ(frame->message.fields().back().name, "auth");
}

TEST_P(CapturedSerialFrame, VerifiesWithTheRightKey) {
    auto m = verify_and_decode(wire_, keys_for(*method_));
    ASSERT_TRUE(m) << m.error().code << ": " << m.error().message;
    EXPECT_FALSE(m->type().empty());
    EXPECT_FALSE(m->src().empty());
}

TEST_P(CapturedSerialFrame, RejectedWithAWrongKey) {
    EXPECT_EQ(code_of(wire_, wrong_keys_for(*method_)), "bad_auth");
}

TEST_P(CapturedSerialFrame, ReSigningReproducesTheCapturedBytes) {
    auto m = verify_and_decode(wire_, keys_for(*method_));
    ASSERT_TRUE(m) << m.error().code << ": " << m.error().message;
    std::string ours = sign_classic(*m, keys_for(*method_));
    EXPECT_EQ(ours, wire_) << first_difference(wire_, ours);
}

INSTANTIATE_TEST_SUITE_P(Heartbeat306, CapturedSerialFrame, testing::ValuesIn(captured(".txt")), test_name);

// ---- every datagram and frame of the runs ---------------------------------------------------

namespace {

// UDP payloads of a classic pcap file (Ethernet or Linux cooked), in capture order.
std::vector<std::string> udp_payloads(const std::string& pcap) {
    std::string error;
    std::vector<std::string> out;
    for (auto& d : ha::testing::read_pcap_udp(pcap, error)) out.push_back(std::move(d.payload));
    if (!error.empty()) ADD_FAILURE() << error;
    return out;
}

}  // namespace

TEST(CapturedRun, EveryDatagramVerifiesAndReSignsExactly) {
    for (const char* method : {"crc", "md5", "sha1"}) {
        const std::string file = std::string(method) + ".pcap";
        const Method& m = method_of(std::string(method) + "_");
        auto datagrams = udp_payloads(read_file(kDir / file));
        EXPECT_GE(datagrams.size(), 20u) << file;
        std::size_t i = 0;
        for (const std::string& wire : datagrams) {
            SCOPED_TRACE(file + " datagram " + std::to_string(++i));
            auto msg = verify_and_decode(wire, keys_for(m));
            ASSERT_TRUE(msg) << msg.error().code << ": " << msg.error().message;
            EXPECT_EQ(code_of(wire, wrong_keys_for(m)), "bad_auth");
            std::string ours = sign_netstring(*msg, keys_for(m));
            EXPECT_EQ(ours, wire) << first_difference(wire, ours);
        }
    }
}

TEST(CapturedRun, SerialStreamIsBackToBackClassicFramesThatReSignExactly) {
    for (const char* node : {"web1", "web2"}) {
        const std::string file = std::string("serial_md5_") + node + ".stream";
        const std::string stream = read_file(kDir / file);
        const Method& m = method_of("serial_md5_");
        std::size_t at = 0, frames = 0;
        while (at < stream.size()) {
            SCOPED_TRACE(file + " frame at byte " + std::to_string(at));
            ASSERT_EQ(stream.compare(at, 4, ">>>\n"), 0) << "nothing between frames";
            std::size_t end = stream.find("\n<<<\n", at);
            ASSERT_NE(end, std::string::npos);
            end += 5;
            const std::string wire = stream.substr(at, end - at);
            auto msg = verify_and_decode(wire, keys_for(m));
            ASSERT_TRUE(msg) << msg.error().code << ": " << msg.error().message;
            std::string ours = sign_classic(*msg, keys_for(m));
            EXPECT_EQ(ours, wire) << first_difference(wire, ours);
            at = end;
            ++frames;
        }
        EXPECT_GE(frames, 20u) << file;
    }
}

// ---- coverage of the capture -------------------------------------------------------------------

TEST(CapturedSet, HasTheR1MessageTypesForEveryMethod) {
    const char* types[] = {"status", "NS_ackmsg", "reqnodes", "repnodes", "starting", "resource", "shutdone"};
    for (const char* method : {"crc", "md5", "sha1"})
        for (const char* type : types)
            EXPECT_TRUE(std::filesystem::exists(kDir / (std::string(method) + "_" + type + "_1.bin")))
                << method << " " << type << " (re-run scripts/capture-heartbeat)";
    EXPECT_GE(captured(".txt").size(), 4u) << "serial frames";
}
