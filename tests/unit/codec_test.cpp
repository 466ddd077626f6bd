// Codec tests: round-trip properties for both wire forms, every CodecLimits limit, malformed and
// hostile inputs with their error codes, field order. Golden datagrams live in tests/data.
#include "ipc/codec.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>

using namespace ha::ipc;

namespace {

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(HA_TEST_DATA) + "/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string uuid16() {
    std::string u;
    for (int i = 0; i < 16; ++i) u += static_cast<char>(i);
    return u;
}

Message golden_status() {
    Message m;
    m.add("t", "status").add("st", "active").add("dt", "1f4").add("protocol", "1").add("src", "web1");
    m.add("srcuuid", uuid16(), FieldType::binary);
    m.add("seq", "2a").add("hg", "5").add("ts", "692a1c00").add("ld", "0.08 0.03 0.01 1/187 2301").add("ttl", "3");
    return m;
}

// Random but valid field names (visible ASCII without '=', '(' and ')').
std::string random_name(std::mt19937& rng) {
    static constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:,<>#%!";
    std::uniform_int_distribution<std::size_t> len(1, 12), pick(0, kChars.size() - 1);
    std::string s(len(rng), 'x');
    for (char& c : s) c = kChars[pick(rng)];
    return s;
}

std::string random_bytes(std::mt19937& rng, std::size_t max_len, std::string_view avoid = {}) {
    std::uniform_int_distribution<std::size_t> len(0, max_len);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string s(len(rng), 'x');
    for (char& c : s) {
        do c = static_cast<char>(byte(rng));
        while (avoid.find(c) != std::string_view::npos);
    }
    return s;
}

std::string all_bytes() {
    std::string s;
    for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
    return s;
}

// A random message: strings and binaries, sometimes a list or a struct of a smaller message.
Message random_message(std::mt19937& rng, bool classic_safe, int depth = 0) {
    using namespace std::string_view_literals;
    const std::string_view avoid = classic_safe ? "\r\0\x13\x14\x15\x16"sv : ""sv;
    Message m;
    std::uniform_int_distribution<int> nfields(0, 12), kind(0, 9);
    int n = nfields(rng);
    for (int i = 0; i < n; ++i) {
        int k = kind(rng);
        std::string name = random_name(rng);
        if (k < 5) {
            m.add(name, random_bytes(rng, 40, avoid));
        } else if (k < 8) {
            m.add(name, k == 7 ? all_bytes() : random_bytes(rng, 40), FieldType::binary);
        } else if (k == 8) {
            std::string list;
            for (int e = 0; e < 3; ++e) {
                std::string elem = random_bytes(rng, 8, classic_safe ? "\r\n\0\x13\x14\x15\x16"sv : ""sv);
                list += std::to_string(elem.size()) + ":" + elem + ",";
            }
            m.add(name, list, FieldType::list);
        } else if (depth < 3) {
            m.add(name, encode_netstring(random_message(rng, classic_safe, depth + 1)), FieldType::structure);
        }
    }
    return m;
}

std::string many_fields(std::size_t n) {
    std::string s = "###\n";
    s.reserve(n * 8 + 8);
    for (std::size_t i = 0; i < n; ++i) s += "5:(0)a=,";
    return s + "%%%\n";
}

std::string nested_struct(int levels) {
    Message inner;
    inner.add("t", "leaf");
    std::string value = encode_netstring(inner);
    for (int i = 0; i < levels; ++i) {
        Message m;
        m.add("s", value, FieldType::structure);
        value = encode_netstring(m);
    }
    return value;
}

std::string code_of(std::string_view bytes, const CodecLimits& limits = {}) {
    auto r = decode(bytes, limits);
    return r ? std::string("ok") : r.error().code;
}

}  // namespace

// --- round trips -------------------------------------------------------------------------------

TEST(Codec, NetstringRoundTripsRandomMessagesWithAllByteValues) {
    std::mt19937 rng(1234);
    for (int i = 0; i < 2000; ++i) {
        Message m = random_message(rng, false);
        std::string wire = encode_netstring(m);
        auto back = decode(wire);
        ASSERT_TRUE(back) << back.error().code << ": " << back.error().message;
        EXPECT_EQ(*back, m);
    }
}

