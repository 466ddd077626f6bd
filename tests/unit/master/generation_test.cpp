// Unit tests of Generation and GenerationFile (the latter in a fresh temporary directory).
#include "master/core/generation.hpp"
#include "master/core/generation_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;
namespace fs = std::filesystem;
namespace hm = ha::master;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "hamaster-gen-XXXXXX").string();
        char* made = ::mkdtemp(tmpl.data());
        if (made) path_ = made;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST(Generation, NextStartsAtOneAndIncrements) {
    EXPECT_EQ(hm::Generation::next(std::nullopt), 1u);
    EXPECT_EQ(hm::Generation::next(41), 42u);
    EXPECT_EQ(hm::Generation::from_time(ha::ipc::WallTime{} + std::chrono::seconds(1764300000)), 1764300000u);
}

TEST(Generation, ParsesDecimalWithBlanksAndRejectsGarbage) {
    EXPECT_EQ(*hm::Generation::parse("17\n"), 17u);
    EXPECT_EQ(*hm::Generation::parse("  3 "), 3u);
    EXPECT_FALSE(hm::Generation::parse("").has_value());
    EXPECT_FALSE(hm::Generation::parse("1a").has_value());
    EXPECT_FALSE(hm::Generation::parse("-1").has_value());
    EXPECT_EQ(hm::Generation::parse("x").error().code, "bad_generation");
    EXPECT_EQ(hm::Generation::format(7), "7\n");
}

TEST(GenerationFile, MissingFileStartsAtOneWithWarning) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    CaptureLog log;
    hm::GenerationFile file(log);
    auto g = file.load_and_bump(dir.path() / "hb_generation");
    ASSERT_TRUE(g.has_value()) << g.error().message;
    EXPECT_EQ(*g, 1u);
    EXPECT_EQ(log.count(LogLevel::warn, "No Previous generation - starting at 1"), 1);
    EXPECT_EQ(read(dir.path() / "hb_generation"), "1\n");
}

// A node whose state was wiped (reinstalled) while its peer remembers generation 57 of its earlier
// life: starting at 1 would be dropped as a replay by that peer. With the clock passed, the first
// generation is the clock; later starts count on from it.
TEST(GenerationFile, MissingFileStartsAtTheClockWhenGiven) {
    TempDir dir;
    CaptureLog log;
    hm::GenerationFile file(log);
    EXPECT_EQ(*file.load_and_bump(dir.path() / "hb_generation", {}, 1796000000), 1796000000u);
    EXPECT_EQ(log.count(LogLevel::warn, "No Previous generation - starting at 1796000000"), 1);
    EXPECT_EQ(*file.load_and_bump(dir.path() / "hb_generation", {}, 1796000005), 1796000001u)
        << "a stored generation counts on; the clock is only a floor for a first start";
}

TEST(GenerationFile, BumpsStoredValueAtomicallyWithoutLeftovers) {
    TempDir dir;
    const fs::path p = dir.path() / "hb_generation";
    std::ofstream(p) << "41\n";
    CaptureLog log;
    hm::GenerationFile file(log);
    EXPECT_EQ(*file.load_and_bump(p), 42u);
    EXPECT_EQ(*file.load_and_bump(p), 43u);
    EXPECT_EQ(read(p), "43\n");
    EXPECT_EQ(log.count("No Previous generation"), 0);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
    EXPECT_EQ(entries, 1) << "no temp file left behind";
}

// Root writes the generation file: a symlink planted at the temp name must not make it write
// through the link (the victim stays untouched, the generation file is written normally).
TEST(GenerationFile, SecAPlantedSymlinkAtTheTempNameIsNeverWrittenThrough) {
    TempDir dir;
    const fs::path p = dir.path() / "hb_generation";
    const fs::path victim = dir.path() / "victim";
    std::ofstream(p) << "41\n";
    std::ofstream(victim) << "precious\n";
    fs::create_symlink(victim, dir.path() / "hb_generation.tmp");
    CaptureLog log;
    hm::GenerationFile file(log);
    EXPECT_EQ(*file.load_and_bump(p), 42u);
    EXPECT_EQ(read(victim), "precious\n");
    EXPECT_EQ(read(p), "42\n");
    EXPECT_FALSE(fs::is_symlink(p));
}

TEST(GenerationFile, CorruptFileIsAnErrorAndLeftAlone) {
    TempDir dir;
    const fs::path p = dir.path() / "hb_generation";
    std::ofstream(p) << "garbage";
    CaptureLog log;
    hm::GenerationFile file(log);
    auto g = file.load_and_bump(p);
    ASSERT_FALSE(g.has_value());
    EXPECT_EQ(g.error().code, "bad_generation");
    EXPECT_NE(g.error().message.find(p.string()), std::string::npos);
    EXPECT_EQ(read(p), "garbage");
}

