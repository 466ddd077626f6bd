// FrameDecoder: framing and resynchronisation of the serial byte stream, with bounded memory.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "heartbeatd-serial/frame_decoder.hpp"
#include "ipc/auth.hpp"
#include "serial_test_util.hpp"

namespace ha::serial {
namespace {

using testing::md5_keys;
using testing::status_frame;

const std::string kFrame = ">>>\nt=status\nsrc=web2\nseq=1\n<<<\n";
const std::string kFrame2 = ">>>\nt=status\nsrc=web2\nseq=2\n<<<\n";

TEST(FrameDecoder, OneFrameInOneRead) {
    FrameDecoder d;
    auto frames = d.feed(kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
    EXPECT_EQ(d.counters().frames, 1u);
    EXPECT_EQ(d.counters().garbage_bytes, 0u);
    EXPECT_EQ(d.counters().resyncs, 0u);
    EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, FrameSplitAcrossReadsAtEveryByte) {
    for (std::size_t cut = 0; cut <= kFrame.size(); ++cut) {
        FrameDecoder d;
        auto a = d.feed(kFrame.substr(0, cut));
        auto b = d.feed(kFrame.substr(cut));
        a.insert(a.end(), b.begin(), b.end());
        ASSERT_EQ(a.size(), 1u) << "cut at " << cut;
        EXPECT_EQ(a[0], kFrame);
    }
}

TEST(FrameDecoder, FrameFedOneByteAtATime) {
    FrameDecoder d;
    std::vector<std::string> all;
    for (char c : kFrame + kFrame2) {
        auto f = d.feed(std::string_view(&c, 1));
        all.insert(all.end(), f.begin(), f.end());
    }
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1], kFrame2);
}

TEST(FrameDecoder, SeveralFramesInOneRead) {
    FrameDecoder d;
    auto frames = d.feed(kFrame + kFrame2 + kFrame);
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[1], kFrame2);
    EXPECT_EQ(d.counters().frames, 3u);
}

TEST(FrameDecoder, GarbageBeforeStartIsCountedAndSkipped) {
    FrameDecoder d;
    auto frames = d.feed("noise!@#" + kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
    EXPECT_EQ(d.counters().garbage_bytes, 8u);
}

TEST(FrameDecoder, NoiseGluedToTheStartMarkerStillFindsTheFrame) {
    FrameDecoder d;
    auto frames = d.feed("xx>>>>" + kFrame.substr(3));  // "xx>>>>" then "\nt=status..."
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
    EXPECT_EQ(d.counters().garbage_bytes, 3u);
}

TEST(FrameDecoder, HalfFrameFollowedByNewStartResyncs) {
    FrameDecoder d;
    const std::string half = ">>>\nt=status\nsrc=web2\n";
    auto frames = d.feed(half + kFrame2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame2);
    EXPECT_EQ(d.counters().resyncs, 1u);
    EXPECT_EQ(d.counters().garbage_bytes, half.size());
}

TEST(FrameDecoder, HalfLineFollowedByNewStartResyncs) {
    // The peer died mid-line and restarted: the new `>>>` is glued to the cut line.
    FrameDecoder d;
    const std::string half = ">>>\nt=status\nsrc=we";
    auto frames = d.feed(half + kFrame2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame2);
    EXPECT_EQ(d.counters().resyncs, 1u);
    EXPECT_EQ(d.counters().garbage_bytes, half.size());
}

TEST(FrameDecoder, NulInsideAFrameAbandonsIt) {
    FrameDecoder d;
    auto frames = d.feed(std::string(">>>\nt=status\ns\0rc=web2\n<<<\n", 27) + kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
    EXPECT_EQ(d.counters().resyncs, 1u);
}

TEST(FrameDecoder, NulsAndLineBreaksBetweenFramesAreFillerNotGarbage) {
    FrameDecoder d;
    auto frames = d.feed(std::string("\0\0\r\n", 4) + kFrame + std::string("\n\r\0", 3) + kFrame2);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(d.counters().garbage_bytes, 0u);
}

TEST(FrameDecoder, CrLfLineEndsAndExtraBlankLinesAreAccepted) {
    FrameDecoder d;
    auto frames = d.feed(">>>\r\nt=status\r\n\r\n\nsrc=web2\r\n<<<\r\n");
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].substr(0, 4), ">>>\n");
    EXPECT_TRUE(frames[0].ends_with("<<<\n"));
    auto m = ipc::decode(frames[0]);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->get_or("src", ""), "web2");
}

TEST(FrameDecoder, ImpossibleLineInsideAFrameAbandonsIt) {
    FrameDecoder d;
    auto frames = d.feed(">>>\nt=status\n@@ line noise @@\nsrc=web2\n<<<\n" + kFrame2);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame2);
    EXPECT_EQ(d.counters().resyncs, 1u);
}

TEST(FrameDecoder, EndMarkerWithoutStartIsGarbage) {
    FrameDecoder d;
    auto frames = d.feed("src=web2\n<<<\n");
    EXPECT_TRUE(frames.empty());
    EXPECT_GT(d.counters().garbage_bytes, 0u);
    EXPECT_EQ(d.counters().frames, 0u);
}