TEST(Codec, ClassicRoundTripsRandomRepresentableMessages) {
    std::mt19937 rng(99);
    for (int i = 0; i < 2000; ++i) {
        Message m = random_message(rng, true);
        ASSERT_TRUE(classic_representable(m));
        std::string wire = encode_classic(m);
        auto back = decode_frame(wire);
        ASSERT_TRUE(back) << back.error().code << ": " << back.error().message;
        EXPECT_EQ(back->form, WireForm::classic);
        EXPECT_EQ(back->message, m);
    }
}

TEST(Codec, ClassicSendsEmbeddedLfAsByte0x13AndRestoresIt) {
    Message m;
    m.add("info", "line1\nline2");
    std::string wire = encode_classic(m);
    EXPECT_EQ(wire, std::string(">>>\ninfo=line1\x13line2\n<<<\n"));
    EXPECT_EQ(decode(wire)->get("info"), "line1\nline2");
}

TEST(Codec, ClassicCannotCarryCrNulOr0x13ButNetstringCan) {
    for (std::string v : {std::string("a\rb"), std::string("a\0b", 3), std::string("a\x13")}) {
        Message m;
        m.add("x", v);
        EXPECT_FALSE(classic_representable(m));
        EXPECT_EQ(*decode(encode_netstring(m)), m);
    }
}

TEST(Codec, StructFieldRoundTripsInBothForms) {
    Message inner;
    inner.add("t", "inner").add("note", "a\nb").add("raw", all_bytes(), FieldType::binary);
    Message m;
    m.add("t", "outer").add("sub", encode_netstring(inner), FieldType::structure).add("after", "1");
    EXPECT_EQ(*decode(encode_netstring(m)), m);
    std::string classic = encode_classic(m);
    EXPECT_EQ(classic.find("(2)sub=>>>\x14"), 12u) << classic;  // LFs of a level-1 struct are byte 20
    auto back = decode(classic);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, m);
    auto sub = decode(back->get_or("sub", ""));
    ASSERT_TRUE(sub);
    EXPECT_EQ(*sub, inner);
}

TEST(Codec, GoldenDatagramDecodesInOrderWithOuterAuth) {
    auto frame = decode_frame(read_data("status_md5.bin"));
    ASSERT_TRUE(frame) << frame.error().message;
    EXPECT_EQ(frame->form, WireForm::netstring);
    ASSERT_TRUE(frame->outer_auth);
    EXPECT_EQ(*frame->outer_auth, "4 faadde69edcb976420d97610b3adc8e1");
    std::string wire = read_data("status_md5.bin");
    EXPECT_EQ(wire.substr(frame->signed_length - 4, 4), "%%%\n");
    Message want = golden_status();
    want.add("auth", "4 164acf719c11e92bf6b61ab7f8a35334");
    EXPECT_EQ(frame->message, want);
    EXPECT_EQ(frame->message.find("srcuuid")->type, FieldType::binary);
}

TEST(Codec, GoldenEncodingsMatchSpecBytes) {
    Message m = golden_status();
    m.add("auth", "4 164acf719c11e92bf6b61ab7f8a35334");
    std::string md5 = read_data("status_md5.bin");
    EXPECT_EQ(encode_netstring(m), md5.substr(0, md5.find("%%%\n") + 4));
    EXPECT_EQ(encode_classic(m), read_data("status_md5_serial.txt"));
    std::string serial = read_data("status_md5_serial.txt");
    EXPECT_EQ(classic_auth_text(m), serial.substr(4, serial.find("auth=") - 4));
}

TEST(Codec, KeepsFieldOrderRepnodesDestBeforeT) {
    std::string wire = "###\n12:(0)dest=web2,13:(0)t=repnodes,22:(0)nodelist=web1 web2 ,%%%\n";
    auto m = decode(wire);
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 3u);
    EXPECT_EQ(m->fields()[0].name, "dest");
    EXPECT_EQ(m->fields()[1].name, "t");
    EXPECT_EQ(m->type(), "repnodes");
    EXPECT_EQ(m->get("nodelist"), "web1 web2 ");
    EXPECT_EQ(encode_netstring(*m), wire);
}

