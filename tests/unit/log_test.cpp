#include "ipc/log.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace ha::ipc;

TEST(FileLog, HeartbeatSyslogStyleLine) {
    FileLog log({.program = "ipfaild", .node = "web1", .sinks = {}, .syslogmsgfmt = true});
    std::string line = log.format_line(LogLevel::warn, "node web2: is dead");
    EXPECT_TRUE(std::regex_match(line, std::regex(R"([A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d web1 ipfaild: \[\d+\]: WARN: node web2: is dead)")))
        << line;
}

TEST(FileLog, HeartbeatClassicStyleLine) {
    FileLog log({.program = "hamaster", .node = "web1", .sinks = {}, .syslogmsgfmt = false});
    std::string line = log.format_line(LogLevel::info, "x");
    EXPECT_TRUE(std::regex_match(line, std::regex(R"(hamaster\[\d+\]: \d{4}/\d\d/\d\d_\d\d:\d\d:\d\d info: x)"))) << line;
}

TEST(CaptureLog, CountsByLevel) {
    CaptureLog log;
    log.warn("Link {}:{} dead.", "web2", "eth0");
    log.info("Link {}:{} up.", "web2", "eth0");
    EXPECT_EQ(log.count("Link web2:eth0"), 2);
    EXPECT_EQ(log.count(LogLevel::warn, "dead"), 1);
}