TEST(GenerationFile, UnwritableDirectoryIsAnError) {
    CaptureLog log;
    hm::GenerationFile file(log);
    auto g = file.load_and_bump("/nonexistent-dir-for-hamaster-test/hb_generation");
    ASSERT_FALSE(g.has_value());
    EXPECT_EQ(g.error().code, "generation_io");
}

// Our generation file beside Heartbeat 3.0.6's, in a fresh directory.
struct BesideHeartbeat : ::testing::Test {
    TempDir dir;
    const fs::path ours = dir.path() / "hb_generation";
    const fs::path theirs = dir.path() / "heartbeat_hb_generation";
    CaptureLog log;
    hm::GenerationFile file{log};
};

// A node that ran Heartbeat 3.0.6 before: its peer remembers Heartbeat's generation (the clock at
// Heartbeat's first start) and drops anything lower as a replay, so ours continues from it.
TEST_F(BesideHeartbeat, ContinuesFromHeartbeatsHigherGeneration) {
    std::ofstream(theirs) << "      1796598484\n";  // Heartbeat pads it with blanks
    auto g = file.load_and_bump(ours, theirs);
    ASSERT_TRUE(g.has_value()) << g.error().message;
    EXPECT_EQ(*g, 1796598485u);
    EXPECT_EQ(log.count(LogLevel::info, "Generation continues from Heartbeat's " + theirs.string() + " (1796598484)"), 1);
    EXPECT_EQ(log.count("No Previous generation"), 0);
    EXPECT_EQ(read(ours), "1796598485\n");
    EXPECT_EQ(read(theirs), "1796598485\n") << "Heartbeat's file follows: a return to Heartbeat counts on from ours";
    // Next start: ours is now the higher one.
    EXPECT_EQ(*file.load_and_bump(ours, theirs), 1796598486u);
    EXPECT_EQ(log.count("Generation continues from Heartbeat's"), 1);
    EXPECT_EQ(read(theirs), "1796598486\n");
}

// The way back (hamaster → Heartbeat): Heartbeat counts on from its own file, which must then be
// above what the peer last saw from us, or the peer drops the returning Heartbeat as a replay. So
// the generation in use is written there too, but only where Heartbeat's state directory exists.
TEST_F(BesideHeartbeat, KeepsHeartbeatsFileCurrentWhereItsDirectoryExists) {
    std::ofstream(ours) << "41\n";
    EXPECT_EQ(*file.load_and_bump(ours, theirs), 42u);
    EXPECT_EQ(read(theirs), "42\n") << "written although Heartbeat never ran: its directory is there";
    const fs::path absent = dir.path() / "no-heartbeat" / "hb_generation";
    EXPECT_EQ(*file.load_and_bump(ours, absent), 43u);
    EXPECT_FALSE(fs::exists(absent.parent_path())) << "a machine without Heartbeat's directory gets none";
    EXPECT_EQ(log.count(LogLevel::warn, "Cannot keep Heartbeat's generation file current"), 0);
}

TEST_F(BesideHeartbeat, OwnHigherGenerationWinsAndMissingHeartbeatFileIsFine) {
    EXPECT_EQ(*file.load_and_bump(ours, theirs), 1u);  // neither file: starts at 1
    EXPECT_EQ(log.count(LogLevel::warn, "No Previous generation - starting at 1"), 1);
    std::ofstream(ours) << "500\n";
    std::ofstream(theirs) << "7\n";
    EXPECT_EQ(*file.load_and_bump(ours, theirs), 501u);
    EXPECT_EQ(log.count("Generation continues from Heartbeat's"), 0);
}

TEST_F(BesideHeartbeat, UnreadableHeartbeatFileIsIgnoredWithAWarning) {
    std::ofstream(ours) << "9\n";
    std::ofstream(theirs) << "garbage";
    auto g = file.load_and_bump(ours, theirs);
    ASSERT_TRUE(g.has_value()) << g.error().message;
    EXPECT_EQ(*g, 10u);
    EXPECT_EQ(log.count(LogLevel::warn, "Ignoring Heartbeat's generation file: " + theirs.string()), 1);
    EXPECT_EQ(read(theirs), "garbage");
}

// Heartbeat's file can lag the generation its last life sent (that life's start time, in seconds):
// seen in the interop lab (file ...627, peer's current ...629, ours ...628 dropped as a replay).
// Continuing from Heartbeat, we start no lower than the clock; on our own file the clock is no floor.
TEST_F(BesideHeartbeat, ContinuingFromHeartbeatStartsNoLowerThanTheClock) {
    std::ofstream(theirs) << "      1796604627\n";
    EXPECT_EQ(*file.load_and_bump(ours, theirs, 1796604640u), 1796604640u);
    EXPECT_EQ(read(ours), "1796604640\n");
    EXPECT_EQ(*file.load_and_bump(ours, theirs, 1796604650u), 1796604641u) << "ours is higher now: no floor";
}