TEST(Codec, RepeatedFieldsAreKeptInOrder) {
    auto m = decode("###\n8:(0)a=one,8:(0)b=two,10:(0)a=three,%%%\n");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 3u);
    EXPECT_EQ(m->get("a"), "one");
    EXPECT_EQ(m->fields()[2].value, "three");
}

TEST(Codec, ClassicAcceptsDatagramWithOrWithoutTrailingNul) {
    std::string wire = ">>>\nt=status\n<<<\n";
    EXPECT_EQ(decode(wire)->get("t"), "status");
    EXPECT_EQ(decode(wire + std::string(1, '\0'))->get("t"), "status");
    EXPECT_EQ(code_of(wire + std::string(2, '\0')), "bad_framing");
    EXPECT_EQ(code_of(wire + "x"), "bad_framing");
}

TEST(Codec, ClassicSkipsExtraCrLfBetweenLines) {
    auto m = decode("\r\n>>>\r\n\r\nt=status\r\n\n\nst=up\r<<<");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->get("t"), "status");
    EXPECT_EQ(m->get("st"), "up");
}

TEST(Codec, ClassicStopsAtNulBeforeEndMarker) {
    EXPECT_EQ(code_of(std::string(">>>\nt=status\n\0<<<\n", 18)), "truncated");
    EXPECT_EQ(code_of(std::string(">>>\nt=sta\0tus\n<<<\n", 19)), "truncated");
}

TEST(Codec, NetstringAcceptsNulAndInvalidUtf8AsBytes) {
    std::string v("\0\xff\xfe\xc3\x28\n,%%%\n", 10);
    Message m;
    m.add("x", v).add("y", v, FieldType::binary);
    auto back = decode(encode_netstring(m));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, m);
    // Classic carries invalid UTF-8 too (only CR, NUL and 0x13 are off limits).
    Message c;
    c.add("x", "\xff\xfe\xc3\x28");
    EXPECT_EQ(*decode(encode_classic(c)), c);
}

TEST(Codec, EmptyMessageIsValidInBothForms) {
    EXPECT_TRUE(decode("###\n%%%\n")->empty());
    EXPECT_TRUE(decode(">>>\n<<<\n")->empty());
}

TEST(Codec, ListFieldIsValidated) {
    EXPECT_EQ(code_of("###\n18:(3)l=3:abc,0:,1:x,,%%%\n"), "ok");
    EXPECT_EQ(code_of("###\n11:(3)l=2:abc,,%%%\n"), "bad_length");
    EXPECT_EQ(code_of("###\n8:(3)l=abc,%%%\n"), "bad_framing");
    EXPECT_EQ(code_of(">>>\n(3)l=3:abc,\n<<<\n"), "ok");
    EXPECT_EQ(code_of(">>>\n(3)l=9:abc,\n<<<\n"), "truncated");
}

// --- limits ------------------------------------------------------------------------------------

TEST(Codec, SizeIsCheckedFirstEvenForGarbage) {
    CodecLimits lim;
    lim.max_bytes = 10;
    auto r = decode(std::string(11, '\xff'), lim);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "too_big");
    EXPECT_NE(r.error().message.find("11 bytes"), std::string::npos);
    EXPECT_EQ(code_of(std::string(10, '\xff'), lim), "bad_framing");
}

TEST(Codec, HundredMegabyteInputRejectedBySizeQuickly) {
    std::string huge = "###\n" + std::string(100u * 1024 * 1024, 'a');
    auto start = std::chrono::steady_clock::now();
    auto r = decode(huge);
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "too_big");
    EXPECT_LT(took, std::chrono::milliseconds(50));
}

TEST(Codec, MillionFieldsStopAtFieldLimit) {
    std::string wire = many_fields(1'000'000);
    EXPECT_EQ(code_of(wire), "too_big");  // default limits: size first
    CodecLimits lim;
    lim.max_bytes = wire.size();
    auto start = std::chrono::steady_clock::now();
    auto r = decode(wire, lim);
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "too_many_fields");
    EXPECT_LT(took, std::chrono::milliseconds(50));  // stops at field 513, does not scan a million
}