TEST(FrameDecoder, OversizeFrameIsDiscardedUpToTheNextStart) {
    FrameDecoder d(1024);
    std::string big = ">>>\n";
    for (int i = 0; big.size() < 5000; ++i) big += fmt::format("f{}=0123456789abcdef\n", i);
    big += "<<<\n";
    auto frames = d.feed(big + kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
    EXPECT_EQ(d.counters().oversize, 1u);
    EXPECT_GE(d.counters().garbage_bytes, big.size() * 9 / 10);  // line breaks are filler
}

TEST(FrameDecoder, OversizeOneLongLineAcrossManyReads) {
    FrameDecoder d(1024);
    std::size_t max_buffered = 0;
    d.feed(">>>\nt=");
    for (int i = 0; i < 100; ++i) {
        d.feed(std::string(100, 'x'));
        max_buffered = std::max(max_buffered, d.buffered());
    }
    EXPECT_LE(max_buffered, 1024u);
    EXPECT_EQ(d.counters().oversize, 1u);
    auto frames = d.feed("\n<<<\n" + kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
}

TEST(FrameDecoder, FrameOfExactlyTheLimitPassesOneMoreByteDoesNot) {
    std::string frame = ">>>\nv=";
    const std::string tail = "\n<<<\n";
    frame += std::string(200 - frame.size() - tail.size(), 'a') + tail;
    ASSERT_EQ(frame.size(), 200u);
    {
        FrameDecoder d(200);
        auto frames = d.feed(frame);
        ASSERT_EQ(frames.size(), 1u);
        EXPECT_EQ(frames[0].size(), 200u);
    }
    {
        FrameDecoder d(199);
        EXPECT_TRUE(d.feed(frame).empty());
        EXPECT_EQ(d.counters().oversize, 1u);
    }
}

TEST(FrameDecoder, DefaultLimitIsTheCodecLimit) {
    FrameDecoder d;
    std::string big = ">>>\nv=" + std::string(ipc::kMaxMessageBytes, 'a') + "\n<<<\n";
    EXPECT_TRUE(d.feed(big).empty());
    EXPECT_EQ(d.counters().oversize, 1u);
    EXPECT_LE(d.buffered(), ipc::kMaxMessageBytes);
}

TEST(FrameDecoder, ResetDropsAPartialFrame) {
    FrameDecoder d;
    d.feed(">>>\nt=status\n");
    EXPECT_TRUE(d.in_frame());
    d.reset();
    EXPECT_FALSE(d.in_frame());
    EXPECT_EQ(d.buffered(), 0u);
    EXPECT_EQ(d.counters().resyncs, 1u);
    auto frames = d.feed("src=web2\n<<<\n" + kFrame);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], kFrame);
}

TEST(FrameDecoder, SignedFramesSurviveAndVerifyAfterDecoding) {
    const auto keys = md5_keys();
    FrameDecoder d;
    std::string stream;
    for (int i = 1; i <= 20; ++i) stream += status_frame("web2", fmt::format("{:x}", i), keys);
    auto frames = d.feed(stream);
    ASSERT_EQ(frames.size(), 20u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        auto m = ipc::verify_and_decode(frames[i], keys);
        ASSERT_TRUE(m) << m.error().message;
        EXPECT_EQ(m->get_or("seq", ""), fmt::format("{:x}", i + 1));
    }
}

// 1 MB of random bytes cut into random pieces, with valid signed frames between the pieces, fed in
// random chunk sizes: every valid frame still comes out, because `>>>` LF resyncs wherever it is.
TEST(FrameDecoder, OneMegabyteOfRandomNoiseInterleavedWithValidFrames) {
    const auto keys = md5_keys();
    std::mt19937_64 rng(20261129);
    std::string stream;
    std::size_t noise_total = 0;
    const int kFrames = 400;
    for (int i = 1; i <= kFrames; ++i) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 5000)(rng);
        for (std::size_t k = 0; k < n; ++k) stream.push_back(static_cast<char>(rng() & 0xff));
        noise_total += n;
        stream += status_frame("web2", fmt::format("{:x}", i), keys);
    }
    while (noise_total < 1024 * 1024) {
        stream.push_back(static_cast<char>(rng() & 0xff));
        ++noise_total;
    }
    FrameDecoder d;
    std::size_t max_buffered = 0;
    std::vector<int> seqs;
    for (std::size_t pos = 0; pos < stream.size();) {
        const std::size_t len = std::min(stream.size() - pos, std::uniform_int_distribution<std::size_t>(1, 4096)(rng));
        d.feed(std::string_view(stream).substr(pos, len), [&](std::string_view frame) {
            auto m = ipc::verify_and_decode(frame, keys);
            if (m) seqs.push_back(std::stoi(std::string(m->get_or("seq", "0")), nullptr, 16));
        });
        max_buffered = std::max(max_buffered, d.buffered());
        pos += len;
    }
    ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kFrames));
    for (int i = 0; i < kFrames; ++i) EXPECT_EQ(seqs[static_cast<std::size_t>(i)], i + 1);
    EXPECT_GT(d.counters().garbage_bytes, 900u * 1024u);
    EXPECT_LE(max_buffered, ipc::kMaxMessageBytes);
}

}  // namespace
}  // namespace ha::serial
