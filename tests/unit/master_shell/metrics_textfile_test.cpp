// MetricsTextfile: writes <dir>/hamaster.prom whole (temp + rename, no temp left), 0644, and logs a
// failing write once and its recovery once — never a line per tick.
#include "master/metrics_textfile.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../config_test_util.hpp"

using namespace std::chrono_literals;
using ha::ipc::CaptureLog;
using ha::ipc::LogLevel;

TEST(MetricsTextfile, WritesTheWholeFileAndLogsAFailureAndTheRecoveryOnce) {
    ha::conf::test::TempDir t;
    const std::string dir = t.file("collector");
    boost::asio::io_context io;
    CaptureLog log;
    int renders = 0;
    ha::master::MetricsTextfile metrics(io, log, dir, 1s, [&] { return "hamaster_generation " + std::to_string(++renders) + "\n"; });
    EXPECT_EQ(metrics.path(), dir + "/hamaster.prom");
    // The directory is missing: refused, said once however often it is tried.
    EXPECT_FALSE(metrics.write_now());
    EXPECT_FALSE(metrics.write_now());
    EXPECT_EQ(log.count(LogLevel::warn, "Cannot write metrics to " + dir + "/hamaster.prom"), 1) << log.dump();
    std::filesystem::create_directories(dir);
    EXPECT_TRUE(metrics.write_now());
    EXPECT_TRUE(metrics.write_now());
    EXPECT_EQ(log.count(LogLevel::info, "Metrics written to " + dir + "/hamaster.prom again"), 1) << log.dump();
    std::ifstream in(metrics.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, "hamaster_generation 4\n");
    struct ::stat st {};
    ASSERT_EQ(::stat(metrics.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1) << "a temporary file was left";
}