TEST(Codec, FieldCountLimitIsExact) {
    CodecLimits lim;
    lim.max_fields = 4;
    EXPECT_EQ(code_of(many_fields(4), lim), "ok");
    EXPECT_EQ(code_of(many_fields(5), lim), "too_many_fields");
    std::string classic = ">>>\n";
    for (int i = 0; i < 5; ++i) classic += "a=\n";
    EXPECT_EQ(code_of(classic + "<<<\n", lim), "too_many_fields");
}

TEST(Codec, NameAndValueLengthLimits) {
    CodecLimits lim;
    lim.max_name = 3;
    lim.max_value = 4;
    EXPECT_EQ(code_of("###\n11:(0)abc=1234,%%%\n", lim), "ok");
    EXPECT_EQ(code_of("###\n12:(0)abcd=1234,%%%\n", lim), "too_long");
    EXPECT_EQ(code_of("###\n12:(0)abc=12345,%%%\n", lim), "too_long");
    EXPECT_EQ(code_of(">>>\nabcd=1\n<<<\n", lim), "too_long");
    EXPECT_EQ(code_of(">>>\nabc=12345\n<<<\n", lim), "too_long");
}

TEST(Codec, StructDepthLimit) {
    EXPECT_EQ(code_of(nested_struct(16)), "ok");
    auto r = decode(nested_struct(17));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "too_deep");
    EXPECT_NE(r.error().message.find("\"s\""), std::string::npos);
    CodecLimits lim;
    lim.max_depth = 2;
    EXPECT_EQ(code_of(nested_struct(2), lim), "ok");
    EXPECT_EQ(code_of(nested_struct(3), lim), "too_deep");
}

TEST(Codec, DeepNestingInClassicFormIsLimited) {
    Message m;
    m.add("s", nested_struct(15), FieldType::structure);  // 16 levels in all
    ASSERT_TRUE(classic_representable(m));
    EXPECT_EQ(*decode(encode_classic(m)), m);
}

TEST(Codec, HostileDeepNestingIsRefusedAtTheDepthLimit) {
    // 2000 properly framed levels: refused at level 17, so neither stack nor time grows with input.
    std::string wire = nested_struct(2000);
    ASSERT_LT(wire.size(), kMaxMessageBytes);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(code_of(wire), "too_deep");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

// --- malformed input ---------------------------------------------------------------------------

TEST(Codec, MalformedNetstringErrorCodes) {
    struct Case {
        std::string wire;
        std::string code;
    };
    const Case cases[] = {
        {"", "empty"},
        {"\r\n\n", "empty"},
        {"##", "truncated"},
        {"hello", "bad_framing"},
        {"###\n", "truncated"},
        {"###\n11:(0)t=status,", "truncated"},
        {"###\n11:(0)t=status", "truncated"},
        {"###\n12:(0)t=status,%%%\n", "bad_length"},
        {"###\n10:(0)t=status,%%%\n", "bad_length"},
        {"###\n011:(0)t=status,%%%\n", "bad_length"},
        {"###\n1234567890:(0)t=status,%%%\n", "bad_length"},
        {"###\n11(0)t=status,%%%\n", "bad_framing"},
        {"###\nx%%%\n", "bad_framing"},
        {"###\n8:t=status,%%%\n", "bad_type"},
        {"###\n11:(9)t=status,%%%\n", "bad_type"},
        {"###\n12:(12)t=status,%%%\n", "bad_type"},
        {"###\n11:(4)t=status,%%%\n", "unsupported"},
        {"###\n11:(5)t=status,%%%\n", "unsupported"},
        {"###\n10:(0)tstatus,%%%\n", "bad_framing"},
        {"###\n10:(0)=status,%%%\n", "bad_name"},
        {"###\n11:(0)t x=stat,%%%\n", "bad_name"},
        {"###\n11:(0)t\nx=stat,%%%\n", "bad_name"},
        {std::string("###\n11:(0)t\0x=stat,%%%\n", 23), "bad_name"},
        {"###\n11:(2)s=status,%%%\n", "bad_framing"},
        {"###\n18:(2)s=###\n6:(0)a=b,,%%%\n", "truncated"},
        {"###\n11:(0)t=status,%%%\nx", "bad_framing"},
        {"###\n11:(0)t=status,%%%\n5:1 abc,x", "bad_framing"},
        {"###\n11:(0)t=status,%%%\n9:1 abc,", "truncated"},
    };
    for (const auto& c : cases) EXPECT_EQ(code_of(c.wire), c.code) << "input: " << c.wire;
}

TEST(Codec, MalformedClassicErrorCodes) {
    struct Case {
        std::string wire;
        std::string code;
    };
    const Case cases[] = {
        {">>", "truncated"},
        {">>>t=1\n<<<\n", "bad_framing"},
        {">>>\nt=status\n", "truncated"},
        {">>>\nstatus\n<<<\n", "bad_framing"},
        {">>>\n=status\n<<<\n", "bad_name"},
        {">>>\n(9)t=status\n<<<\n", "bad_type"},
        {">>>\n(1t=status\n<<<\n", "bad_type"},
        {">>>\n(4)t=status\n<<<\n", "unsupported"},
        {">>>\n(1)u=AAE\n<<<\n", "bad_base64"},
        {">>>\n(1)u=AA*=\n<<<\n", "bad_base64"},
        {">>>\n(2)s=>>>\x14t=1\x14\n<<<\n", "truncated"},
        {">>>\n<<<\nextra", "bad_framing"},
    };
    for (const auto& c : cases) EXPECT_EQ(code_of(c.wire), c.code) << "input: " << c.wire;
}

TEST(Codec, ErrorMessagesNameTheFieldOrOffset) {
    auto r = decode("###\n11:(0)t=status,13:(4)data=xxxxx,%%%\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "field \"data\": compressed fields not supported");
    r = decode("###\n11:(0)t=status,9:(0)x=yy,%%%\n");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("byte 19"), std::string::npos) << r.error().message;
}

TEST(Codec, DecodesClassicBinaryAndTypedString) {
    auto m = decode(">>>\n(1)srcuuid=AAECAwQFBgcICQoLDA0ODw==\n(0)t=x\n<<<\n");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->get("srcuuid"), uuid16());
    EXPECT_EQ(m->find("srcuuid")->type, FieldType::binary);
    EXPECT_EQ(m->get("t"), "x");
}

TEST(Codec, FieldNameRule) {
    EXPECT_TRUE(valid_field_name("rsc_hold"));
    EXPECT_TRUE(valid_field_name("_compressed"));
    EXPECT_FALSE(valid_field_name(""));
    EXPECT_FALSE(valid_field_name("a=b"));
    EXPECT_FALSE(valid_field_name("(1)a"));
    EXPECT_FALSE(valid_field_name("a b"));
    EXPECT_FALSE(valid_field_name("a\x7f"));
    EXPECT_FALSE(valid_field_name("\xc3\xa9"));
}

// --- base64 ------------------------------------------------------------------------------------

TEST(Base64, Rfc4648Vectors) {
    const std::pair<std::string, std::string> v[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                     {"foo", "Zm9v"},   {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                     {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, enc] : v) {
        EXPECT_EQ(base64_encode(plain), enc);
        EXPECT_EQ(*base64_decode(enc), plain);
    }
    EXPECT_EQ(base64_encode(uuid16()), "AAECAwQFBgcICQoLDA0ODw==");
}

TEST(Base64, RoundTripsEveryByteAndLength) {
    std::string all = all_bytes();
    for (std::size_t n = 0; n <= all.size(); ++n) {
        std::string s = all.substr(all.size() - n);
        EXPECT_EQ(*base64_decode(base64_encode(s)), s);
    }
}

TEST(Base64, RejectsMalformedText) {
    for (std::string bad : {"A", "AB", "ABC", "A===", "=AAA", "AB=C", "AB\nC", "ABC-", "Zg==Zg==", "Zh==", "Zm9=", "AAECAwQFBgcICQoLDA0ODx=="})
        EXPECT_FALSE(base64_decode(bad)) << bad;
}
